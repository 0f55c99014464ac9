import { createUser, ZCreateUser } from '@shegong/server/modules/auth/create-user.ts';
import {
  resetPassword,
  unlockUser,
  updateUser,
  userIdByName,
} from '@shegong/server/modules/auth/manage-user.ts';
import { ROLE_LABELS, ROLES } from '@shegong/shared';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
};

export const registerUserCommand = (program: Command): void => {
  const user = program.command('user').description('用户账号管理');
  user
    .command('add')
    .description('新建用户；密码从标准输入读取，未提供时自动生成并显示一次')
    .requiredOption(
      '--role <role>',
      `角色：${ROLES.map((r) => `${r}（${ROLE_LABELS[r]}）`).join('、')}`,
    )
    .requiredOption('--org <code>', '所属机构的行政区划代码，例如 640104')
    .requiredOption('--name <name>', '姓名（显示名）')
    .option('--username <username>', '登录用户名（默认由角色和机构代码生成）')
    .option('--worker <id>', '社区工作者账号关联的工作者 ID')
    .option('--password-stdin', '从标准输入读取密码')
    .action(
      async (opts: {
        role: string;
        org: string;
        name: string;
        username?: string;
        worker?: string;
        passwordStdin?: boolean;
      }) => {
        const password = opts.passwordStdin || !process.stdin.isTTY ? await readStdin() : '';
        const input = ZCreateUser.parse({
          username: opts.username ?? `${opts.role.split('-')[0]}${opts.org}`,
          displayName: opts.name,
          role: opts.role,
          orgCode: opts.org,
          workerId: opts.worker,
          password: password === '' ? undefined : password,
        });
        const created = await withServices((ctx) => createUser(ctx, input));
        process.stdout.write(
          `已创建用户 ${created.username}（${ROLE_LABELS[input.role]}，机构 ${input.orgCode}）\n`,
        );
        if (created.generated)
          process.stdout.write(`初始密码（仅显示这一次）：${created.password}\n`);
      },
    );
  // 三员分立: the web cannot change the three administrators' accounts; the host can. Every
  // change is audited as the system actor, like `user add`.
  user
    .command('reset-password <username>')
    .description(
      '重置密码（含系统管理员、安全管理员、审计管理员）：生成临时密码并显示一次，下次登录须修改',
    )
    .action(async (username: string) => {
      const { password } = await withServices(async (ctx) =>
        resetPassword(ctx, await userIdByName(ctx, username), true),
      );
      process.stdout.write(`已重置 ${username} 的密码，该用户的登录会话已结束\n`);
      process.stdout.write(`临时密码（仅显示这一次，下次登录须修改）：${password}\n`);
    });
  user
    .command('unlock <username>')
    .description('解除因多次登录失败造成的锁定')
    .action(async (username: string) => {
      await withServices(async (ctx) => unlockUser(ctx, await userIdByName(ctx, username), true));
      process.stdout.write(`已解除 ${username} 的锁定\n`);
    });
  for (const [name, disabled, text] of [
    ['disable', true, '停用'],
    ['enable', false, '启用'],
  ] as const) {
    user
      .command(`${name} <username>`)
      .description(`${text}账号（含三员账号）；停用即结束其登录会话`)
      .action(async (username: string) => {
        await withServices(async (ctx) =>
          updateUser(ctx, await userIdByName(ctx, username), { disabled }, true),
        );
        process.stdout.write(`已${text} ${username}\n`);
      });
  }
};

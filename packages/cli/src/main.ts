import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.ts';
import { registerBackupCommand } from './commands/backup.ts';
import { registerCitusSetupCommand } from './commands/citus-setup.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerPolicyCommand } from './commands/policy.ts';
import { registerRecomputeCommand } from './commands/recompute.ts';
import { registerRekeyCommand } from './commands/rekey.ts';
import { registerRestoreCommand } from './commands/restore.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerStatsCommand } from './commands/stats.ts';
import { registerUserCommand } from './commands/user.ts';
import { runCommand } from './run-command.ts';

const program = new Command();
program
  .name('shegong')
  .description('社工 — 社区工作者队伍管理系统命令行工具')
  .version('0.1.0', '-v, --version', '显示版本号')
  .helpOption('-h, --help', '显示帮助')
  .addHelpCommand('help [command]', '显示某个命令的帮助')
  .showHelpAfterError('（使用 --help 查看用法）');

registerStartCommand(program);
registerMigrateCommand(program);
registerUserCommand(program);
registerDemoCommand(program);
registerPolicyCommand(program);
registerRecomputeCommand(program);
registerAuditCommand(program);
registerRekeyCommand(program);
registerImportCommand(program);
registerExportCommand(program);
registerBackupCommand(program);
registerRestoreCommand(program);
registerCitusSetupCommand(program);
registerStatsCommand(program);

await runCommand(() => program.parseAsync(process.argv));

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, openConfiguredDatabase, runMigrations } from '@shegong/server';
import { rekeyDatabase } from '@shegong/server/ops/rekey.ts';
import { CRYPTO_SUITES, type TCryptoSuite } from '@shegong/server/security/crypto-suite.ts';
import { loadMasterKey, parseMasterKey } from '@shegong/server/security/field-crypto.ts';
import { AppError } from '@shegong/shared';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

const out = (line: string) => process.stdout.write(`${line}\n`);

type TRekeyOpts = { suite?: string; newKeyFile?: string; keepKey?: boolean; batch: string };

/**
 * Where the new master key comes from: --new-key-file, SHEGONG_NEW_DATA_KEY, the current key
 * (--keep-key: change the suite only), or — for the embedded default whose key lives in the
 * data directory — a new key generated into `secret.key.new` before anything changes (so a
 * stopped run resumes with the same key).
 */
const newKey = (opts: TRekeyOpts, current: Buffer, envKey: boolean, dataDir: string) => {
  if (opts.keepKey) return { key: current, file: undefined };
  if (opts.newKeyFile) {
    return {
      key: parseMasterKey(fs.readFileSync(opts.newKeyFile, 'utf8'), '--new-key-file'),
      file: undefined,
    };
  }
  if (process.env.SHEGONG_NEW_DATA_KEY) {
    return {
      key: parseMasterKey(process.env.SHEGONG_NEW_DATA_KEY, 'SHEGONG_NEW_DATA_KEY'),
      file: undefined,
    };
  }
  if (envKey) {
    throw new AppError(
      'CONFIG_INVALID',
      '主密钥来自 SHEGONG_DATA_KEY：请用 SHEGONG_NEW_DATA_KEY 或 --new-key-file 提供新密钥（openssl rand -base64 32），或用 --keep-key 只更换算法',
      { where: { key: 'SHEGONG_NEW_DATA_KEY' } },
    );
  }
  const file = path.join(dataDir, 'secret.key.new');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  }
  return { key: parseMasterKey(fs.readFileSync(file, 'utf8'), file), file };
};

export const registerRekeyCommand = (program: Command): void => {
  program
    .command('rekey')
    .description(
      '用新主密钥和/或新算法套件重新加密全部加密字段并重算检索索引（可中断后续跑；须先停止服务）',
    )
    .option('--suite <suite>', `目标算法套件：${CRYPTO_SUITES.join(' 或 ')}（默认取 CRYPTO_SUITE）`)
    .option('--new-key-file <file>', '新主密钥文件（32字节随机数的 base64）')
    .option('--keep-key', '不换密钥，只更换算法套件')
    .option('--batch <n>', '每批行数', '2000')
    .addHelpText(
      'after',
      '\n新密钥来源：--new-key-file、环境变量 SHEGONG_NEW_DATA_KEY；内嵌数据库（密钥在数据目录）默认生成新密钥。\n完成后请把 SHEGONG_DATA_KEY / CRYPTO_SUITE 改为新值再启动服务；旧密钥仍用于解密旧备份，请离线保存。',
    )
    .action(async (opts: TRekeyOpts) => {
      const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
      const toSuite = (opts.suite ?? config.CRYPTO_SUITE) as TCryptoSuite;
      if (!CRYPTO_SUITES.includes(toSuite)) {
        throw new AppError('VALIDATION_FAILED', `--suite 必须是 ${CRYPTO_SUITES.join(' 或 ')}`, {
          where: { field: 'suite' },
        });
      }
      const batchSize = Number.parseInt(opts.batch, 10);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new AppError('VALIDATION_FAILED', '--batch 必须是正整数');
      const database = await openConfiguredDatabase(config);
      const bar = new SingleBar({
        format: '重新加密 {column} [{bar}] {percentage}% | {value}/{total} | 剩余 {eta_formatted}',
        hideCursor: true,
      });
      let started = false;
      try {
        await runMigrations(database);
        const fromKey = loadMasterKey(config.SHEGONG_DATA_KEY, config.dataDir);
        const target = newKey(opts, fromKey, Boolean(config.SHEGONG_DATA_KEY), config.dataDir);
        let column = '';
        const result = await rekeyDatabase(database.db, {
          fromKey,
          fromSuite: config.CRYPTO_SUITE,
          toKey: target.key,
          toSuite,
          batchSize,
          onProgress: (p) => {
            if (p.column !== column) {
              if (started) bar.stop();
              column = p.column;
              bar.start(p.total, p.done, { column });
              started = true;
            } else bar.update(p.done, { column });
          },
        });
        if (started) bar.stop();
        started = false;
        if (result.alreadyDone) {
          out('数据已在目标密钥与算法下，无需重新加密');
          return;
        }
        if (target.file) {
          // The embedded default: the new key replaces secret.key; the old one is kept aside
          // for old backups (move it to offline storage).
          const current = path.join(config.dataDir, 'secret.key');
          const retired = path.join(config.dataDir, `secret.key.retired-${Date.now()}`);
          if (fs.existsSync(current) && target.key !== fromKey) fs.renameSync(current, retired);
          fs.renameSync(target.file, current);
          out(
            `新主密钥已写入 ${current}；旧密钥移至 ${retired}（解密旧备份时需要，请离线保存后删除）`,
          );
        }
        out(
          `完成：重新加密 ${result.rows} 个值${result.resumed ? '（续跑）' : ''}，重签 ${result.checkpoints} 个审计检查点；算法套件 ${toSuite}`,
        );
        if (config.SHEGONG_DATA_KEY || toSuite !== config.CRYPTO_SUITE) {
          out(
            `启动服务前请设置：${config.SHEGONG_DATA_KEY && !opts.keepKey ? 'SHEGONG_DATA_KEY=<新密钥> ' : ''}CRYPTO_SUITE=${toSuite}`,
          );
        }
      } finally {
        if (started) bar.stop();
        await database.close();
      }
    });
};

import { AppError } from '@shegong/shared';
import { eq, sql } from 'drizzle-orm';
import type { TExecutor } from '../db/client.ts';
import { queryRows } from '../db/client.ts';
import { cryptoState } from '../db/schema/index.ts';
import type { TLogger } from '../logger.ts';
import { SUITE_LABELS, type TCryptoSuite } from './crypto-suite.ts';
import { ENCRYPTED_COLUMNS } from './encrypted-columns.ts';
import { createFieldCrypto, type TFieldCrypto } from './field-crypto.ts';

export type TCryptoStateRow = typeof cryptoState.$inferSelect;

export const readCryptoState = async (db: TExecutor): Promise<TCryptoStateRow | undefined> =>
  (await db.select().from(cryptoState).where(eq(cryptoState.id, 1)).limit(1))[0];

/** Whether any encrypted column holds data (data written before the state row existed). */
const hasEncryptedData = async (db: TExecutor): Promise<boolean> => {
  for (const table of new Set(ENCRYPTED_COLUMNS.map((c) => c.table))) {
    const rows = await queryRows<{ x: number }>(
      db,
      sql`select 1 as x from ${sql.identifier(table)} limit 1`,
    );
    if (rows.length > 0) return true;
  }
  return false;
};

/**
 * The field crypto of a running server. New values are encrypted under CRYPTO_SUITE; blind
 * indexes stay in the suite the database records (they must match the stored ones) until
 * `shegong rekey` moves them. The first start records the suite and a check value of the master
 * key, so a later start with another key is refused instead of failing on every read.
 */
export const openFieldCrypto = async (
  db: TExecutor,
  masterKey: Buffer,
  suite: TCryptoSuite,
  log?: TLogger,
): Promise<TFieldCrypto> => {
  let state = await readCryptoState(db);
  if (!state) {
    // Before this table existed only the intl suite was written.
    const indexSuite: TCryptoSuite = (await hasEncryptedData(db)) ? 'intl' : suite;
    const fc = createFieldCrypto(masterKey, { suite, indexSuite });
    await db
      .insert(cryptoState)
      .values({ id: 1, indexSuite, keyCheck: fc.keyCheck() })
      .onConflictDoNothing();
    state = (await readCryptoState(db))!;
  }
  if (state.rekeyTargetCheck) {
    throw new AppError(
      'CONFIG_INVALID',
      '上一次重新加密（shegong rekey）尚未完成：请再次运行同一命令完成后再启动服务',
      { where: { key: 'SHEGONG_DATA_KEY' } },
    );
  }
  const indexSuite = state.indexSuite as TCryptoSuite;
  const fc = createFieldCrypto(masterKey, { suite, indexSuite, log });
  if (fc.keyCheck() !== state.keyCheck) {
    throw new AppError(
      'CONFIG_INVALID',
      '数据加密主密钥与本数据库不符：请检查 SHEGONG_DATA_KEY（或数据目录中的 secret.key）',
      { where: { key: 'SHEGONG_DATA_KEY' } },
    );
  }
  if (indexSuite !== suite) {
    log?.warn(
      `新数据按 ${SUITE_LABELS[suite]} 加密；检索索引仍为 ${SUITE_LABELS[indexSuite]}，运行 shegong rekey --suite ${suite} 可全部迁移`,
    );
  }
  return fc;
};

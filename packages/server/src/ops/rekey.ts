import { AppError } from '@shegong/shared';
import { asc, eq, sql } from 'drizzle-orm';
import { checkpointPayload } from '../audit/audit.ts';
import { queryRows, type TExecutor } from '../db/client.ts';
import { auditCheckpoint, cryptoState } from '../db/schema/index.ts';
import { openFieldCrypto, readCryptoState } from '../security/crypto-state.ts';
import type { TCryptoSuite } from '../security/crypto-suite.ts';
import {
  columnKey,
  ENCRYPTED_COLUMNS,
  type TEncryptedColumn,
} from '../security/encrypted-columns.ts';
import { createFieldCrypto } from '../security/field-crypto.ts';

export type TRekeyProgress = { column: string; done: number; total: number };

export type TRekeyOptions = {
  /** The master key the data is under now. */
  fromKey: Buffer;
  /** The suite the server runs with now (used only when the database has no state yet). */
  fromSuite: TCryptoSuite;
  /** The new master key (may equal fromKey to change only the suite). */
  toKey: Buffer;
  toSuite: TCryptoSuite;
  batchSize?: number;
  columns?: readonly TEncryptedColumn[];
  onProgress?: (progress: TRekeyProgress) => void;
};

export type TRekeyResult = {
  rows: number;
  resumed: boolean;
  checkpoints: number;
  alreadyDone: boolean;
};

const id = (name: string) => sql.identifier(name);

/**
 * Re-encrypts every encrypted column under a new key and/or suite and recomputes the blind
 * indexes. Resumable: each batch commits together with its position in `crypto_state`, and the
 * target key's check value is recorded first, so a run that stops (crash, Ctrl-C) is completed
 * by running it again with the same new key; until then the server refuses to start. Values are
 * decrypted under either key, so a batch done twice is harmless. Audit checkpoint signatures
 * are verified under the old key and re-signed under the new one. The server must be stopped.
 */
export const rekeyDatabase = async (
  db: TExecutor,
  options: TRekeyOptions,
): Promise<TRekeyResult> => {
  const columns = options.columns ?? ENCRYPTED_COLUMNS;
  const batchSize = options.batchSize ?? 2000;
  let state = await readCryptoState(db);
  if (!state) {
    await openFieldCrypto(db, options.fromKey, options.fromSuite);
    state = (await readCryptoState(db))!;
  }
  const fromIndexSuite = state.indexSuite as TCryptoSuite;
  const from = createFieldCrypto(options.fromKey, { suite: fromIndexSuite });
  const to = createFieldCrypto(options.toKey, {
    suite: options.toSuite,
    indexSuite: options.toSuite,
    previousKeys: [options.fromKey],
  });
  const resumed = state.rekeyTargetCheck !== null;
  if (resumed) {
    if (state.rekeyTargetCheck !== to.keyCheck() || state.rekeyTargetSuite !== options.toSuite) {
      throw new AppError(
        'CONFLICT',
        '有一次未完成的重新加密使用了另一把新密钥或另一套算法：请用当时的新密钥和 --suite 再次运行',
        { where: { key: 'SHEGONG_NEW_DATA_KEY' } },
      );
    }
  } else {
    if (state.keyCheck === to.keyCheck() && fromIndexSuite === options.toSuite) {
      const undone = await countValuesNotUnder(db, columns, options.toSuite);
      if (undone === 0) return { rows: 0, resumed: false, checkpoints: 0, alreadyDone: true };
    }
    if (state.keyCheck !== from.keyCheck()) {
      throw new AppError(
        'CONFIG_INVALID',
        '当前主密钥与数据库不符，无法重新加密：请检查 SHEGONG_DATA_KEY（或数据目录中的 secret.key）',
        { where: { key: 'SHEGONG_DATA_KEY' } },
      );
    }
    await db
      .update(cryptoState)
      .set({
        rekeyTargetSuite: options.toSuite,
        rekeyTargetCheck: to.keyCheck(),
        rekeyProgress: {},
        updatedAt: new Date().toISOString(),
      })
      .where(eq(cryptoState.id, 1));
  }
  const progress: Record<string, string> = { ...(state.rekeyProgress ?? {}) };
  let rows = 0;
  for (const column of columns) {
    const key = columnKey(column);
    const keyCols = sql.join(
      column.key.map((k) => sql`t.${id(k.column)}`),
      sql`, `,
    );
    // Rows after a saved cursor (a JSON array of the key's values, as text).
    const after = (cursor: string | undefined) => {
      if (!cursor) return sql``;
      const values = JSON.parse(cursor) as string[];
      const typed = sql.join(
        column.key.map((k, i) => sql`cast(${values[i]} as ${sql.raw(k.type)})`),
        sql`, `,
      );
      return sql`and (${keyCols}) > (${typed})`;
    };
    const count = async (extra: ReturnType<typeof sql>) =>
      Number(
        (
          await queryRows<{ n: number }>(
            db,
            sql`select count(*)::int as n from ${id(column.table)} as t
                where t.${id(column.cipher)} is not null ${extra}`,
          )
        )[0]?.n ?? 0,
      );
    const total = await count(sql``);
    let done = progress[key] ? total - (await count(after(progress[key]))) : 0;
    options.onProgress?.({ column: key, done, total });
    for (;;) {
      const batch = await queryRows<{ k: string[]; cipher: string }>(
        db,
        sql`select jsonb_build_array(${sql.join(
          column.key.map((k) => sql`t.${id(k.column)}::text`),
          sql`, `,
        )}) as k, t.${id(column.cipher)} as cipher
            from ${id(column.table)} as t
            where t.${id(column.cipher)} is not null ${after(progress[key])}
            order by ${keyCols} limit ${batchSize}`,
      );
      if (batch.length === 0) break;
      const values = batch.map((row) => {
        const plain = to.decrypt(row.cipher);
        return { k: row.k, c: to.encrypt(plain), h: column.hash ? to.blindIndex(plain) : null };
      });
      const match = sql.join(
        column.key.map(
          (k, i) =>
            sql`t.${id(k.column)} = cast(v.k ->> ${sql.raw(String(i))} as ${sql.raw(k.type)})`,
        ),
        sql` and `,
      );
      await db.transaction(async (tx) => {
        await tx.execute(
          sql`update ${id(column.table)} as t
              set ${id(column.cipher)} = v.c
                  ${column.hash ? sql`, ${id(column.hash)} = v.h` : sql``}
              from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(k jsonb, c text, h text)
              where ${match}`,
        );
        progress[key] = JSON.stringify(batch.at(-1)!.k);
        await tx
          .update(cryptoState)
          .set({ rekeyProgress: { ...progress }, updatedAt: new Date().toISOString() })
          .where(eq(cryptoState.id, 1));
      });
      rows += batch.length;
      done += batch.length;
      options.onProgress?.({ column: key, done, total });
    }
  }
  // Last step, in one transaction: re-sign the audit checkpoints and record the new key.
  let checkpoints = 0;
  await db.transaction(async (tx) => {
    const cps = await tx.select().from(auditCheckpoint).orderBy(asc(auditCheckpoint.throughSeq));
    for (const cp of cps) {
      const payload = checkpointPayload(cp);
      if (
        !to.verifySignature(payload, cp.signature) &&
        !from.verifySignature(payload, cp.signature)
      ) {
        throw new AppError(
          'CONFLICT',
          `第 ${cp.throughSeq} 条处的审计检查点签名无效，已停止（不为伪造的检查点重新签名）`,
        );
      }
      await tx
        .update(auditCheckpoint)
        .set({ signature: to.sign(payload) })
        .where(eq(auditCheckpoint.id, cp.id));
      checkpoints++;
    }
    await tx
      .update(cryptoState)
      .set({
        indexSuite: options.toSuite,
        keyCheck: to.keyCheck(),
        rekeyTargetSuite: null,
        rekeyTargetCheck: null,
        rekeyProgress: null,
        updatedAt: new Date().toISOString(),
      })
      .where(eq(cryptoState.id, 1));
  });
  return { rows, resumed, checkpoints, alreadyDone: false };
};

/** Ciphertexts not yet in the target suite's format. */
const countValuesNotUnder = async (
  db: TExecutor,
  columns: readonly TEncryptedColumn[],
  suite: TCryptoSuite,
): Promise<number> => {
  const prefix = suite === 'gm' ? 'g1:%' : 'v1:%';
  let n = 0;
  for (const c of columns) {
    const rows = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${id(c.table)}
          where ${id(c.cipher)} is not null and ${id(c.cipher)} not like ${prefix}`,
    );
    n += Number(rows[0]?.n ?? 0);
  }
  return n;
};

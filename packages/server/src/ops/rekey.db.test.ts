import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import type { TServices } from '../context.ts';
import { queryRows } from '../db/client.ts';
import { sealAudit } from '../modules/audit/checkpoint.ts';
import { openFieldCrypto } from '../security/crypto-state.ts';
import { gmAvailable } from '../security/crypto-suite.ts';
import { columnKey, ENCRYPTED_COLUMNS } from '../security/encrypted-columns.ts';
import { createFieldCrypto } from '../security/field-crypto.ts';
import { createClient, seedDemo, seedUser } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { rekeyDatabase } from './rekey.ts';

type TRow = {
  id: string;
  id_number_cipher: string;
  id_number_hash: string;
  phone_cipher: string | null;
  phone_hash: string | null;
};

describe.runIf(gmAvailable())(`shegong rekey (${testDbKind()})`, () => {
  let services: TServices;
  const keyA = crypto.randomBytes(32);
  const keyB = crypto.randomBytes(32);
  let plain: Map<string, { idNumber: string; phone: string | null }>;
  const rows = async () =>
    queryRows<TRow>(
      services.database.db,
      sql`select id::text, id_number_cipher, id_number_hash, phone_cipher, phone_hash from worker order by id`,
    );

  beforeAll(async () => {
    services = await createTestServices();
    const a = await openFieldCrypto(services.database.db, keyA, 'intl');
    services = { ...services, crypto: a };
    await seedDemo(services, 45);
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
    await sealAudit(services.database.db, a, 'test');
    plain = new Map(
      (await rows()).map((r) => [
        r.id,
        {
          idNumber: a.decrypt(r.id_number_cipher),
          phone: r.phone_cipher ? a.decrypt(r.phone_cipher) : null,
        },
      ]),
    );
  });
  afterAll(() => services.database.close());

  it('lists every *_cipher column of the database', async () => {
    const cols = await queryRows<{ table_name: string; column_name: string }>(
      services.database.db,
      sql`select table_name, column_name from information_schema.columns
          where table_schema = 'public' and column_name like '%\\_cipher' order by 1, 2`,
    );
    expect(cols.map((c) => `${c.table_name}.${c.column_name}`).sort()).toEqual(
      ENCRYPTED_COLUMNS.map(columnKey).sort(),
    );
  });

  it('moves every value to a new key and SM4/SM3, resuming after an interruption', async () => {
    const { db } = services.database;
    const options = {
      fromKey: keyA,
      fromSuite: 'intl' as const,
      toKey: keyB,
      toSuite: 'gm' as const,
      batchSize: 10,
    };
    let batches = 0;
    await expect(
      rekeyDatabase(db, {
        ...options,
        onProgress: (p) => {
          if (p.done > 0 && ++batches === 2) throw new Error('power cut');
        },
      }),
    ).rejects.toThrow('power cut');
    // Half done: some rows under each key; the server refuses to start until it is finished.
    const mid = await rows();
    const g1 = mid.filter((r) => r.id_number_cipher.startsWith('g1:')).length;
    expect(g1).toBeGreaterThan(0);
    expect(g1).toBeLessThan(mid.length);
    await expect(openFieldCrypto(db, keyA, 'intl')).rejects.toThrow(/尚未完成/);
    // Another new key cannot take over the half-done run.
    await expect(rekeyDatabase(db, { ...options, toKey: crypto.randomBytes(32) })).rejects.toThrow(
      /另一把新密钥/,
    );

    const progress: number[] = [];
    const result = await rekeyDatabase(db, {
      ...options,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result).toMatchObject({ resumed: true, checkpoints: 1, alreadyDone: false });
    expect(result.rows).toBeLessThan(mid.length + mid.filter((r) => r.phone_cipher).length);

    const b = await openFieldCrypto(db, keyB, 'gm');
    expect(b.indexSuite).toBe('gm');
    for (const r of await rows()) {
      const expected = plain.get(r.id)!;
      expect(r.id_number_cipher).toMatch(/^g1:/);
      expect(b.decrypt(r.id_number_cipher)).toBe(expected.idNumber);
      expect(r.id_number_hash).toBe(b.blindIndex(expected.idNumber));
      expect(r.id_number_hash).toMatch(/^sm3:/);
      if (expected.phone) {
        expect(b.decrypt(r.phone_cipher!)).toBe(expected.phone);
        expect(r.phone_hash).toBe(b.blindIndex(expected.phone));
      }
    }
    // The old key is refused now, and the old key's ciphertexts are gone.
    await expect(openFieldCrypto(db, keyA, 'intl')).rejects.toThrow(/主密钥与本数据库不符/);
    const fresh = (await rows())[0]!;
    expect(() => createFieldCrypto(keyA).decrypt(fresh.id_number_cipher)).toThrow(/无法解密/);
    // The re-signed checkpoint verifies under the new key only.
    expect(await verifyAuditChain(db, { crypto: b })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(db, { crypto: createFieldCrypto(keyA) })).toMatchObject({
      ok: false,
    });

    // The application finds a worker by 身份证号 through the new SM3 blind index.
    const client = createClient({ ...services, crypto: b });
    await client.login('admin');
    const [id, values] = [...plain.entries()][3]!;
    const found = await client.get(`/api/workers?q=${values.idNumber}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((w: { id: string }) => w.id)).toEqual([id]);
  });

  it('does nothing when the data is already under the target key and suite', async () => {
    const result = await rekeyDatabase(services.database.db, {
      fromKey: keyB,
      fromSuite: 'gm',
      toKey: keyB,
      toSuite: 'gm',
    });
    expect(result.alreadyDone).toBe(true);
  });

  it('refuses to start from a key that is not the database’s', async () => {
    await expect(
      rekeyDatabase(services.database.db, {
        fromKey: crypto.randomBytes(32),
        fromSuite: 'gm',
        toKey: crypto.randomBytes(32),
        toSuite: 'intl',
      }),
    ).rejects.toThrow(/主密钥与数据库不符/);
  });
});

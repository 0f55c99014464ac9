import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../db/client.ts';
import { seedDemo } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { openFieldCrypto, readCryptoState } from './crypto-state.ts';
import { gmAvailable } from './crypto-suite.ts';

describe.runIf(gmAvailable())(`crypto state of a database (${testDbKind()})`, () => {
  it('keeps a database written under intl working after CRYPTO_SUITE=gm: old values and lookups', async () => {
    const services = await createTestServices();
    try {
      const { db } = services.database;
      const key = crypto.randomBytes(32);
      const intl = await openFieldCrypto(db, key, 'intl');
      await seedDemo({ ...services, crypto: intl }, 10);
      const row = (
        await queryRows<{ c: string; h: string }>(
          db,
          sql`select id_number_cipher as c, id_number_hash as h from worker limit 1`,
        )
      )[0]!;
      const gm = await openFieldCrypto(db, key, 'gm');
      expect(gm.suite).toBe('gm');
      // Blind indexes stay in the suite the stored ones were made with, until a rekey.
      expect(gm.indexSuite).toBe('intl');
      const plain = gm.decrypt(row.c);
      expect(gm.blindIndex(plain)).toBe(row.h);
      expect(gm.encrypt(plain)).toMatch(/^g1:/);
      expect((await readCryptoState(db))?.indexSuite).toBe('intl');
      // Another master key is refused at start-up, not at the first read.
      await expect(openFieldCrypto(db, crypto.randomBytes(32), 'intl')).rejects.toThrow(
        /主密钥与本数据库不符/,
      );
    } finally {
      await services.database.close();
    }
  });

  it('uses SM3 blind indexes from the start on a new database under CRYPTO_SUITE=gm', async () => {
    const services = await createTestServices();
    try {
      const gm = await openFieldCrypto(services.database.db, crypto.randomBytes(32), 'gm');
      expect(gm.indexSuite).toBe('gm');
      expect(gm.blindIndex('x')).toMatch(/^sm3:/);
    } finally {
      await services.database.close();
    }
  });
});

import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { seedDemo } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { executePrepared, queryRows, queryRowsPrepared } from './client.ts';
import { org } from './schema/index.ts';

describe(`named (prepared) statements (${testDbKind()})`, () => {
  let services: TServices;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 5);
  });
  afterAll(() => services.database.close());

  it('runs several shapes under one prefix side by side, each as its unprepared reading', async () => {
    const { db } = services.database;
    // Two texts under one prefix on the same pooled connections, each past the five custom
    // plans: named by the text's hash, neither is taken for the other (node-postgres refuses a
    // name reused for another text).
    const byCode = (code: string) => sql`select code, level from org where code = ${code}`;
    const byParent = (code: string) =>
      sql`select code, level from org where parent_code = ${code} order by code`;
    for (let i = 0; i < 8; i++) {
      for (const code of ['000000', '640104', 'none']) {
        expect(await queryRowsPrepared(db, 'probe', byCode(code))).toEqual(
          await queryRows(db, byCode(code)),
        );
        expect(await queryRowsPrepared(db, 'probe', byParent(code))).toEqual(
          await queryRows(db, byParent(code)),
        );
      }
      const built = db.select().from(org).where(eq(org.code, '000000'));
      expect(await executePrepared('probe', built)).toEqual(
        await db.select().from(org).where(eq(org.code, '000000')),
      );
    }
    // Inside a transaction too (its own connection).
    await db.transaction(async (tx) => {
      expect(await queryRowsPrepared(tx, 'probe', byCode('000000'))).toHaveLength(1);
    });
  });
});

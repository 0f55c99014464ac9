import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDbKind } from '../testing/test-db.ts';
import { queryRows, runMigrations, type TDatabase } from './client.ts';

describe(`migrations (${testDbKind()})`, () => {
  let database: TDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('creates every table of the schema', async () => {
    const rows = await queryRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const tables = rows.map((r) => r.table_name);
    for (const t of [
      'app_user',
      'archive_item',
      'audit_log',
      'org',
      'org_fact',
      'org_move',
      'session',
      'worker',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('indexes the org path with text_pattern_ops so prefix searches use it', async () => {
    const rows = await queryRows<{ indexdef: string }>(
      database.db,
      sql`select indexdef from pg_indexes where indexname = 'org_path_idx'`,
    );
    expect(rows[0]?.indexdef).toContain('text_pattern_ops');
  });

  it('is idempotent: running the migrations again changes nothing', async () => {
    const count = async () =>
      (
        await queryRows<{ n: number }>(
          database.db,
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        )
      )[0]?.n;
    const before = await count();
    expect(Number(before)).toBeGreaterThan(0);
    await runMigrations(database);
    expect(await count()).toBe(before);
  });
});

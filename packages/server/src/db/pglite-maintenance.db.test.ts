import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDbKind } from '../testing/test-db.ts';
import { queryRows, type TDatabase } from './client.ts';
import { startPgliteMaintenance, tablesDue, vacuumDue } from './pglite-maintenance.ts';

// PGlite has no autovacuum; the server does its work by the same thresholds. Run on both
// databases (the SQL is plain PostgreSQL); the tables keep autovacuum off, so a PostgreSQL with
// autovacuum on cannot vacuum them first.
describe(`PGlite maintenance (${testDbKind()})`, () => {
  let database: TDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  const stats = async (table: string) =>
    (
      await queryRows<{ dead: number; visible: number }>(
        database.db,
        sql`select s.n_dead_tup::int as dead, c.relallvisible::int as visible
            from pg_stat_user_tables s join pg_class c on c.oid = s.relid
            where s.relname = ${table}`,
      )
    )[0];

  /** The statistics reach the shared counters when the writing backend is idle (≤ 1 s). */
  const waitUntilDue = async (table: string) => {
    for (let i = 0; i < 100; i++) {
      if ((await tablesDue(database.db)).includes(table)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${table} never became due`);
  };

  it('vacuums a table whose rows were all updated: dead rows gone, pages all-visible', async () => {
    await database.db.execute(
      sql`create table probe (id int primary key, v int) with (autovacuum_enabled = false)`,
    );
    await database.db.execute(sql`insert into probe select g, g from generate_series(1, 10000) g`);
    await database.db.execute(sql`update probe set v = v + 1`);
    await waitUntilDue('probe');
    const before = await stats('probe');
    expect(before?.dead).toBeGreaterThanOrEqual(10000);
    expect(before?.visible).toBe(0);

    const done = await vacuumDue(database.db);
    expect(done.map((d) => d.table)).toContain('probe');
    const after = await stats('probe');
    expect(after?.dead).toBe(0);
    expect(after?.visible).toBeGreaterThan(0);
    expect(await tablesDue(database.db)).not.toContain('probe');
  });

  it('leaves a table below the thresholds alone', async () => {
    await database.db.execute(
      sql`create table quiet (id int primary key) with (autovacuum_enabled = false)`,
    );
    await database.db.execute(sql`insert into quiet select g from generate_series(1, 1000) g`);
    // The inserts counted first: a vacuum before they reach the counters would leave them due.
    await waitUntilDue('quiet');
    await database.db.execute(sql`vacuum (analyze) quiet`);
    // 40 changes: under 50 + 20% of 1,000 dead and 50 + 10% changed since the analyze.
    await database.db.execute(sql`delete from quiet where id <= 40`);
    await database.db.execute(sql`update probe set v = v + 1 where id <= 5000`);
    await waitUntilDue('probe');
    // Every backend of the pool has flushed its counters by now (PostgreSQL: within 1 s of idle).
    await new Promise((r) => setTimeout(r, 1200));
    expect(await tablesDue(database.db)).toContain('probe');
    expect(await tablesDue(database.db)).not.toContain('quiet');
  });

  it('runs on its timer and stops after the run in progress', async () => {
    const maintenance = startPgliteMaintenance(database.db, undefined, 50);
    for (let i = 0; i < 100 && (await tablesDue(database.db)).includes('probe'); i++)
      await new Promise((r) => setTimeout(r, 50));
    await maintenance.stop();
    expect(await tablesDue(database.db)).not.toContain('probe');
    expect((await stats('probe'))?.dead).toBe(0);
  });
});

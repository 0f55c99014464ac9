import fs from 'node:fs';
import path from 'node:path';
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

  it('0013 stores audit_log.after with lz4 where the server has it (PostgreSQL), and leaves PGlite, built without lz4, at its default', async () => {
    const rows = await queryRows<{ c: string }>(
      database.db,
      sql`select attcompression::text as c from pg_attribute
          where attrelid = 'audit_log'::regclass and attname = 'after'`,
    );
    expect(rows[0]?.c).toBe(testDbKind() === 'pglite' ? '' : 'l');
    // A large document written to the log is compressed so (rolled back: the chain is untouched).
    if (testDbKind() !== 'pglite') {
      const doc = JSON.stringify({ rows: Array.from({ length: 50000 }, (_, i) => `行${i % 97}`) });
      let method: string | undefined;
      await database.db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into audit_log (id, at, actor_name, action, entity, entity_id,
              after, prev_hash, hash)
            values ('0190f000-0000-7000-8000-0000000000aa', now(), 'test', 'create', 'probe', 'p',
              ${doc}::jsonb, 'x', 'y')`);
          const m = await queryRows<{ m: string }>(
            tx,
            sql`select pg_column_compression(after) as m from audit_log where entity = 'probe'`,
          );
          method = m[0]?.m;
          tx.rollback();
        })
        .catch(() => undefined);
      expect(method).toBe('lz4');
    }
  });

  it('0015 keeps no planner statistics of the ciphertexts and masks (never filtered on), and still those of the name', async () => {
    let stats: string[] = [];
    await database.db
      .transaction(async (tx) => {
        for (const [id, hash] of [
          ['0190f000-0000-7000-8000-0000000000c1', 'h-stat-1'],
          ['0190f000-0000-7000-8000-0000000000c2', 'h-stat-2'],
        ])
          await tx.execute(sql`insert into worker (id, name, id_number_cipher, id_number_hash,
              id_number_masked, phone_cipher, phone_hash, phone_masked, birth_date, sex,
              education_level, service_started_on, community_code, org_path, county_code)
            values (${id}, '统计测试', 'c', ${hash}, 'm', 'pc', ${`p-${hash}`}, 'pm', '1990-01-01',
              '女', '大专', '2018-05-01', '640104001001', '/640104001001/', '640104')`);
        await tx.execute(sql`analyze worker`);
        stats = (
          await queryRows<{ a: string }>(
            tx,
            sql`select attname as a from pg_stats where tablename = 'worker' order by 1`,
          )
        ).map((r) => r.a);
        tx.rollback();
      })
      .catch(() => undefined);
    expect(stats).toContain('name');
    expect(stats).toContain('id_number_hash');
    for (const c of ['id_number_cipher', 'phone_cipher', 'id_number_masked', 'phone_masked'])
      expect(stats).not.toContain(c);
  });

  it("0011 gives the records of a worker who moved county the worker's county, and leaves the others", async () => {
    const { db } = database;
    const worker = '0190f000-0000-7000-8000-000000000001';
    const stay = '0190f000-0000-7000-8000-000000000002';
    for (const [id, hash, community, county] of [
      [worker, 'h-moved', '330302001001', '330302'],
      [stay, 'h-stay', '640104001001', '640104'],
    ])
      await db.execute(sql`insert into worker (id, name, id_number_cipher, id_number_hash,
          id_number_masked, birth_date, sex, education_level, service_started_on, community_code,
          org_path, county_code)
        values (${id}, '迁移测试', 'c', ${hash}, 'm', '1990-01-01', '女', '大专', '2018-05-01',
          ${community}, ${`/${community}/`}, ${county})`);
    // Written while the worker was in 640104 (before the move); the other worker's rows are in
    // his own county already.
    for (const [id, w, county] of [
      ['0190f000-0000-7000-8000-000000000011', worker, '640104'],
      ['0190f000-0000-7000-8000-000000000012', stay, '640104'],
    ]) {
      await db.execute(sql`insert into archive_item (id, worker_id, county_code, kind, start_on, data)
        values (${id}, ${w}, ${county}, 'note', '2025-01-01', '{}'::jsonb)`);
      await db.execute(sql`insert into training_attendance (course_id, worker_id, county_code, archive_item_id)
        values (${id}, ${w}, ${county}, ${id})`);
    }
    const file = fs
      .readdirSync(path.join(import.meta.dirname, 'migrations'))
      .find((f) => f.startsWith('0011_'));
    const text = fs.readFileSync(
      path.join(import.meta.dirname, 'migrations', String(file)),
      'utf8',
    );
    for (const statement of text.split('--> statement-breakpoint'))
      await db.execute(sql.raw(statement));
    const rows = await queryRows<{ t: string; worker_id: string; county_code: string }>(
      db,
      sql`select 'archive' as t, worker_id, county_code from archive_item
          union all select 'attendance', worker_id, county_code from training_attendance
          order by 1, 2`,
    );
    expect(rows.map((r) => [r.t, r.worker_id, r.county_code])).toEqual([
      ['archive', worker, '330302'],
      ['archive', stay, '640104'],
      ['attendance', worker, '330302'],
      ['attendance', stay, '640104'],
    ]);
  });
});

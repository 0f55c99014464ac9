import { idNumberCheckChar } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { createClient, seedDemo, seedUser } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { queryRows } from '../client.ts';
import {
  applyCitusLayout,
  COORDINATOR_TABLES_WITH_COUNTY,
  DISTRIBUTED_TABLES,
  REFERENCE_TABLES,
} from './citus.ts';

// Citus is not installed here: its two functions are stood in by recorders with the same
// signatures, and the test checks what Citus would check — every primary key and unique index
// of a distributed table contains the distribution column — plus that the app still works.
describe(`Citus layout (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 30);
    for (const statement of [
      'create table citus_calls (fn text, tbl text, col text)',
      `create function create_reference_table(t regclass) returns void language sql
        as $$ insert into citus_calls values ('reference', t::text, null) $$`,
      `create function create_distributed_table(t regclass, col text, colocate_with text default 'default')
        returns void language sql as $$ insert into citus_calls values ('distributed', t::text, col) $$`,
    ])
      await services.database.db.execute(sql.raw(statement));
  });
  afterAll(() => services.database.close());

  it('refuses to run without the citus extension', async () => {
    await expect(applyCitusLayout(services.database.db)).rejects.toThrow(/Citus 扩展/);
  });

  it('puts every table with county_code in its place, keys containing the distribution column', async () => {
    const { db } = services.database;
    await applyCitusLayout(db, { requireExtension: false });
    const calls = await queryRows<{ fn: string; tbl: string; col: string | null }>(
      db,
      sql`select * from citus_calls order by fn, tbl`,
    );
    expect(calls.filter((c) => c.fn === 'distributed').map((c) => [c.tbl, c.col])).toEqual(
      [...DISTRIBUTED_TABLES].sort().map((t) => [t, 'county_code']),
    );
    expect(calls.filter((c) => c.fn === 'reference').map((c) => c.tbl)).toEqual(
      [...REFERENCE_TABLES].sort(),
    );
    const uniques = await queryRows<{ table: string; index: string; def: string }>(
      db,
      sql`select t.relname as table, i.relname as index, pg_get_indexdef(ix.indexrelid) as def
          from pg_index ix join pg_class t on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
          where ix.indisunique and t.relname = any(${sql.raw(`array['${DISTRIBUTED_TABLES.join("','")}']`)})`,
    );
    expect(uniques.length).toBeGreaterThanOrEqual(5);
    for (const u of uniques) expect(u.def, u.index).toContain('county_code');
    // A new large table with county_code must be placed deliberately.
    const withCounty = await queryRows<{ table_name: string }>(
      db,
      sql`select distinct table_name from information_schema.columns
          where table_schema = 'public' and column_name = 'county_code' order by 1`,
    );
    for (const { table_name } of withCounty) {
      const placed =
        (DISTRIBUTED_TABLES as readonly string[]).includes(table_name) ||
        table_name in COORDINATOR_TABLES_WITH_COUNTY;
      expect(placed, `${table_name} has county_code but no place in the Citus layout`).toBe(true);
    }
    await expect(applyCitusLayout(db, { requireExtension: false })).rejects.toThrow(/已应用/);
  });

  it('keeps the application working on the changed keys: register, edit and archive a worker', async () => {
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
    const client = createClient(services);
    expect((await client.login('admin')).status).toBe(200);
    const first17 = '64010419900101123';
    const created = await client.post('/api/workers', {
      name: '分片测试',
      idNumber: first17 + idNumberCheckChar(first17),
      educationLevel: '本科',
      serviceStartedOn: '2020-01-01',
      communityCode: '640104001001',
      postTitle: '网格员',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id ?? created.body.worker?.id;
    const detail = await client.get(`/api/workers/${id}`);
    expect(detail.status).toBe(200);
    const archive = await client.post(`/api/workers/${id}/archive`, {
      kind: 'training',
      startOn: '2026-05-01',
      data: { course: '社区治理', hours: 8 },
    });
    expect(archive.status, JSON.stringify(archive.body)).toBeLessThan(300);
    const again = await client.post('/api/workers', {
      name: '重复',
      idNumber: first17 + idNumberCheckChar(first17),
      educationLevel: '本科',
      serviceStartedOn: '2020-01-01',
      communityCode: '640104001001',
      postTitle: '网格员',
    });
    expect(again.status).toBe(409);
  });
});

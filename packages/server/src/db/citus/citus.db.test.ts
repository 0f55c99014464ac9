import { idNumberCheckChar } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { WORKER_RECORD_TABLES } from '../../modules/worker/worker.repo.ts';
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
    const uniques = await queryRows<{
      table: string;
      index: string;
      primary: boolean;
      columns: string[];
    }>(
      db,
      sql`select t.relname as table, i.relname as index, ix.indisprimary as primary,
                 array(select a.attname::text from unnest(ix.indkey) with ordinality k(attnum, n)
                       join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
                       order by k.n) as columns
          from pg_index ix join pg_class t on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
          where ix.indisunique and t.relname = any(${`{${DISTRIBUTED_TABLES.join(',')}}`}::text[])`,
    );
    for (const u of uniques) expect(u.columns, `${u.table}: ${u.index}`).toContain('county_code');
    // Every distributed table has a primary key (it holds county_code, checked above), and the
    // unique rules of the workflows are kept, now per county.
    for (const t of DISTRIBUTED_TABLES)
      expect(
        uniques.some((u) => u.table === t && u.primary),
        `${t} has a primary key`,
      ).toBe(true);
    const key = (index: string) => uniques.find((u) => u.index === index)?.columns;
    expect(key('assessment_score_pk')).toEqual(['cycle_id', 'worker_id', 'county_code']);
    expect(key('training_attendance_pk')).toEqual(['course_id', 'worker_id', 'county_code']);
    expect(key('recruitment_application_person_uq')).toEqual([
      'county_code',
      'campaign_id',
      'id_number_hash',
    ]);
    expect(key('workflow_proposal_dedupe_uq')).toEqual(['county_code', 'dedupe_key']);
    // The records joined with their worker on (worker_id, county_code) follow the worker's
    // county when it moves (alignRecordsToWorkerCounty): every such distributed table is listed.
    const withWorker = await queryRows<{ table_name: string }>(
      db,
      sql`select distinct table_name from information_schema.columns
          where table_schema = 'public' and column_name = 'worker_id'
            and table_name = any(${`{${DISTRIBUTED_TABLES.join(',')}}`}::text[]) order by 1`,
    );
    expect(withWorker.map((r) => r.table_name)).toEqual([...WORKER_RECORD_TABLES].sort());
    // A new large table with county_code must be placed deliberately.
    const withCounty = await queryRows<{ table_name: string }>(
      db,
      sql`select distinct table_name from information_schema.columns
          where table_schema = 'public' and column_name = 'county_code' order by 1`,
    );
    for (const { table_name } of withCounty) {
      const placed =
        (DISTRIBUTED_TABLES as readonly string[]).includes(table_name) ||
        (REFERENCE_TABLES as readonly string[]).includes(table_name) ||
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

  it('runs the workflows on the new keys: training attendance and assessment results written and read, records following a move to another county', async () => {
    const client = createClient(services);
    expect((await client.login('admin')).status).toBe(200);
    const first17 = '64010419850505123';
    const created = await client.post('/api/workers', {
      name: '分片培训',
      idNumber: first17 + idNumberCheckChar(first17),
      educationLevel: '大专',
      serviceStartedOn: '2018-05-01',
      communityCode: '640104001001',
      postTitle: '网格员',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const workerId = created.body.id as string;

    const course = await client.post('/api/training/courses', {
      title: '分片轮训',
      kind: '轮训',
      orgCode: '640104001000',
      startOn: '2025-03-01',
      endOn: '2025-03-03',
      hours: 24,
      days: 3,
    });
    expect(course.status, JSON.stringify(course.body)).toBe(201);
    const attend = () =>
      client.post(`/api/training/courses/${course.body.id}/attendance`, { workerIds: [workerId] });
    expect((await attend()).status).toBe(200);
    // The key (course, worker, county) still refuses a second row for the same worker.
    await attend();
    const rows = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from training_attendance where worker_id = ${workerId}`,
    );
    expect(rows[0]?.n).toBe(1);
    const attendees = async () =>
      (await client.get(`/api/training/courses/${course.body.id}`)).body.attendees.map(
        (a: { workerId: string }) => a.workerId,
      );
    expect(await attendees()).toEqual([workerId]);
    const listed = await client.get('/api/training/courses?org=640104001000');
    expect(listed.body.items.find((c: { id: string }) => c.id === course.body.id)?.attendees).toBe(
      1,
    );

    const cycle = await client.post('/api/assessment/cycles', {
      orgCode: '640104001000',
      year: 2025,
      weights: { 德: 20, 能: 20, 勤: 20, 绩: 30, 廉: 10 },
    });
    expect(cycle.status, JSON.stringify(cycle.body)).toBe(201);
    const record = (scores: Record<string, number>) =>
      client.request('PUT', `/api/assessment/cycles/${cycle.body.id}/results`, {
        results: [{ workerId, grade: '合格', scores }],
      });
    expect((await record({ 德: 90, 能: 80, 勤: 85, 绩: 70, 廉: 100 })).status).toBe(200);
    // Again with other scores: the upsert on the key that now holds county_code replaces them.
    const again = await record({ 德: 90, 能: 90, 勤: 90, 绩: 90, 廉: 90 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const view = (await client.get(`/api/assessment/cycles/${cycle.body.id}`)).body;
    expect(view.workers.find((w: { workerId: string }) => w.workerId === workerId)).toMatchObject({
      grade: '合格',
      total: 9000,
    });

    // The worker moves to a community of another county: the records take the new county, and
    // the course still lists the worker (joined on worker_id and county_code).
    const moved = await client.patch(`/api/workers/${workerId}`, {
      version: 1,
      communityCode: '330302001001',
      effectiveOn: '2026-01-01',
      reason: '跨县调动',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const counties = await queryRows<{ t: string; county_code: string }>(
      services.database.db,
      sql`select 'attendance' as t, county_code from training_attendance where worker_id = ${workerId}
          union all select 'score', county_code from assessment_score where worker_id = ${workerId}
          union all select 'archive', county_code from archive_item where worker_id = ${workerId}`,
    );
    expect(counties.length).toBeGreaterThanOrEqual(4);
    for (const c of counties) expect(c.county_code, c.t).toBe('330302');
    expect(await attendees()).toEqual([workerId]);
  });
});

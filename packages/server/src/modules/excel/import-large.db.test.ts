import { PassThrough } from 'node:stream';
import { idNumberCheckChar, ROLE_PERMISSIONS } from '@shegong/shared';
import { and, eq, like, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_DOCUMENT, verifyAuditChain } from '../../audit/audit.ts';
import { systemActor, type TCtx, type TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { archiveItem, auditLog, org, worker } from '../../db/schema/index.ts';
import { seedDemo } from '../../testing/test-app.ts';
import { createTestServices, ctxFor, testDbKind } from '../../testing/test-db.ts';
import { findImportCreations } from '../audit/audit.repo.ts';
import { rebuildStatRollup } from '../stats/stat-maintenance.ts';
import { createImportBatch, runImport } from './run-import.ts';

// The medium tier's large import: a generated roster of 100,000 workers through the whole
// pipeline (streaming read, checks, encryption, COPY, audit chain, statistics) in one commit,
// then the same file again. About 30 s on PostgreSQL and 75 s on PGlite (in memory, the same
// thread as the test) on the shared 2-core machine; at load average 10–20 from other jobs PGlite
// took 250 s, hence the generous timeouts (speed is measured by bench/import, not here).
const ROWS = 100_000;
const CITY = '640100';

type TRow = { name: string; id: string; phone: string; community: string; start: string };

/** Distinct valid 身份证号: 1,000 sequence numbers per birth date (1960-01-15 onwards). */
const rowOf = (i: number, communities: string[]): TRow => {
  const day = Math.floor(i / 1000);
  const birth = new Date(Date.UTC(1960, 0, 15 + day))
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '');
  const id17 = `640104${birth}${String(i % 1000).padStart(3, '0')}`;
  return {
    name: `导入${i}`,
    id: id17 + idNumberCheckChar(id17),
    phone: `137${String(i).padStart(8, '0')}`,
    community: communities[i % communities.length]!,
    start: `20${10 + (i % 14)}-0${1 + (i % 9)}-01`,
  };
};

const buildRoster = async (communities: string[]) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const ws = wb.addWorksheet('花名册');
  ws.columns = ['姓名', '身份证号', '手机号', '学历', '社区代码', '职务', '参加社区工作时间'].map(
    (header) => ({ header, style: { numFmt: '@' } }),
  );
  for (let i = 0; i < ROWS; i++) {
    const r = rowOf(i, communities);
    ws.addRow([
      r.name,
      r.id,
      r.phone,
      i % 3 ? '本科' : '大专',
      r.community,
      '网格员',
      r.start,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
};

describe(`a ${ROWS.toLocaleString('en')}-row roster import (${testDbKind()})`, () => {
  let services: TServices;
  let ctx: TCtx;
  let communities: string[];
  let file: Buffer;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 40);
    await rebuildStatRollup(services.database.db);
    ctx = ctxFor(services, {
      ...systemActor(CITY),
      role: 'civil-affairs-admin',
      permissions: ROLE_PERMISSIONS['civil-affairs-admin'],
      scope: { kind: 'org', path: '/000000/640000/640100/', orgCode: CITY },
    });
    communities = (
      await services.database.db
        .select({ code: org.code })
        .from(org)
        .where(and(eq(org.level, 'community'), like(org.path, '/000000/640000/640100/%')))
        .orderBy(org.code)
    ).map((c) => c.code);
    file = await buildRoster(communities);
  }, 120_000);
  afterAll(() => services.database.close());

  it('writes every row once, encrypted, with its post item, audit row and statistics', async () => {
    const { db } = services.database;
    const [workersBefore, headcountBefore] = await Promise.all([
      db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(worker),
      queryRows<{ n: number }>(
        db,
        sql`select n::int as n from stat_rollup where org_code = ${CITY} and dim = 'headcount'`,
      ),
    ]);
    const batch = await createImportBatch(ctx, {
      kind: 'workers',
      orgCode: CITY,
      fileName: '花名册-大.xlsx',
      file,
    });
    const outcome = await runImport(ctx, batch.id, { onError: 'stop' });
    expect(outcome).toMatchObject({
      status: 'committed',
      errorCount: 0,
      counts: { rows: ROWS, valid: ROWS, created: ROWS, updated: 0, unchanged: 0 },
    });
    const count = async (where: ReturnType<typeof sql>, table: typeof worker | typeof auditLog) =>
      (
        await db
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(table)
          .where(where)
      )[0]!.n;
    expect(await count(sql`true`, worker)).toBe(workersBefore[0]!.n + ROWS);
    // Every new worker in the snapshot document of its chunk (5,000 a document), each once.
    const documented = await queryRows<{ docs: number; ids: number; distinct: number }>(
      db,
      sql`select count(distinct d.seq)::int as docs, count(*)::int as ids,
                 count(distinct i.id)::int as distinct
            from audit_log d, jsonb_array_elements_text(d.after->'ids') as i(id)
           where d.entity = ${SNAPSHOT_DOCUMENT} and d.after->>'batchId' = ${batch.id}`,
    );
    expect(documented[0]).toEqual({ docs: Math.ceil(ROWS / 5000), ids: ROWS, distinct: ROWS });
    expect(await count(sql`entity = 'worker' and action = 'create'`, auditLog)).toBe(0);
    const posts = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from archive_item a join worker w on w.id = a.worker_id
          where w.name like '导入%' and a.kind = 'post' and a.end_on is null`,
    );
    expect(posts[0]!.n).toBe(ROWS);
    // Sampled rows, found by the blind index of the number in the file.
    for (const i of [0, 1, 999, 1000, Math.floor(ROWS / 2), ROWS - 1]) {
      const r = rowOf(i, communities);
      const w = (
        await db
          .select()
          .from(worker)
          .where(eq(worker.idNumberHash, services.crypto.blindIndex(r.id)))
      )[0]!;
      expect(w, `row ${i}`).toMatchObject({
        name: r.name,
        communityCode: r.community,
        educationLevel: i % 3 ? '本科' : '大专',
        postTitle: '网格员',
        serviceStartedOn: r.start,
        hiredOn: r.start,
        birthDate: `${r.id.slice(6, 10)}-${r.id.slice(10, 12)}-${r.id.slice(12, 14)}`,
        sex: Number(r.id[16]) % 2 ? '男' : '女',
        version: 1,
      });
      expect(services.crypto.decrypt(w.idNumberCipher)).toBe(r.id);
      expect(services.crypto.decrypt(w.phoneCipher!)).toBe(r.phone);
      const item = await db
        .select({ data: archiveItem.data, startOn: archiveItem.startOn })
        .from(archiveItem)
        .where(eq(archiveItem.workerId, w.id));
      expect(item).toEqual([
        {
          startOn: r.start,
          data: { title: '网格员', communityCode: r.community, oneShoulder: false },
        },
      ]);
      // Its history: what the import set, from the snapshot document.
      const created = await findImportCreations(db, ctx.actor.scope, 'worker', w.id);
      expect(created, `row ${i}`).toHaveLength(1);
      expect(created[0]!.after).toMatchObject({
        id: w.id,
        name: r.name,
        communityCode: r.community,
        serviceStartedOn: r.start,
        idNumberMasked: w.idNumberMasked,
      });
      expect(created[0]!.importRef).toMatchObject({ batchId: batch.id });
    }
    const headcount = await queryRows<{ n: number }>(
      db,
      sql`select n::int as n from stat_rollup where org_code = ${CITY} and dim = 'headcount'`,
    );
    expect(headcount[0]!.n).toBe(headcountBefore[0]!.n + ROWS);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    // After the answer, the table's maintenance: statistics of the new rows, and their pages
    // all-visible (the name-prefix count reads the index alone; without the vacuum, 9 pages
    // in 10 — the new rows' — are not). A page a concurrent pin makes VACUUM skip stays as it was.
    await services.database.settled();
    const [table] = await queryRows<{ tuples: number; pages: number; visible: number }>(
      db,
      sql`select reltuples::int as tuples, relpages as pages, relallvisible as visible
            from pg_class where relname = 'worker'`,
    );
    const workers = await count(sql`true`, worker);
    expect(Math.abs(table!.tuples - workers)).toBeLessThan(workers / 100);
    expect(table!.visible).toBeGreaterThan(table!.pages * 0.99);
  }, 480_000);

  it('the same file again changes nothing', async () => {
    const batch = await createImportBatch(ctx, {
      kind: 'workers',
      orgCode: CITY,
      fileName: '花名册-大.xlsx',
      file,
    });
    const audits = await services.database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(auditLog);
    const outcome = await runImport(ctx, batch.id, { onError: 'stop' });
    expect(outcome.counts).toMatchObject({ created: 0, updated: 0, unchanged: ROWS });
    const after = await services.database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(auditLog);
    expect(after[0]!.n).toBe(audits[0]!.n);
  }, 480_000);
});

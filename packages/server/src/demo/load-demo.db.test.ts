import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_DOCUMENT, verifyAuditChain } from '../audit/audit.ts';
import type { TServices } from '../context.ts';
import { queryRows } from '../db/client.ts';
import { auditLog, worker } from '../db/schema/index.ts';
import { registerWorker } from '../modules/todo/workflow-fixtures.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';

describe(`demo load (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
    admin = createClient(services);
    await admin.login('admin');
  });
  afterAll(() => services.database.close());

  it('records each demo worker’s creation in the audit chain, so its 修改记录 starts with it', async () => {
    const { db } = services.database;
    const rows = await db.select().from(worker).orderBy(worker.id);
    expect(rows.length).toBeGreaterThanOrEqual(60);
    for (const w of [rows[0]!, rows.at(-1)!, rows.find((r) => r.status === '已退出') ?? rows[1]!]) {
      const history = await admin.get(`/api/workers/${w.id}/history`);
      expect(history.status).toBe(200);
      const [first] = history.body.items;
      expect(first).toMatchObject({
        action: 'create',
        actorName: 'system',
        reason: '载入演示数据',
        before: null,
      });
      // The snapshot is the record as loaded (masked, never the ID number or phone in clear).
      expect(first.after).toMatchObject({
        id: w.id,
        name: w.name,
        idNumberMasked: w.idNumberMasked,
        phoneMasked: w.phoneMasked,
        serviceStartedOn: w.serviceStartedOn,
        hiredOn: w.hiredOn,
        exitedOn: w.exitedOn,
        status: w.status,
        communityCode: w.communityCode,
        orgPath: w.orgPath,
      });
    }
    // Compact: a document per county's load, not a row per worker; the chain verifies.
    const documents = await db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(auditLog)
      .where(eq(auditLog.entity, SNAPSHOT_DOCUMENT));
    expect(documents[0]!.n).toBeGreaterThan(0);
    expect(documents[0]!.n).toBeLessThan(rows.length / 4);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('builds the statistics of the loaded workers: a worker added first does not hide them', async () => {
    // Before, the rollup was built at the first dashboard only when it looked unbuilt; a worker
    // registered before any dashboard made it look built with that one worker (e2e STATS: 银川市
    // showed 2 workers and no 职数配备率 after the PAY flows had registered two).
    await registerWorker(admin, {
      name: '先登记者',
      communityCode: '640104001001',
      serviceStartedOn: '2020-01-01',
    });
    const raw = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from worker w
          where w.org_path like '/000000/640000/640100/%' and w.status <> '已退出'`,
    );
    const stats = (await admin.get('/api/stats/640100')).body;
    expect(stats.headcount).toBe(raw[0]!.n);
    expect(stats.headcount).toBeGreaterThan(1);
    expect(stats.quota).toMatchObject({ basis: { sources: ['004 职业化 (三)'] } });
  });
});

import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import type { TServices } from '../context.ts';
import { archiveItem, auditLog, job, worker } from '../db/schema/index.ts';
import { createClient, seedDemo, seedUser } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { RequestQueue } from './request-queue.ts';

// Admission control on the real app and database: what a refused or abandoned request leaves
// behind (nothing), and that background jobs run on whatever the queue holds.
describe(`admission control of API requests (${testDbKind()})`, () => {
  let services: TServices;
  let headers: Record<string, string>;
  let workerId: string;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 20);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    const client = createClient(services);
    const login = await client.login('street');
    headers = {
      cookie: client.cookie,
      'x-csrf-token': login.body.csrfToken,
      'content-type': 'application/json',
    };
    const rows = await services.database.db
      .select({ id: worker.id })
      .from(worker)
      .where(sql`${worker.orgPath} like '%/640104001000/%'`)
      .limit(1);
    workerId = rows[0]!.id;
  });
  afterAll(() => services.database.close());

  const note = (text: string, signal?: AbortSignal) =>
    new Request(`http://x/api/workers/${workerId}/archive`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'note', startOn: '2026-11-01', data: { text } }),
      signal,
    });
  const notesWith = async (text: string) =>
    (
      await services.database.db
        .select({ id: archiveItem.id })
        .from(archiveItem)
        .where(and(eq(archiveItem.workerId, workerId), sql`${archiveItem.data}->>'text' = ${text}`))
    ).length;
  const auditRows = async () =>
    (
      await services.database.db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(eq(auditLog.entityId, workerId))
    ).length;

  it('writes nothing for a refused request nor for a waiting one whose client went away', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 1 });
    const app = buildApp(services, { requestQueue: queue });
    const auditBefore = await auditRows();
    // The only slot is held: the next request waits, the one after is refused.
    const hold = (await queue.acquire())!;
    const abort = new AbortController();
    const waiting = app.request(note('走访-离开', abort.signal));
    await new Promise((r) => setTimeout(r, 20));
    expect(queue.waiting).toBe(1);
    const refused = await app.request(note('走访-拒绝'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).error.message).toContain('本次请求未执行');
    abort.abort();
    expect((await waiting).status).toBe(499);
    hold();
    // A request admitted afterwards writes its item and audit row: the checks below can see one.
    const admitted = await app.request(note('走访-执行'));
    expect(admitted.status).toBe(201);
    expect(await notesWith('走访-执行')).toBe(1);
    expect(await notesWith('走访-离开')).toBe(0);
    expect(await notesWith('走访-拒绝')).toBe(0);
    expect(await auditRows()).toBe(auditBefore + 1);
    expect(queue.inflight).toBe(0);
  });

  it('lets a job started by a request finish while every slot is held and the queue is full', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 0 });
    const app = buildApp(services, { requestQueue: queue });
    const started = await app.request(
      new Request('http://x/api/exports/roster', {
        method: 'POST',
        headers,
        body: JSON.stringify({ org: '640104001000', columns: ['name'] }),
      }),
    );
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const hold = (await queue.acquire())!;
    try {
      expect((await app.request(new Request('http://x/api/jobs', { headers }))).status).toBe(503);
      let status = 'running';
      for (let i = 0; i < 200 && status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const rows = await services.database.db
          .select({ status: job.status })
          .from(job)
          .where(eq(job.id, jobId));
        status = rows[0]!.status;
      }
      expect(status).toBe('succeeded');
    } finally {
      hold();
    }
  });
});

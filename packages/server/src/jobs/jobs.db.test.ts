import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { AppError } from '@shegong/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, type TServices } from '../context.ts';
import { job } from '../db/schema/index.ts';
import { createClient, seedDemo, seedUser } from '../testing/test-app.ts';
import { createTestServices, ctxFor, testDbKind } from '../testing/test-db.ts';
import { markInterruptedJobs, STALE_JOB_MS, startJob } from './jobs.ts';

describe(`background jobs (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 40);
    await seedUser(services, {
      username: 'county',
      role: 'civil-affairs-admin',
      orgCode: '640104',
    });
    await seedUser(services, { username: 'other', role: 'civil-affairs-admin', orgCode: '330302' });
  });
  afterAll(() => services.database.close());

  const countyActor = async () => {
    const client = createClient(services);
    const me = await client.login('county');
    return {
      client,
      actor: {
        ...systemActor('640104'),
        id: me.body.id,
        scope: { kind: 'org' as const, path: '/000000/640000/640100/640104/', orgCode: '640104' },
      },
    };
  };

  it('reports progress and the result through the API, to the caller’s scope only', async () => {
    const { client, actor } = await countyActor();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const handle = await startJob(
      ctxFor(services, actor),
      { kind: 'test', title: '测试任务' },
      async (report) => {
        await report(5, 10, '处理中');
        await gate;
        // Reported right after the last write: the throttle skips it, the end writes it.
        await report(10, 10, '已完成');
        return { rows: 10 };
      },
    );
    const running = await client.get(`/api/jobs/${handle.id}`);
    expect(running.body).toMatchObject({
      status: 'running',
      done: 5,
      total: 10,
      message: '处理中',
    });
    release();
    await handle.finished;
    const done = await client.get(`/api/jobs/${handle.id}`);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      done: 10,
      total: 10,
      message: '已完成',
      result: { rows: 10 },
    });
    const other = createClient(services);
    await other.login('other');
    expect((await other.get(`/api/jobs/${handle.id}`)).status).toBe(404);
  });

  it('ends as failed with the Chinese message of the error', async () => {
    const { client, actor } = await countyActor();
    const handle = await startJob(
      ctxFor(services, actor),
      { kind: 'test', title: '失败任务' },
      async () => {
        throw new AppError('IMPORT_ROW_INVALID', '第3行身份证号校验位错误', { where: { row: 3 } });
      },
    );
    await handle.finished;
    const res = await client.get(`/api/jobs/${handle.id}`);
    expect(res.body).toMatchObject({
      status: 'failed',
      error: { code: 'IMPORT_ROW_INVALID', message: '第3行身份证号校验位错误', where: { row: 3 } },
    });
  });

  it('marks a job without heartbeat as interrupted at start-up, and leaves a live one', async () => {
    const { actor } = await countyActor();
    const { db } = services.database;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const live = await startJob(
      ctxFor(services, actor),
      { kind: 'test', title: '进行中' },
      () => gate,
    );
    const dead = await startJob(
      ctxFor(services, actor),
      { kind: 'test', title: '已中断' },
      () => gate,
    );
    await db
      .update(job)
      .set({ updatedAt: new Date(Date.now() - STALE_JOB_MS - 1000).toISOString() })
      .where(eq(job.id, dead.id));
    // A job of a process of this host that has exited is interrupted at once, heartbeat or not.
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const orphan = await startJob(
      ctxFor(services, actor),
      { kind: 'test', title: '进程已退出' },
      () => gate,
    );
    await db
      .update(job)
      .set({ owner: `${os.hostname()}:${exited.stdout.toString()}` })
      .where(eq(job.id, orphan.id));
    await markInterruptedJobs(db);
    const status = async (id: string) =>
      (await db.select({ s: job.status }).from(job).where(eq(job.id, id)))[0]!.s;
    expect(await status(dead.id)).toBe('interrupted');
    expect(await status(orphan.id)).toBe('interrupted');
    expect(await status(live.id)).toBe('running');
    release();
    await Promise.all([live.finished, dead.finished, orphan.finished]);
  });
});

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { systemActor, type TServices } from '@shegong/server';
import { job, org, payRun } from '@shegong/server/db/schema/index.ts';
import { seedDemo } from '@shegong/server/testing/test-app.ts';
import { createTestServices, ctxFor, testDbKind } from '@shegong/server/testing/test-db.ts';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAsJob } from './recompute.ts';

const COUNTY = '640104';
const MONTH = '2026-07';

describe(`shegong recompute as a job (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 120);
  });
  afterAll(() => services.database.close());

  const jobRow = async (id: string) =>
    (await services.database.db.select().from(job).where(eq(job.id, id)))[0]!;
  const silent = () => undefined;

  it('records a pay-compute job owned by this process while it runs, succeeded with the result after', async () => {
    const { db } = services.database;
    const county = (await db.select().from(org).where(eq(org.code, COUNTY)))[0]!;
    let seen: (typeof job.$inferSelect)[] = [];
    const { id, result } = await recomputeAsJob(
      ctxFor(services, systemActor()),
      COUNTY,
      MONTH,
      async () => {
        if (seen.length === 0)
          seen = await db
            .select()
            .from(job)
            .where(and(eq(job.kind, 'pay-compute'), eq(job.status, 'running')));
      },
      silent,
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, owner: `${os.hostname()}:${process.pid}` });
    // Visible to whoever's scope covers the county, not only to the root.
    expect(seen[0]!.orgPath).toBe(county.path);
    const sheets = await db
      .select()
      .from(payRun)
      .where(and(eq(payRun.month, MONTH), like(payRun.orgPath, `${county.path}%`)));
    expect(sheets.length).toBeGreaterThan(0);
    expect(result.computed).toBe(sheets.length);
    const row = await jobRow(id);
    expect(row.status).toBe('succeeded');
    expect(row.result).toMatchObject({ computed: sheets.length, workers: result.workers });
  });

  it('marks the job of a killed earlier run interrupted and names it', async () => {
    const { db } = services.database;
    // What a SIGKILLed `shegong recompute` leaves: its job running, owned by a process now gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const { id: killed } = await recomputeAsJob(
      ctxFor(services, systemActor()),
      COUNTY,
      MONTH,
      async () => undefined,
      silent,
    );
    await db
      .update(job)
      .set({ status: 'running', finishedAt: null, owner: `${os.hostname()}:${gone.stdout}` })
      .where(eq(job.id, killed));
    const warnings: string[] = [];
    const { id } = await recomputeAsJob(
      ctxFor(services, systemActor()),
      COUNTY,
      MONTH,
      async () => undefined,
      (line) => warnings.push(line),
    );
    expect((await jobRow(killed)).status).toBe('interrupted');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('中断');
    expect(warnings[0]).toContain(killed);
    expect((await jobRow(id)).status).toBe('succeeded');
  });

  it('records a failed computation with its Chinese message and passes the error on', async () => {
    const { db } = services.database;
    const grid = (await db.select().from(org).where(eq(org.level, 'grid')).limit(1))[0]!;
    const before = await db.select({ id: job.id }).from(job);
    await expect(
      recomputeAsJob(
        ctxFor(services, systemActor()),
        grid.code,
        MONTH,
        async () => undefined,
        silent,
      ),
    ).rejects.toThrow('工资按街道计算');
    const added = (await db.select().from(job)).filter((j) => !before.some((b) => b.id === j.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      kind: 'pay-compute',
      status: 'failed',
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('工资按街道计算') },
    });
  });
});

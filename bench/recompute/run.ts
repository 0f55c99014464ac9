// A full month of pay for a million workers on PostgreSQL, end to end, against the raw SQL time
// to read and write the same rows in the same run.
//
//   node --import tsx bench/recompute/run.ts [--source shegong_1m] [--db shegong_recompute]
//     [--month 2026-07] [--keep]
//
// End to end is the real job (`computePayRuns` on the root, as `shegong recompute` and the 薪酬
// page run it): per group of streets, one transaction that reads the workers in post with their
// community's star rating, assessments and one-off rewards, evaluates them with the pack's batch
// kernel (pro-rated and failing rows through the trace evaluator), COPYs the pay lines and
// updates each street's sheet with an audit row. The baseline, in the same run on the same data:
// the same worker rows read by one `COPY (SELECT …) TO STDOUT`, and the same pay lines written
// by one `COPY … TO STDOUT` piped into `COPY … FROM STDIN` of a table like pay_line (same keys).
//
// The database is a copy (CREATE DATABASE … TEMPLATE) of a loaded one — by default shegong_1m,
// 1,000,000 demo workers loaded by `shegong demo --workers 1000000` — migrated to the current
// schema; the synthetic provinces, which the demo leaves under the national pack (no pay rules),
// are put under yinchuan-2018 so that every worker there gets a 四岗十八级 figure. The copy is
// dropped at the end unless --keep.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadPolicyRegistry } from '@shegong/policy';
import { ROLE_PERMISSIONS } from '@shegong/shared';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig } from '../../packages/server/src/config.ts';
import { systemActor, type TCtx } from '../../packages/server/src/context.ts';
import { openDatabase, runMigrations } from '../../packages/server/src/db/client.ts';
import { createLogger } from '../../packages/server/src/logger.ts';
import { computePayRuns } from '../../packages/server/src/modules/pay/compute-pay-runs.ts';
import { createFieldCrypto } from '../../packages/server/src/security/field-crypto.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] as string) : fallback;
};
const source = flag('--source', 'shegong_1m');
const dbName = flag('--db', 'shegong_recompute');
const month = flag('--month', '2026-07');
const keep = args.includes('--keep');
const pgBase = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const url = `${pgBase}/${dbName}`;
const monthStart = `${month}-01`;
const monthEnd = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0))
  .toISOString()
  .slice(0, 10);

const log = (message: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

// Peak memory of this process, sampled every 100 ms.
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 100);
const resetPeaks = () => {
  const m = process.memoryUsage();
  peakRss = m.rss;
  peakHeap = m.heapUsed;
};
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: `${pgBase}/postgres` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};

/** COPY (query) TO STDOUT, counting rows and bytes, keeping nothing. */
const copyOut = async (client: pg.PoolClient, query: string) => {
  let bytes = 0;
  let rows = 0;
  await pipeline(
    client.query(copyTo(`COPY (${query}) TO STDOUT`)),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) rows++;
        done();
      },
    }),
  );
  return { rows, bytes };
};

// The worker read of the pay computation (pay.repo.ts: workerColumnsBetween, inPostDuring),
// written out with literal dates for COPY.
const WORKER_READ = `select w.id, w.name, w.post_title, w.service_started_on::text,
    w.prior_service, w.education_level, w.education_recognised, w.certificate_level,
    w.certificate_date::text, w.birth_date::text, w.hired_on::text, w.probation_until::text,
    w.exited_on::text, w.status, w.lives_in_community, w.community_code, w.org_path, w.county_code,
    (select f.star_rating from org_fact f where f.org_code = w.community_code
       and f.effective_from <= '${monthStart}' order by f.effective_from desc limit 1) as stars,
    (select jsonb_object_agg(a.data->>'year', a.data->>'grade') from archive_item a
       where a.worker_id = w.id and a.kind = 'assessment') as assessments,
    (select coalesce(sum((a.data->>'amountFen')::bigint), 0)::text from archive_item a
       where a.worker_id = w.id and a.kind = 'reward' and a.start_on >= '${monthStart}'
         and a.start_on <= '${monthEnd}' and a.data ? 'amountFen') as one_off,
    (select a.data->>'title' from archive_item a where a.worker_id = w.id and a.kind = 'post'
       and a.start_on <= '${monthStart}' order by a.start_on desc limit 1) as post_at_start,
    (select jsonb_agg(jsonb_build_object('on', a.start_on::text, 'title', a.data->>'title')
       order by a.start_on) from archive_item a where a.worker_id = w.id and a.kind = 'post'
       and a.start_on > '${monthStart}' and a.start_on <= '${monthEnd}') as post_changes,
    (select jsonb_agg(jsonb_build_array(a.kind, a.start_on::text, a.data) order by a.start_on)
       from archive_item a where a.worker_id = w.id and a.kind in ('education', 'certificate')
       and a.start_on > '${monthStart}') as record_later
  from worker w
  where coalesce(w.hired_on, w.service_started_on) <= '${monthEnd}'
    and (w.exited_on is null or w.exited_on >= '${monthStart}')
    and not (w.status = '已退出' and w.exited_on is null)
  order by w.org_path, w.id`;

const main = async () => {
  log(`copying ${source} into ${dbName}`);
  await admin(async (c) => {
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.query(`create database ${dbName} template ${source}`);
  });
  const database = await openDatabase({ kind: 'postgres', url, max: 4 });
  const pool = database.pool as pg.Pool;
  try {
    await runMigrations(database);
    const provinces = await pool.query(
      `update org set pack_id = 'yinchuan-2018' where level = 'province' and pack_id is null
         and code not in ('640000', '330000')`,
    );
    await pool.query('analyze');
    const inPost = (
      await pool.query<{ n: number }>(
        `select count(*)::int as n from worker w
         where coalesce(w.hired_on, w.service_started_on) <= '${monthEnd}'
           and (w.exited_on is null or w.exited_on >= '${monthStart}')
           and not (w.status = '已退出' and w.exited_on is null)`,
      )
    ).rows[0]!.n;
    log(
      `${inPost.toLocaleString('en')} workers in post in ${month}; ${provinces.rowCount} provinces put under yinchuan-2018`,
    );

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-recompute-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
    });
    const services = {
      config,
      database,
      log: createLogger('silent'),
      crypto: createFieldCrypto(crypto.randomBytes(32)),
      policies: await loadPolicyRegistry(path.resolve(import.meta.dirname, '../../policies')),
    };
    const ctx: TCtx = {
      db: database.db,
      actor: { ...systemActor(), permissions: ROLE_PERMISSIONS['system-admin'] },
      services,
      log: services.log,
    };

    // ---- end to end: the real job ----------------------------------------------------------
    global.gc?.();
    resetPeaks();
    let lastLog = 0;
    const t0 = performance.now();
    const result = await computePayRuns(ctx, '000000', month, async (done, total) => {
      if (done - lastLog >= 100_000 || done === total) {
        lastLog = done;
        log(`  ${done.toLocaleString('en')} / ${total?.toLocaleString('en')} workers`);
      }
    });
    const e2eMs = performance.now() - t0;
    const e2ePeak = { rss: peakRss, heap: peakHeap };
    const check = (
      await pool.query<{ lines: number; open: number; fen: string }>(
        `select count(*)::int as lines, count(*) filter (where status = 'open')::int as open,
           coalesce(sum(payable_fen), 0)::text as fen from pay_line where month = '${month}'`,
      )
    ).rows[0]!;
    log(
      `end to end: ${seconds(e2eMs)} s — ${result.computed} street sheets, ${check.lines.toLocaleString('en')} lines (${check.open.toLocaleString('en')} 未核定), ${(Number(check.fen) / 100).toLocaleString('en')} 元; peak RSS ${mb(e2ePeak.rss)}, heap ${mb(e2ePeak.heap)}`,
    );

    // ---- baseline: raw SQL reading and writing the same rows ----------------------------------
    await pool.query('create table pay_line_copy (like pay_line including all)');
    const client = await pool.connect();
    try {
      const r0 = performance.now();
      const read = await copyOut(client, WORKER_READ);
      const readMs = performance.now() - r0;
      const reader = await pool.connect();
      const w0 = performance.now();
      try {
        await pipeline(
          reader.query(copyTo(`COPY (select * from pay_line where month = '${month}') TO STDOUT`)),
          client.query(copyFrom('COPY pay_line_copy FROM STDIN')),
        );
      } finally {
        reader.release();
      }
      const writeMs = performance.now() - w0;
      const copied = (
        await client.query<{ n: number }>('select count(*)::int as n from pay_line_copy')
      ).rows[0]!.n;
      const rawMs = readMs + writeMs;
      log(
        `raw SQL: read ${read.rows.toLocaleString('en')} worker rows (${mb(read.bytes)}) in ${seconds(readMs)} s; read + wrote ${copied.toLocaleString('en')} pay lines in ${seconds(writeMs)} s; total ${seconds(rawMs)} s`,
      );
      process.stdout.write(
        `\n| workers in post | end to end | raw read + write | ratio | peak RSS | peak heap |\n|---|---|---|---|---|---|\n| ${inPost.toLocaleString('en')} | ${seconds(e2eMs)} s (${Math.round((e2eMs * 1000) / inPost)} µs/worker) | ${seconds(readMs)} + ${seconds(writeMs)} = ${seconds(rawMs)} s | ${(e2eMs / rawMs).toFixed(2)}× | ${mb(e2ePeak.rss)} | ${mb(e2ePeak.heap)} |\n\n`,
      );
    } finally {
      client.release();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  } finally {
    await database.close();
    if (!keep) {
      await admin((c) => c.query(`drop database if exists ${dbName} with (force)`));
      log(`dropped ${dbName}`);
    }
    clearInterval(sampler);
  }
};

await main();

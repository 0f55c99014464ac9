// Crash safety: start the real server, start a commit of a large worker import, kill the server
// with SIGKILL at a random moment, restart it on the same data, and check that nothing is
// half-applied: the database opens, the worker count is the count before or before + N (never in
// between), the import batch says what happened, and the audit chain verifies. 20 trials by
// default, on PGlite and on PostgreSQL.
//
//   node --import tsx bench/crash/run.ts [--pglite] [--pg] [--trials 20] [--rows 100000]
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { idNumberCheckChar } from '@shegong/shared';
import ExcelJS from 'exceljs';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const trials = Number(flag('--trials', '20'));
const rows = Number(flag('--rows', '100000'));
const kinds = (['pglite', 'pg'] as const).filter(
  (k) => args.includes(`--${k}`) || !args.some((a) => a === '--pglite' || a === '--pg'),
);
const pgBase = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

type TServer = { child: ChildProcess; url: string };

const start = async (kind: 'pglite' | 'pg', dataDir: string, port: number): Promise<TServer> => {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO_WORKERS: '500',
    LOG_LEVEL: 'warn',
    DATABASE_URL: kind === 'pg' ? `${pgBase}/shegong_crash` : '',
  };
  const url = `http://127.0.0.1:${port}`;
  if (
    await fetch(`${url}/api/health`).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`端口 ${port} 已被另一个服务占用：请先停止它`);
  }
  const child = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/bin/shegong.mjs'), 'start'],
    {
      env,
      stdio: ['ignore', process.env.CRASH_VERBOSE ? 'inherit' : 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  for (let i = 0; i < 2400; i++) {
    if (child.exitCode !== null)
      throw new Error(`服务未能启动（退出码 ${child.exitCode}）：${stderr.slice(-500)}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { child, url };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('服务启动超时（20分钟）');
};

const kill = async (server: TServer, signal: NodeJS.Signals) => {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill(signal);
  await exited;
};

type TSession = { url: string; headers: Record<string, string> };

const login = async (url: string, dataDir: string): Promise<TSession> => {
  const text = fs.readFileSync(path.join(dataDir, 'initial-admin.txt'), 'utf8');
  const password = text.match(/^password=(.+)$/m)![1]!;
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!res.ok) throw new Error(`登录失败：${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return {
    url,
    headers: {
      cookie: res.headers.get('set-cookie')!.split(';')[0]!,
      'x-csrf-token': body.csrfToken,
    },
  };
};

const call = async (
  s: TSession,
  method: string,
  p: string,
  body?: BodyInit,
  type = 'application/json',
) => {
  const res = await fetch(`${s.url}${p}`, {
    method,
    headers: { ...s.headers, ...(body ? { 'content-type': type } : {}) },
    body,
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${p}: ${JSON.stringify(json)}`);
  return json;
};

const waitJob = async (s: TSession, id: string) => {
  for (;;) {
    const job = await call(s, 'GET', `/api/jobs/${id}`);
    if (job.status !== 'running' && job.status !== 'queued') return job;
    await new Promise((r) => setTimeout(r, 300));
  }
};

const counts = async (s: TSession) => {
  const rootOrg = await call(s, 'GET', '/api/orgs/000000');
  const verify = await call(s, 'GET', '/api/audit/verify');
  return {
    workers: rootOrg.counts.workers as number,
    audit: verify as { ok: boolean; count: number; message?: string },
  };
};

/** A roster of `n` new workers with distinct valid ID numbers, in the given communities. */
const roster = async (trial: number, n: number, communities: string[]) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out });
  const ws = wb.addWorksheet('花名册');
  ws.addRow(['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间']).commit();
  for (let i = 0; i < n; i++) {
    // Region 110101–110109 by trial, birth date and sequence from i: unique across trials.
    const region = `1101${String(10 + trial).padStart(2, '0')}`;
    const day = Math.floor(i / 1000);
    const birth = `${1965 + (day % 35)}${String(1 + (Math.floor(day / 35) % 12)).padStart(2, '0')}${String(1 + (Math.floor(day / 420) % 28)).padStart(2, '0')}`;
    const id17 = `${region}${birth}${String(i % 1000).padStart(3, '0')}`;
    ws.addRow([
      `试${trial}-${i}`,
      id17 + idNumberCheckChar(id17),
      '本科',
      communities[i % communities.length]!,
      '网格员',
      '2020-01-01',
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
};

const run = async (kind: 'pglite' | 'pg') => {
  const dataDir = path.join(root, `.tmp/crash-${kind}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'pg') {
    const admin = new pg.Client({ connectionString: `${pgBase}/postgres` });
    await admin.connect();
    await admin.query('drop database if exists shegong_crash with (force)');
    await admin.query('create database shegong_crash');
    await admin.end();
  }
  const port = kind === 'pg' ? 3422 : 3421;
  let server = await start(kind, dataDir, port);
  let s = await login(server.url, dataDir);
  const county = (await call(s, 'GET', '/api/orgs/640104001000/children')).items as Array<{
    code: string;
  }>;
  const communities = county.map((c) => c.code);
  // Calibrate: one import without a kill gives the commit duration.
  const results: string[] = [];
  let commitMs = 0;
  let failures = 0;
  for (let trial = 0; trial <= trials; trial++) {
    const file = await roster(trial, rows, communities);
    const before = await counts(s);
    const upload = await call(
      s,
      'POST',
      `/api/imports?kind=workers&fileName=crash-${trial}.xlsx`,
      new Uint8Array(file),
      'application/octet-stream',
    );
    const checked = await waitJob(s, upload.jobId);
    if (checked.status !== 'succeeded')
      throw new Error(`试导入失败：${JSON.stringify(checked.error)}`);
    const t0 = performance.now();
    const commit = await call(
      s,
      'POST',
      `/api/imports/${upload.batch.id}/commit`,
      JSON.stringify({ onError: 'stop' }),
    );
    if (trial === 0) {
      const job = await waitJob(s, commit.jobId);
      commitMs = performance.now() - t0;
      console.log(
        `${kind}: calibration import of ${rows} rows committed in ${(commitMs / 1000).toFixed(1)} s (${job.status})`,
      );
      continue;
    }
    const delay = Math.round((0.05 + Math.random() * 0.9) * commitMs);
    await new Promise((r) => setTimeout(r, Math.max(0, delay - (performance.now() - t0))));
    await kill(server, 'SIGKILL');
    const restartT0 = performance.now();
    server = await start(kind, dataDir, port);
    const restartMs = performance.now() - restartT0;
    s = await login(server.url, dataDir);
    const after = await counts(s);
    const batch = await call(s, 'GET', `/api/imports/${upload.batch.id}`);
    const applied = after.workers === before.workers + rows;
    const untouched = after.workers === before.workers;
    const batchSays = batch.status as string;
    let ok =
      after.audit.ok &&
      (applied || untouched) &&
      (applied ? batchSays === 'committed' : batchSays !== 'committed');
    // Nothing lost: an interrupted batch can be committed again and then lands whole.
    let retried = '';
    if (ok && untouched) {
      const again = await call(
        s,
        'POST',
        `/api/imports/${upload.batch.id}/commit`,
        JSON.stringify({ onError: 'stop' }),
      );
      await waitJob(s, again.jobId);
      const final = await counts(s);
      ok = final.workers === before.workers + rows && final.audit.ok;
      retried = `, re-committed → +${final.workers - before.workers}`;
    }
    if (!ok) failures++;
    results.push(
      `trial ${trial}: killed at ${delay} ms, restart ${(restartMs / 1000).toFixed(1)} s → workers ${untouched ? 'unchanged' : applied ? `+${rows}` : `+${after.workers - before.workers} (PARTIAL)`}, batch ${batchSays}, audit chain ${after.audit.ok ? `ok (${after.audit.count})` : `BROKEN: ${after.audit.message}`}${retried} — ${ok ? 'consistent' : 'INCONSISTENT'}`,
    );
    console.log(results.at(-1));
  }
  await kill(server, 'SIGTERM');
  console.log(`${kind}: ${trials - failures}/${trials} trials consistent`);
  return failures;
};

let total = 0;
for (const kind of kinds) total += await run(kind);
process.exit(total === 0 ? 0 : 1);

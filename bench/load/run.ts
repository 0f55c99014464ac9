// Load test: the real server (PGlite and PostgreSQL) with a city of 100,000 workers, driven from
// this second process on loopback by autocannon — 200 connections for 60 s of a mixed workload
// (logins, list with filters, worker detail, grade/pay explanation, dashboard, org counts, small
// writes). Reports p50/p99, errors, req/s and the server's peak RSS, and the same figures for
// /api/health (one `select 1` behind the same middleware) measured in the same run, before the mix,
// as the baseline the ratios are taken against. Data is prepared once and reused
// (.tmp/bench-load-<kind>, PostgreSQL database bench_load).
//
//   node --import tsx bench/load/run.ts [--pglite] [--pg] [--seconds 60] [--connections 200]
//     [--baseline-seconds 15] [--workers 100000] [--profile]   (--profile: server CPU profile in .tmp)
//     env PG_BASE_URL (default postgres://postgres@127.0.0.1:5432), BENCH_LOAD_DB (bench_load),
//     BENCH_LOAD_SERVER_URL (the server's DATABASE_URL, default PG_BASE_URL/BENCH_LOAD_DB),
//     BENCH_LOAD_SERVER_NODE_FLAGS (Node flags for the server process only, default none)
//     [--rate R]    open loop: the connections offer R req/s in total (open-loop.ts), not as fast
//                   as answers come back; latency from each request's due time
//     [--sweep [--from 20] [--step-seconds 20] [--goal-p99 100]]   open loop, rising rates: the
//                   highest rate with p99 ≤ goal and 0 errors at these connections
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { openLoop, type TOpenLoopResult, type TOpenRequest } from './open-loop.ts';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const seconds = Number(flag('--seconds', '60'));
const connections = Number(flag('--connections', '200'));
const workers = Number(flag('--workers', '100000'));
const kinds = (['pglite', 'pg'] as const).filter(
  (k) => args.includes(`--${k}`) || !args.some((a) => a === '--pglite' || a === '--pg'),
);
const pgBase = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const pgDb = process.env.BENCH_LOAD_DB ?? 'bench_load';
const baselineSeconds = Number(flag('--baseline-seconds', '15'));
const profile = args.includes('--profile');
const perOp = Number(flag('--per-op', '15'));
const only = args.includes('--only') ? flag('--only', '').split(',') : undefined;
const rate = args.includes('--rate') ? Number(flag('--rate', '0')) : undefined;
const sweep = args.includes('--sweep');
const sweepFrom = Number(flag('--from', '20'));
const stepSeconds = Number(flag('--step-seconds', '20'));
const goalP99 = Number(flag('--goal-p99', '100'));

type TServer = { child: ChildProcess; url: string; dataDir: string };

const startServer = async (kind: 'pglite' | 'pg', port: number): Promise<TServer> => {
  const dataDir = path.join(root, `.tmp/bench-load-${kind}`);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO_WORKERS: String(workers),
    LOG_LEVEL: 'warn',
    // Logins are part of the mix and all come from 127.0.0.1: lift the per-IP/per-user limits.
    LOGIN_RATE_IP_MAX: '1000000',
    LOGIN_RATE_USER_MAX: '1000000',
  };
  if (kind === 'pg') {
    const admin = new pg.Client({ connectionString: `${pgBase}/postgres` });
    await admin.connect();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [pgDb]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${pgDb}`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await admin.end();
    // BENCH_LOAD_SERVER_URL: the server's own connection string for the same database (a Unix
    // socket: postgres://postgres@localhost/bench_load?host=/var/run/postgresql, its host parameter
    // winning; the config refuses an empty host as an invalid URL); the bench's own
    // connections stay on PG_BASE_URL.
    env.DATABASE_URL = process.env.BENCH_LOAD_SERVER_URL ?? `${pgBase}/${pgDb}`;
  } else {
    env.DATABASE_URL = '';
  }
  const child = spawn(
    process.execPath,
    [
      // BENCH_LOAD_SERVER_NODE_FLAGS: Node flags for the server alone (--max-semi-space-size=…).
      ...(process.env.BENCH_LOAD_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      ...(profile
        ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, '.tmp/bench-load-prof')}`]
        : []),
      path.join(root, 'packages/cli/bin/shegong.mjs'),
      'start',
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (/载入|已启动|错误|取消|关闭/.test(text)) process.stdout.write(`  [server] ${text}`);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 3600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { child, url, dataDir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('server did not start');
};

const adminSession = async (server: TServer) => {
  const text = fs.readFileSync(path.join(server.dataDir, 'initial-admin.txt'), 'utf8');
  const password = text.match(/^password=(.+)$/m)![1]!;
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const body = (await res.json()) as { csrfToken: string };
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: body.csrfToken, password };
};

const sampleRss = (pid: number) => {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {
      // process gone
    }
  }, 250);
  return () => {
    clearInterval(timer);
    return peak / 1024;
  };
};

/**
 * CPU seconds the process has used: the time on a CPU of each of its threads from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds), where /proc/<pid>/stat counts user + system in
 * clock ticks of 10 ms — too coarse for a few hundred requests of a few ms each. (A thread that
 * has ended drops out of the sum; the server's threads live as long as it does.)
 */
const cpuSeconds = (pid: number) => {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return ns / 1e9;
};

/**
 * PostgreSQL's share: the on-CPU time of the backends connected to the bench database (the
 * server's pool), per backend, from /proc (the database runs on this machine). A statement's
 * plan and reads cost there, not in the server's process; PGlite's run in the server's thread.
 */
const pgBackendsCpu = async (client: pg.Client | undefined) => {
  const byPid = new Map<number, number>();
  if (!client) return byPid;
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [pgDb],
  );
  for (const { pid } of rows) {
    try {
      byPid.set(pid, Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the backend ended
    }
  }
  return byPid;
};
/** Seconds of backend CPU between two readings (a backend started meanwhile counts from 0). */
const pgCpuSeconds = (before: Map<number, number>, after: Map<number, number>) => {
  let ns = 0;
  for (const [pid, t] of after) ns += t - (before.get(pid) ?? 0);
  return ns / 1e9;
};

const EDUCATION = ['大专', '本科', '硕士'];
const STATUS = ['在岗', '试用期'];
const MONTH = new Date().toISOString().slice(0, 7);

type TRun = Awaited<ReturnType<typeof autocannon>>;
const summary = (r: TRun, secs: number) => ({
  requests: r.requests.total,
  rps: Math.round(r.requests.total / secs),
  p50: r.latency.p50,
  p99: r.latency.p99,
  max: r.latency.max,
  // autocannon counts timeouts among its errors.
  errors: r.errors + r.non2xx,
  non2xx: r.non2xx,
  timeouts: r.timeouts,
});

const run = async (kind: 'pglite' | 'pg') => {
  console.log(
    `\n== ${kind}: preparing the server with ${workers.toLocaleString()} workers (first run loads the demo)`,
  );
  const server = await startServer(kind, kind === 'pg' ? 3312 : 3311);
  const pgWatch =
    kind === 'pg' ? new pg.Client({ connectionString: `${pgBase}/${pgDb}` }) : undefined;
  await pgWatch?.connect();
  try {
    const session = await adminSession(server);
    const headers = {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      'content-type': 'application/json',
    };
    const get = async (p: string) => {
      const res = await fetch(`${server.url}${p}`, { headers });
      if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    const ids: string[] = [];
    let after = '';
    for (let i = 0; i < 5; i++) {
      const page = await get(`/api/workers?limit=200${after ? `&after=${after}` : ''}`);
      ids.push(...page.items.map((w: { id: string }) => w.id));
      after = page.nextCursor;
    }
    const counties = (await get('/api/orgs/640100/children')).items.map(
      (o: { code: string }) => o.code,
    );
    const streets = (await get(`/api/orgs/${counties[0]}/children`)).items.map(
      (o: { code: string }) => o.code,
    );
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
    // Warm-up outside the measurement: the first dashboard of a node computes per-process
    // caches (quota sums, target flags); a real server has them after its first minutes.
    for (const code of [...counties, ...streets]) await get(`/api/stats/${code}`);
    await get(`/api/pay/workers/${ids[0]}?month=${MONTH}`);
    // The mix, by weight (percent).
    const ops: Array<[number, string, (req: any) => any]> = [
      [
        25,
        'list: street + 学历 filter',
        (req) => ({
          ...req,
          method: 'GET',
          path: `/api/workers?limit=20&org=${pick(streets)}&educationLevel=${encodeURIComponent(pick(EDUCATION))}`,
        }),
      ],
      [
        8,
        'list: status + name prefix',
        (req) => ({
          ...req,
          method: 'GET',
          path: `/api/workers?limit=20&status=${encodeURIComponent(pick(STATUS))}&q=${encodeURIComponent('王')}`,
        }),
      ],
      [
        25,
        'worker detail',
        (req) => ({ ...req, method: 'GET', path: `/api/workers/${pick(ids)}` }),
      ],
      [
        10,
        'grade/pay explanation',
        (req) => ({ ...req, method: 'GET', path: `/api/pay/workers/${pick(ids)}?month=${MONTH}` }),
      ],
      [
        8,
        'dashboard (county/street)',
        (req) => ({ ...req, method: 'GET', path: `/api/stats/${pick([...counties, ...streets])}` }),
      ],
      [
        10,
        'org counts',
        (req) => ({ ...req, method: 'GET', path: `/api/orgs/${pick([...counties, ...streets])}` }),
      ],
      [
        8,
        'write: archive note',
        (req) => ({
          ...req,
          method: 'POST',
          path: `/api/workers/${pick(ids)}/archive`,
          body: JSON.stringify({ kind: 'note', startOn: '2026-11-01', data: { text: '走访记录' } }),
        }),
      ],
      [
        5,
        'history',
        (req) => ({ ...req, method: 'GET', path: `/api/workers/${pick(ids)}/history` }),
      ],
      [
        1,
        'login',
        (req) => ({
          ...req,
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: session.password }),
        }),
      ],
    ];
    // --only <name,…>: the mix restricted to some kinds of request (to find a slow one).
    if (only)
      ops.splice(0, ops.length, ...ops.filter(([, name]) => only.some((o) => name.startsWith(o))));
    console.log(`  mix: ${ops.map(([w, name]) => `${name} ${w}`).join(', ')}`);
    // Each kind of request alone, one at a time (no concurrency): what a request costs.
    const alone: string[] = [];
    const aloneCpu: string[] = [];
    const aloneDbCpu: string[] = [];
    for (const [, name, op] of perOp > 0 ? ops : []) {
      const times: number[] = [];
      // The server's CPU (user + system, /proc: 10 ms ticks) over the sequential requests of the
      // kind: what one request of it costs the server's process, without queueing.
      const cpu0 = cpuSeconds(server.child.pid!);
      const db0 = await pgBackendsCpu(pgWatch);
      for (let i = 0; i < perOp; i++) {
        const r = op({ headers });
        const t0 = performance.now();
        const res = await fetch(`${server.url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: r.body,
        });
        await res.arrayBuffer();
        times.push(performance.now() - t0);
        if (!res.ok) throw new Error(`${name}: ${res.status}`);
      }
      aloneCpu.push(
        `${name} ${(((cpuSeconds(server.child.pid!) - cpu0) * 1000) / perOp).toFixed(2)}`,
      );
      const db1 = await pgBackendsCpu(pgWatch);
      aloneDbCpu.push(`${name} ${((pgCpuSeconds(db0, db1) * 1000) / perOp).toFixed(2)}`);
      times.sort((a, b) => a - b);
      alone.push(`${name} ${times[Math.floor(times.length / 2)]!.toFixed(1)}`);
    }
    if (perOp > 0) {
      console.log(`  alone, median ms of ${perOp}: ${alone.join(', ')}`);
      console.log(`  alone, server CPU ms per request: ${aloneCpu.join(', ')}`);
      if (pgWatch)
        console.log(`  alone, PostgreSQL backends' CPU ms per request: ${aloneDbCpu.join(', ')}`);
    }
    const totalWeight = ops.reduce((s, [w]) => s + w, 0);
    // Baseline in the same run, first: the same connections on /api/health (session middleware
    // and one `select 1`), so the figures can be read against what this machine gives now.
    // The kinds of the baseline's errors (timeouts, resets, statuses) by count.
    const baselineErrors = new Map<string, number>();
    const countError = (kind: string) =>
      baselineErrors.set(kind, (baselineErrors.get(kind) ?? 0) + 1);
    // Whether this process (autocannon's side) or the server stalled: the bench's own event-loop
    // delay, and the longest time the server's CPU counter stood still while requests waited.
    const benchDelay = monitorEventLoopDelay({ resolution: 20 });
    benchDelay.enable();
    let serverStill = 0;
    let stillSince = performance.now();
    let lastCpu = cpuSeconds(server.child.pid!);
    const cpuWatch = setInterval(() => {
      const cpu = cpuSeconds(server.child.pid!);
      if (cpu !== lastCpu) stillSince = performance.now();
      serverStill = Math.max(serverStill, performance.now() - stillSince);
      lastCpu = cpu;
    }, 100);
    const baseline = await new Promise<TRun>((resolve, reject) => {
      const instance = autocannon(
        { url: `${server.url}/api/health`, connections, duration: baselineSeconds },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      instance.on('reqError', (error: NodeJS.ErrnoException) =>
        countError(error.code ?? error.message),
      );
      instance.on('response', (_client, status) => {
        if (status >= 300) countError(`HTTP ${status}`);
      });
    });
    clearInterval(cpuWatch);
    benchDelay.disable();
    const stalls = `bench event-loop delay max ${Math.round(benchDelay.max / 1e6)} ms, server CPU still at most ${Math.round(serverStill)} ms`;
    const base = summary(baseline, baselineSeconds);
    const loadAverage = () =>
      fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `${kind} baseline /api/health (${baselineSeconds}s, closed loop): ${base.rps} req/s, p50 ${base.p50} ms, p99 ${base.p99} ms, errors ${base.errors} (non-2xx ${base.non2xx}, timeouts ${base.timeouts}${[...baselineErrors].map(([k, n]) => `; ${k} ${n}`).join('')}) | ${stalls}`,
    );
    const nextRequest = (): TOpenRequest => {
      let r = Math.random() * totalWeight;
      for (const [w, kind, op] of ops) {
        r -= w;
        if (r < 0) return { ...op({ headers: { ...headers } }), kind };
      }
      return { ...ops[0]![2]({ headers: { ...headers } }), kind: ops[0]![1] };
    };
    if (rate !== undefined || sweep) {
      const step = async (stepRate: number, secs: number) => {
        const stopRss = sampleRss(server.child.pid!);
        const cpuBefore = cpuSeconds(server.child.pid!);
        const loadBefore = loadAverage();
        const r = await openLoop({
          url: server.url,
          rate: stepRate,
          seconds: secs,
          connections,
          next: nextRequest,
        });
        const peakRss = stopRss();
        const cpuMs =
          ((cpuSeconds(server.child.pid!) - cpuBefore) * 1000) / Math.max(1, r.ok + r.non2xx);
        const errors = r.non2xx + r.timeouts + r.socketErrors;
        const pass = errors === 0 && r.p99 <= goalP99;
        console.log(
          `${kind} open loop ${stepRate} req/s × ${secs}s: answered ${r.answeredPerSecond} req/s | p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${(r.p50 / Math.max(1, base.p50)).toFixed(1)}× / ${(r.p99 / Math.max(1, base.p99)).toFixed(1)}× health) | errors ${errors} (non-2xx ${r.non2xx}, timeouts ${r.timeouts}, socket ${r.socketErrors}; resent on a closed idle connection ${r.retries}) | slowest 1%: ${Object.entries(
            r.slowest,
          )
            .map(([k, n]) => `${k} ${n}`)
            .join(
              ', ',
            )} | peak busy connections ${r.peakBusy} | client send lag p99 ${r.sendLagP99} ms | server peak RSS ${peakRss.toFixed(0)} MB, CPU ${cpuMs.toFixed(1)} ms per request | load ${loadBefore} → ${loadAverage()}${sweep ? (pass ? ' | pass' : ' | FAIL') : ''}`,
        );
        return { ...r, pass, peakRss };
      };
      if (!sweep) return { kind, base, open: await step(rate!, seconds) };
      // Rising by half until a step fails, then halving the interval until it is within 10%.
      const steps: Array<TOpenLoopResult & { pass: boolean }> = [];
      let lo = 0;
      let hi = Infinity;
      let next = sweepFrom;
      while (steps.length < 16) {
        const r = await step(next, stepSeconds);
        steps.push(r);
        if (r.pass) lo = next;
        else hi = next;
        if (hi === Infinity) next = Math.round(next * 1.5);
        else if (lo === 0 && next > 5) next = Math.max(5, Math.round(next / 2));
        else if (lo > 0 && hi / lo > 1.1) next = Math.round((lo + hi) / 2);
        else break;
        if (next === lo || next === hi) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      console.log(
        `${kind} capacity: ${lo} req/s from ${connections} connections with p99 ≤ ${goalP99} ms and 0 errors (${hi === Infinity ? 'no failing step' : `${hi} req/s failed`}) | ratio to health closed-loop req/s ${(lo / Math.max(1, base.rps)).toFixed(2)} | load average ${loadAverage()}`,
      );
      return { kind, base, capacity: lo, steps };
    }
    const stopRss = sampleRss(server.child.pid!);
    const cpuBefore = cpuSeconds(server.child.pid!);
    const dbBefore = await pgBackendsCpu(pgWatch);
    const result = await autocannon({
      url: server.url,
      connections,
      duration: seconds,
      headers,
      requests: [
        {
          setupRequest: (req: any) => {
            let r = Math.random() * totalWeight;
            for (const [w, , op] of ops) {
              r -= w;
              // A fresh headers object per request: autocannon adds content-length to the object
              // it is given, and a GET carrying a POST's content-length stalls its connection
              // (the server waits for a body) — the first runs of this bench measured that.
              if (r < 0) return op({ ...req, headers: { ...headers } });
            }
            return req;
          },
        },
      ],
    });
    const peakRss = stopRss();
    const cpuMs =
      ((cpuSeconds(server.child.pid!) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
    const dbCpuMs =
      (pgCpuSeconds(dbBefore, await pgBackendsCpu(pgWatch)) * 1000) /
      Math.max(1, result.requests.total);
    // After the clients left mid-request (autocannon closes its connections at the end): a
    // write, which takes the audit chain's lock, still goes through — no transaction was left
    // holding it (docs/reliability.md, statement cancels). Measured 1 s after the end.
    await new Promise((r) => setTimeout(r, 1000));
    const probeAt = performance.now();
    const probe = await fetch(`${server.url}/api/workers/${ids[0]}/archive`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'note', startOn: '2026-11-01', data: { text: '走访记录' } }),
      signal: AbortSignal.timeout(30_000),
    }).then(
      (res) => `${res.status}`,
      (error: Error) => error.name,
    );
    console.log(
      `  after the run: a write answered ${probe} in ${(performance.now() - probeAt).toFixed(0)} ms`,
    );
    const mix = summary(result, seconds);
    const load = loadAverage();
    console.log(
      `${kind} mixed: ${mix.requests.toLocaleString()} requests in ${seconds}s (${mix.rps} req/s) | latency p50 ${mix.p50} ms, p99 ${mix.p99} ms, max ${mix.max} ms | errors ${mix.errors} (non-2xx ${mix.non2xx}, timeouts ${mix.timeouts}) | server peak RSS ${peakRss.toFixed(0)} MB | server CPU ${cpuMs.toFixed(2)} ms per request${pgWatch ? ` (PostgreSQL backends ${dbCpuMs.toFixed(2)} ms)` : ''}`,
    );
    console.log(
      `${kind} ratios mixed/health: p50 ${(mix.p50 / Math.max(1, base.p50)).toFixed(1)}×, p99 ${(mix.p99 / Math.max(1, base.p99)).toFixed(1)}×, req/s ${(mix.rps / Math.max(1, base.rps)).toFixed(2)}× | load average after: ${load}`,
    );
    return { kind, mix, base, peakRss, cpuMs };
  } finally {
    await pgWatch?.end();
    // The server's stop after the clients left mid-request: how long, and how it ended.
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    const code = await new Promise((r) => server.child.once('exit', (c, s) => r(c ?? s)));
    console.log(
      `  server stopped ${((performance.now() - stopping) / 1000).toFixed(1)} s after SIGTERM (exit ${code})`,
    );
  }
};

for (const kind of kinds) await run(kind);

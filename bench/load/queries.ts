// Where a request's time goes: opens the load bench's PGlite data directory in-process (the
// server must be stopped) or, with --pg, its PostgreSQL database, logs every SQL statement (time,
// rows) and runs each kind of request of the load mix a few times through the app, then prints
// per request kind the statements it ran.
//
//   node --import tsx bench/load/queries.ts [--data-dir .tmp/bench-load-pglite] [--runs 5]
//   node --import tsx bench/load/queries.ts --pg [--data-dir .tmp/bench-load-pg]   (bench_load,
//     or BENCH_LOAD_DB; PG_BASE_URL as run.ts)
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../../packages/server/src/app.ts';
import { createServices } from '../../packages/server/src/bootstrap.ts';
import { loadConfig } from '../../packages/server/src/config.ts';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const usePg = args.includes('--pg');
const dataDir = path.resolve(
  root,
  flag('--data-dir', usePg ? '.tmp/bench-load-pg' : '.tmp/bench-load-pglite'),
);
const runs = Number(flag('--runs', '5'));
const pgUrl = `${process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432'}/${process.env.BENCH_LOAD_DB ?? 'bench_load'}`;

const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  DATABASE_URL: usePg ? pgUrl : '',
  LOG_LEVEL: 'warn',
  // As run.ts: the logins of the runs come from one address (the limits live in the database).
  LOGIN_RATE_IP_MAX: '1000000',
  LOGIN_RATE_USER_MAX: '1000000',
});
type TLog = { sql: string; ms: number; rows: number };
let log: TLog[] = [];
const record = (text: string, t0: number, r: any) =>
  log.push({
    sql: text.replace(/\s+/g, ' ').slice(0, 160),
    ms: performance.now() - t0,
    rows: r?.rows?.length ?? 0,
  });
if (usePg) {
  // Every statement of every pooled connection (drizzle passes a config object or a text).
  const query = pg.Client.prototype.query as any;
  (pg.Client.prototype as any).query = function (this: pg.Client, ...a: any[]) {
    const text = typeof a[0] === 'string' ? a[0] : a[0]?.text;
    const t0 = performance.now();
    // pg-pool passes a callback (no promise back); a client of a transaction is awaited.
    const cb = typeof a.at(-1) === 'function' ? a.pop() : undefined;
    if (cb)
      a.push((error: unknown, x: any) => {
        record(text ?? '?', t0, x);
        cb(error, x);
      });
    const r = query.apply(this, a);
    if (!cb && r && typeof r.then === 'function')
      r.then(
        (x: any) => record(text ?? '?', t0, x),
        () => {},
      );
    return r;
  };
}
const services = await createServices(config);
const wrap = (target: any) => {
  const query = target.query.bind(target);
  target.query = async (text: string, params?: unknown[], opts?: unknown) => {
    const t0 = performance.now();
    const r = await query(text, params, opts);
    record(text, t0, r);
    return r;
  };
};
if (!usePg) {
  const pglite = services.database.pglite!;
  wrap(pglite);
  const transaction = pglite.transaction.bind(pglite);
  (pglite as any).transaction = (fn: (tx: any) => Promise<unknown>) =>
    transaction((tx) => {
      wrap(tx);
      return fn(tx);
    });
}

const app = buildApp(services);
const password = fs
  .readFileSync(path.join(dataDir, 'initial-admin.txt'), 'utf8')
  .match(/^password=(.+)$/m)![1]!;
const login = await app.request('/api/auth/login', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password }),
});
const loginBody = (await login.json()) as { csrfToken: string };
if (!login.ok) throw new Error(`login: ${login.status} ${JSON.stringify(loginBody)}`);
const csrf = loginBody.csrfToken;
const headers = {
  cookie: login.headers.get('set-cookie')!.split(';')[0]!,
  'x-csrf-token': csrf,
  'content-type': 'application/json',
};
const get = async (p: string) => (await app.request(p, { headers })).json() as Promise<any>;
const ids = (await get('/api/workers?limit=50')).items.map((w: { id: string }) => w.id);
const counties = (await get('/api/orgs/640100/children')).items.map(
  (o: { code: string }) => o.code,
);
const streets = (await get(`/api/orgs/${counties[0]}/children`)).items.map(
  (o: { code: string }) => o.code,
);
const month = new Date().toISOString().slice(0, 7);
const ops: Array<[string, (i: number) => [string, string, string?]]> = [
  [
    'list: street + 学历',
    (i) => [
      'GET',
      `/api/workers?limit=20&org=${streets[i % streets.length]}&educationLevel=${encodeURIComponent('本科')}`,
    ],
  ],
  [
    'list: status + name prefix',
    () => [
      'GET',
      `/api/workers?limit=20&status=${encodeURIComponent('在岗')}&q=${encodeURIComponent('王')}`,
    ],
  ],
  ['worker detail', (i) => ['GET', `/api/workers/${ids[i]}`]],
  ['explanation', (i) => ['GET', `/api/pay/workers/${ids[i]}?month=${month}`]],
  ['dashboard', (i) => ['GET', `/api/stats/${streets[i % streets.length]}`]],
  ['org counts', (i) => ['GET', `/api/orgs/${streets[i % streets.length]}`]],
  [
    'archive note',
    (i) => [
      'POST',
      `/api/workers/${ids[i]}/archive`,
      JSON.stringify({ kind: 'note', startOn: '2026-11-01', data: { text: '走访记录' } }),
    ],
  ],
  ['history', (i) => ['GET', `/api/workers/${ids[i]}/history`]],
  ['login', () => ['POST', '/api/auth/login', JSON.stringify({ username: 'admin', password })]],
  ['health', () => ['GET', '/api/health']],
];
for (const [name, op] of ops) {
  const totals: number[] = [];
  let last: TLog[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const [method, p, body] = op(i);
    log = [];
    const t0 = performance.now();
    const res = await app.request(p, { method, headers, body });
    await res.arrayBuffer();
    if (i > 0) totals.push(performance.now() - t0);
    last = log;
  }
  totals.sort((a, b) => a - b);
  const sqlMs = last.reduce((s, q) => s + q.ms, 0);
  console.log(
    `\n${name}: median ${totals[Math.floor(totals.length / 2)]!.toFixed(1)} ms, ${last.length} statements, ${sqlMs.toFixed(1)} ms in SQL (last run)`,
  );
  for (const q of last)
    console.log(`  ${q.ms.toFixed(1).padStart(6)} ms ${String(q.rows).padStart(5)} rows  ${q.sql}`);
}
await services.database.close();

// The dashboard API at national scale: p50/p95 of GET /api/stats/:code (in-process through the
// app: session, scope, rollup reads, pack figures, JSON) at city, county and street level, against
// a raw GROUP BY of one of its figures (the education breakdown of the node's active workers) on
// the same database in the same run. Also checks that the two agree, and times worker edits
// (which maintain the rollup). Load the data first with bench/dashboard/load.ts.
//
//   node --import tsx bench/dashboard/run.ts [--db shegong_bench] [--runs 30]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createServices } from '../../packages/server/src/bootstrap.ts';
import { loadConfig } from '../../packages/server/src/config.ts';
import { systemActor } from '../../packages/server/src/context.ts';
import { createUser } from '../../packages/server/src/modules/auth/create-user.ts';
import { dashboardCacheOf } from '../../packages/server/src/modules/stats/dashboard-cache.ts';
import { createClient } from '../../packages/server/src/testing/test-app.ts';
import { BENCH_DATA_KEY } from './bench-key.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] as string) : fallback;
};
const dbName = flag('--db', 'shegong_bench');
const runs = Number(flag('--runs', '30'));
const pgBase = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const url = `${pgBase}/${dbName}`;
const PASSWORD = 'Dash-Measure-7q!';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};
const ms = (x: number) => x.toFixed(1);

const main = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-bench-'));
  const services = await createServices(
    loadConfig({
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DEMO: 'false',
      SHEGONG_DATA_KEY: BENCH_DATA_KEY,
      NODE_ENV: 'production',
      LOGIN_RATE_IP_MAX: '1000000',
      LOGIN_RATE_USER_MAX: '1000000',
    }),
  );
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const ctx = {
    db: services.database.db,
    actor: systemActor(),
    services,
    log: services.log,
  };
  const exists = await pool.query(`select 1 from app_user where username = 'bench'`);
  if (exists.rowCount === 0) {
    await createUser(ctx, {
      username: 'bench',
      displayName: '基准测试',
      role: 'system-admin',
      orgCode: '000000',
      password: PASSWORD,
    });
  }
  const client = createClient(services);
  const login = await client.login('bench', PASSWORD);
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);

  // Two chains city → county → street, each time the largest child by headcount: 银川市 (the
  // demo city with its own pack: per-community and per-street targets, 3,200 small communities)
  // and the largest synthetic city (national pack, ~37 workers a community).
  const largest = async (level: string, under: string, not: string[] = []) =>
    (
      await pool.query<{ code: string; name: string; path: string; n: number }>(
        `select o.code, o.name, o.path, r.n::int as n from org o
         join stat_rollup r on r.org_code = o.code and r.dim = 'headcount' and r.value = ''
         where o.level = $1 and o.path like $2 and not (o.code = any($3::text[]))
         order by r.n desc limit 1`,
        [level, `${under}%`, not],
      )
    ).rows[0]!;
  const chain = async (city: { code: string; name: string; path: string }) => {
    const county = await largest('county', city.path);
    const street = await largest('street', county.path);
    return [
      { level: 'city', ...city },
      { level: 'county', ...county },
      { level: 'street', ...street },
    ];
  };
  const yinchuan = (
    await pool.query<{ code: string; name: string; path: string }>(
      `select code, name, path from org where code = '640100'`,
    )
  ).rows[0]!;
  const synthetic = await largest('city', '/', ['640100', '220100', '330300']);
  const syntheticChain = await chain(synthetic);
  const community = await largest('community', syntheticChain[2]!.path);
  const total = (await pool.query<{ n: number }>(`select count(*)::int as n from worker`)).rows[0]!
    .n;
  const communities = (
    await pool.query<{ n: number }>(`select count(*)::int as n from org where level = 'community'`)
  ).rows[0]!.n;
  process.stdout.write(
    `database ${dbName}: ${total.toLocaleString('en')} workers, ${communities.toLocaleString('en')} communities; ${runs} runs each\n\n`,
  );
  process.stdout.write(
    '| node | headcount | first request ms | dashboard API p50 / p95 ms | raw GROUP BY p50 / p95 ms | API ÷ raw (p50) | response |\n|---|---|---|---|---|---|---|\n',
  );
  const targets = [
    { level: 'country', code: '000000', name: '全国', path: '/000000/' },
    ...(await chain(yinchuan)),
    ...syntheticChain,
    { level: 'community', ...community },
  ];
  const rows: string[] = [];
  for (const t of targets) {
    const raw = () =>
      pool.query<{ v: string; n: number }>(
        `select education_level as v, count(*)::int as n from worker
         where org_path like $1 and status <> '已退出' group by 1`,
        [`${t.path}%`],
      );
    // The first request in this process (its caches of quota sums and target flags empty), then
    // check that the dashboard and the raw GROUP BY agree.
    const tFirst = performance.now();
    let body: { headcount: number; structures: { education: { key: string; count: number }[] } } = (
      await client.get(`/api/stats/${t.code}`)
    ).body;
    const first = performance.now() - tFirst;
    await raw();
    const rawRows = (await raw()).rows;
    for (const r of rawRows) {
      const shown = body.structures.education.find((e) => e.key === r.v)?.count;
      if (shown !== r.n) throw new Error(`${t.name} ${r.v}: dashboard ${shown} ≠ raw ${r.n}`);
    }
    const api: number[] = [];
    const sql: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      // The computation is measured, not the answer kept from the run before (since 4cc69e4).
      dashboardCacheOf(services.database.db).clear();
      let t0 = performance.now();
      const res = await client.get(`/api/stats/${t.code}`);
      api.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${t.code}: HTTP ${res.status}`);
      body = res.body;
      bytes = JSON.stringify(res.body).length;
      t0 = performance.now();
      await raw();
      sql.push(performance.now() - t0);
    }
    rows.push(
      `| ${t.level} ${t.name} | ${body.headcount.toLocaleString('en')} | ${ms(first)} | ${ms(pct(api, 50))} / ${ms(pct(api, 95))} | ${ms(pct(sql, 50))} / ${ms(pct(sql, 95))} | ${(pct(api, 50) / pct(sql, 50)).toFixed(2)} | ${(bytes / 1024).toFixed(0)} KB |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }

  // Edits through the API: each moves rows of the rollup for the worker's six ancestors.
  const ids = (
    await pool.query<{ id: string; version: number; education_level: string }>(
      `select id, version, education_level from worker where community_code = $1 and status <> '已退出' limit 20`,
      [community.code],
    )
  ).rows;
  const edits: number[] = [];
  for (const w of ids) {
    const t0 = performance.now();
    const res = await client.patch(`/api/workers/${w.id}`, {
      version: w.version,
      educationLevel: w.education_level === '本科' ? '大专' : '本科',
      reason: '基准测试',
    });
    edits.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`edit: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  const after = (await client.get(`/api/stats/${synthetic.code}`)).body.structures.education;
  const check = (
    await pool.query<{ v: string; n: number }>(
      `select education_level as v, count(*)::int as n from worker
       where org_path like $1 and status <> '已退出' group by 1`,
      [`${synthetic.path}%`],
    )
  ).rows;
  for (const r of check) {
    if (after.find((e: { key: string }) => e.key === r.v)?.count !== r.n)
      throw new Error(`after edits: ${r.v} differs`);
  }
  process.stdout.write(
    `\nworker edits (PATCH, rollup maintained in the same transaction): p50 ${ms(pct(edits, 50))} ms, p95 ${ms(pct(edits, 95))} ms (${edits.length} edits); the city's figures still equal the raw GROUP BY\n`,
  );
  await pool.end();
  await services.database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
};

await main();

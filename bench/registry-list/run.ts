// Worker list at scale: keyset pages of the registry's own repository query vs the same page as
// raw SQL through node-postgres, in the same run. Needs a database with many workers, e.g.
//   DATABASE_URL=postgres://…/shegong_1m npx shegong demo --workers 1000000
//   DATABASE_URL=postgres://…/shegong_1m node --import tsx bench/registry-list/run.ts
import pg from 'pg';
import type { TScope } from '../../packages/server/src/context.ts';
import { openDatabase } from '../../packages/server/src/db/client.ts';
import { listWorkers } from '../../packages/server/src/modules/worker/worker.repo.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const database = await openDatabase({ kind: 'postgres', url, max: 2 });
const raw = new pg.Client({ connectionString: url });
await raw.connect();

const total = Number((await raw.query('select count(*) from worker')).rows[0].count);
const pathOf = async (code: string) =>
  (await raw.query('select path from org where code = $1', [code])).rows[0].path as string;
const scopes: Array<[string, TScope]> = [];
for (const [label, code] of [
  ['city 银川市', '640100'],
  ['county 兴庆区', '640104'],
  ['street 凤凰北街街道', '640104001000'],
] as const) {
  scopes.push([label, { kind: 'org', path: await pathOf(code), orgCode: code }]);
}

const time = async (fn: () => Promise<unknown>, runs = 30) => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(runs * 0.5)]!, p95: samples[Math.floor(runs * 0.95)]! };
};

console.log(`workers in database: ${total.toLocaleString()}`);
console.log(
  'scope                      | page            | repo p50/p95 ms | raw SQL p50/p95 ms | ratio p50',
);
for (const [label, scope] of scopes) {
  // A cursor deep in the scope: the id at position ~80% of the scope's rows.
  const n = Number(
    (await raw.query('select count(*) from worker where org_path like $1', [`${scope.path}%`]))
      .rows[0].count,
  );
  const deep = (
    await raw.query('select id from worker where org_path like $1 order by id offset $2 limit 1', [
      `${scope.path}%`,
      Math.floor(n * 0.8),
    ])
  ).rows[0].id as string;
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['first page', {}, undefined],
    ['page at 80%', {}, deep],
    ['本科 filter', { educationLevel: '本科' }, undefined],
    ['name prefix 王', { nameprefix: '王' }, undefined],
  ];
  for (const [name, filters, after] of cases) {
    const repo = await time(() => listWorkers(database.db, scope, filters, { after, limit: 20 }));
    const params: unknown[] = [`${scope.path}%`];
    let where = 'w.org_path like $1';
    if (filters.educationLevel)
      where += ` and w.education_level = $${params.push(filters.educationLevel)}`;
    if (filters.nameprefix) where += ` and w.name like $${params.push(`${filters.nameprefix}%`)}`;
    if (after) where += ` and w.id > $${params.push(after)}`;
    const sql = `select w.*, o.name from worker w left join org o on o.code = w.community_code where ${where} order by w.id limit 20`;
    const base = await time(() => raw.query(sql, params));
    console.log(
      `${label.padEnd(26)} | ${name.padEnd(15)} | ${repo.p50.toFixed(1).padStart(6)} / ${repo.p95.toFixed(1).padStart(6)} | ${base.p50.toFixed(1).padStart(7)} / ${base.p95.toFixed(1).padStart(6)} | ${(repo.p50 / base.p50).toFixed(2)}×`,
    );
  }
  // The first page carries the capped count (one statement): its cost beyond a plain page.
  const count = await time(
    () => listWorkers(database.db, scope, {}, { limit: 20, countCap: 10_000 }),
    10,
  );
  console.log(
    `${label.padEnd(26)} | page + count    | ${count.p50.toFixed(1).padStart(6)} / ${count.p95.toFixed(1).padStart(6)} |`,
  );
}
await raw.end();
await database.close();

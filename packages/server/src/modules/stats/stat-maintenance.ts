import { todayIso } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { queryRows, type TExecutor } from '../../db/client.ts';
import {
  communityStatKeys,
  countyCodesOnPath,
  DERIVED_DIMS,
  nodeStatKeys,
  PACKS_DIM,
  pathCodes,
  type TCommunityFact,
  type TStatKey,
  type TWorkerStatFields,
  workerStatKeys,
} from './stat-keys.ts';

// Keeping stat_rollup equal to a GROUP BY of the raw records. Writers call one function in the
// same transaction as their change:
//   createWorker / updateWorker   → applyWorkerStatDelta(tx, before, after)
//   moveCommunity                 → applyCommunityMoveStats(tx, code, oldPath)
//   createOrg / updateOrg / recordOrgFact → refreshOrgStats(tx, code)
//   bulk writers (import)         → refreshCommunityStats(tx, codes of the org nodes touched)
//   pay results (issue 6)         → applyPathStatDelta(tx, orgPath, countyCode, [[PAY_DIM, month, fen]])
// Rows are upserted in key order so that two transactions never wait on each other in a cycle.
// Each of these functions also marks its transaction as changing the statistics
// (`markStatsChanged`), after its writes: the data version that cached dashboards are kept under
// is raised once when the transaction commits (migration 0017).

type TRow = { org: string; dim: string; value: string; n: number; county: string | null };
/** Pending changes of rollup rows, keyed by node, dimension and value. */
export type TStatDelta = Map<string, TRow>;

const keyOf = (org: string, dim: string, value: string) => `${org}\u0001${dim}\u0001${value}`;

export const newDelta = (): TStatDelta => new Map();

export const addToDelta = (
  delta: TStatDelta,
  org: string,
  county: string | null,
  dim: string,
  value: string,
  n: number,
) => {
  if (n === 0) return;
  const key = keyOf(org, dim, value);
  const row = delta.get(key);
  if (row) row.n += n;
  else delta.set(key, { org, dim, value, n, county });
};

/** Adds `sign ×` the keys to every node of the path (root to community). */
export const addAlongPath = (
  delta: TStatDelta,
  path: string,
  countyCode: string | null,
  keys: readonly TStatKey[],
  sign: 1 | -1,
) => {
  const codes = pathCodes(path);
  const counties = countyCodesOnPath(codes, countyCode);
  codes.forEach((code, i) => {
    for (const [dim, value, n] of keys)
      addToDelta(delta, code, counties[i] ?? null, dim, value, sign * n);
  });
};

/** Transactions already marked (a second mark in one transaction would do nothing anyway). */
const marked = new WeakSet<object>();

/**
 * Marks the executor's transaction as changing what a dashboard reads (rollup rows, org nodes,
 * facts, workers): the statistics' data version is raised once when it commits (the deferred
 * trigger of migration 0017), so every process computes its dashboards again. Called after the
 * writes, so that outside a transaction (each statement its own) the version moves after the data.
 */
export const markStatsChanged = async (db: TExecutor) => {
  const tx = db instanceof PgTransaction;
  if (tx && marked.has(db)) return;
  await db.execute(
    sql`insert into stat_change (tx) values (txid_current()) on conflict (tx) do nothing`,
  );
  if (tx) marked.add(db);
};

const CHUNK = 5000;

/**
 * Adds the delta to the rollup (upsert, in key order). Mode `add` (every writer's) marks the
 * statistics changed even when the delta is empty: the write it follows may change what a
 * dashboard reads besides the rollup (a worker's grid, a node's name).
 */
export const writeStatDelta = async (
  db: TExecutor,
  delta: TStatDelta,
  mode: 'add' | 'insert' = 'add',
) => {
  const rows = [...delta.entries()]
    .filter(([, r]) => r.n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => r);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const insert = sql`insert into stat_rollup (org_code, dim, value, n, county_code)
      select * from unnest(${sql.param(chunk.map((r) => r.org))}::text[],
        ${sql.param(chunk.map((r) => r.dim))}::text[], ${sql.param(chunk.map((r) => r.value))}::text[],
        ${sql.param(chunk.map((r) => r.n))}::bigint[], ${sql.param(chunk.map((r) => r.county))}::text[])`;
    await db.execute(
      mode === 'insert'
        ? insert
        : sql`${insert} on conflict (org_code, dim, value) do update set n = stat_rollup.n + excluded.n`,
    );
  }
  if (mode === 'add') await markStatsChanged(db);
};

/**
 * The one call of the worker use cases: what a worker record adds to the statistics before and
 * after the change (null for a new record). Call it in the same transaction as the write.
 */
export const applyWorkerStatDelta = async (
  db: TExecutor,
  before: TWorkerStatFields | null,
  after: TWorkerStatFields | null,
) => {
  const delta = newDelta();
  if (before) addAlongPath(delta, before.orgPath, before.countyCode, workerStatKeys(before), -1);
  if (after) addAlongPath(delta, after.orgPath, after.countyCode, workerStatKeys(after), 1);
  await writeStatDelta(db, delta);
};

/**
 * Adds amounts of a dimension that is not derived from workers or facts (pay cost in fen by
 * month) to every node above a community: `[[PAY_DIM, '2026-10', 812_345]]`.
 */
export const applyPathStatDelta = async (
  db: TExecutor,
  orgPath: string,
  countyCode: string | null,
  keys: readonly TStatKey[],
) => {
  const delta = newDelta();
  addAlongPath(delta, orgPath, countyCode, keys, 1);
  await writeStatDelta(db, delta);
};

type TOwnRow = { dim: string; value: string; n: number };

const ownRows = (db: TExecutor, code: string) =>
  queryRows<TOwnRow>(
    db,
    sql`select dim, value, n from stat_rollup where org_code = ${code} and n <> 0`,
  );

type TNodeRow = {
  code: string;
  parent_code: string | null;
  level: string;
  path: string;
  county_code: string | null;
  pack_id: string | null;
};

const findNode = async (db: TExecutor, code: string) =>
  (
    await queryRows<TNodeRow>(
      db,
      sql`select code, parent_code, level, path, county_code, pack_id from org where code = ${code}`,
    )
  )[0];

/**
 * A community moved to another street (its org path and its workers' paths already changed):
 * what it holds leaves the old street and county and joins the new ones.
 */
export const applyCommunityMoveStats = async (db: TExecutor, code: string, oldPath: string) => {
  const node = await findNode(db, code);
  if (!node || node.path === oldPath) return markStatsChanged(db);
  const own = await ownRows(db, code);
  const oldCodes = pathCodes(oldPath).filter((c) => c !== code);
  const newCodes = pathCodes(node.path).filter((c) => c !== code);
  const newCounties = countyCodesOnPath(pathCodes(node.path), node.county_code);
  const delta = newDelta();
  for (const c of oldCodes) {
    if (newCodes.includes(c)) continue;
    for (const r of own) addToDelta(delta, c, null, r.dim, r.value, -r.n);
  }
  newCodes.forEach((c, i) => {
    if (oldCodes.includes(c)) return;
    for (const r of own) addToDelta(delta, c, newCounties[i] ?? null, r.dim, r.value, r.n);
  });
  await writeStatDelta(db, delta);
  await db.execute(
    sql`update stat_rollup set county_code = ${node.county_code} where org_code = ${code}`,
  );
  await markStatsChanged(db);
};

const WORKER_FIELDS = sql`org_path as "orgPath", county_code as "countyCode", status, sex,
  education_level as "educationLevel", education_recognised as "educationRecognised",
  political_status as "politicalStatus", certificate_level as "certificateLevel",
  post_title as "postTitle", birth_date as "birthDate", service_started_on as "serviceStartedOn",
  prior_service as "priorService", lives_in_community as "livesInCommunity", hired_on as "hiredOn",
  exited_on as "exitedOn"`;

/** The stat fields of the workers matching a condition (a community, a grid, a path). */
export const selectWorkerStatFields = (db: TExecutor, where: ReturnType<typeof sql>) =>
  queryRows<TWorkerStatFields & { communityCode: string; gridCode: string | null }>(
    db,
    sql`select community_code as "communityCode", grid_code as "gridCode", ${WORKER_FIELDS}
        from worker where ${where}`,
  );

type TFactRow = TCommunityFact & { orgCode: string };

/** The latest facts (on or before today) of the given nodes. */
export const latestFacts = async (db: TExecutor, codes: readonly string[]) => {
  if (codes.length === 0) return new Map<string, TCommunityFact>();
  const rows = await queryRows<TFactRow>(
    db,
    sql`select distinct on (org_code) org_code as "orgCode", population,
          households_resident as "householdsResident", households_registered as "householdsRegistered", kind
        from org_fact where org_code = any(${sql.param([...codes])}::text[]) and effective_from <= ${todayIso()}
        order by org_code, effective_from desc`,
  );
  return new Map(rows.map(({ orgCode, ...f }) => [orgCode, f]));
};

/** What one community holds, computed from its workers, its latest facts and its grids. */
const communityOwn = (
  workers: readonly TWorkerStatFields[],
  fact: TCommunityFact | null,
  grids: number,
): Map<string, TOwnRow> => {
  const out = new Map<string, TOwnRow>();
  const add = ([dim, value, n]: TStatKey) => {
    const key = `${dim}\u0001${value}`;
    const row = out.get(key);
    if (row) row.n += n;
    else out.set(key, { dim, value, n });
  };
  for (const w of workers) for (const k of workerStatKeys(w)) add(k);
  for (const k of communityStatKeys(fact, grids)) add(k);
  return out;
};

/**
 * Recomputes what the given communities hold from their raw records and passes the difference
 * up the tree (a grid's community likewise; another node its own counts and pack). Idempotent;
 * for bulk writers (import: the codes of every org node and community touched) and as a repair.
 */
export const refreshCommunityStats = async (db: TExecutor, codes: readonly string[]) => {
  for (const code of codes) {
    const node = await findNode(db, code);
    if (!node) continue;
    if (node.level !== 'community') {
      // A grid counts in its community; any other node only by its own counts and pack.
      await refreshOrgStats(db, code);
      continue;
    }
    const workers = await selectWorkerStatFields(db, sql`community_code = ${code}`);
    const facts = await latestFacts(db, [code]);
    const grids = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from org where parent_code = ${code} and level = 'grid'`,
    );
    const computed = communityOwn(workers, facts.get(code) ?? null, grids[0]?.n ?? 0);
    for (const [dim, value, n] of nodeStatKeys({ code, level: node.level, packId: node.pack_id }))
      computed.set(`${dim}\u0001${value}`, { dim, value, n });
    const stored = await queryRows<TOwnRow>(
      db,
      sql`select dim, value, n from stat_rollup
          where org_code = ${code} and dim = any(${sql.param([...DERIVED_DIMS])}::text[])`,
    );
    const diff: TStatKey[] = [];
    for (const s of stored) {
      const c = computed.get(`${s.dim}\u0001${s.value}`);
      diff.push([s.dim, s.value, (c?.n ?? 0) - s.n]);
      computed.delete(`${s.dim}\u0001${s.value}`);
    }
    for (const c of computed.values()) diff.push([c.dim, c.value, c.n]);
    const delta = newDelta();
    addAlongPath(
      delta,
      node.path,
      node.county_code,
      diff.filter(([, , n]) => n !== 0),
      1,
    );
    await writeStatDelta(db, delta);
  }
  // Also with no code or no change: the caller's write (a node renamed) may still show.
  await markStatsChanged(db);
};

/**
 * The one call of the org use cases that add a node, change its pack or record facts: a community
 * (or the community of a grid) is recomputed; any other node gets its own count at its level and
 * its own pack entry.
 */
export const refreshOrgStats = async (db: TExecutor, code: string) => {
  const node = await findNode(db, code);
  if (!node) return markStatsChanged(db);
  if (node.level === 'community') return refreshCommunityStats(db, [code]);
  if (node.level === 'grid')
    return node.parent_code ? refreshCommunityStats(db, [node.parent_code]) : undefined;
  // Nodes above community hold themselves once at their level (no node has a descendant of its
  // own level) and, when they set a pack, their own entry; descendants add their own.
  const own = await ownRows(db, code);
  const diff: TStatKey[] = [];
  for (const [dim, value, n] of nodeStatKeys({ code, level: node.level, packId: node.pack_id })) {
    diff.push([dim, value, n - (own.find((r) => r.dim === dim && r.value === value)?.n ?? 0)]);
  }
  if (!node.pack_id) {
    const packRow = own.find((r) => r.dim === PACKS_DIM && r.value === code)?.n ?? 0;
    diff.push([PACKS_DIM, code, -packRow]);
  }
  const delta = newDelta();
  addAlongPath(
    delta,
    node.path,
    node.county_code,
    diff.filter(([, , n]) => n !== 0),
    1,
  );
  await writeStatDelta(db, delta);
};

/** Adds workers to a delta: summed per community first, then passed up its path once. */
const addWorkers = (delta: TStatDelta, workers: readonly TWorkerStatFields[]) => {
  const byPlace = new Map<string, { path: string; county: string; keys: Map<string, TOwnRow> }>();
  for (const w of workers) {
    const place = `${w.orgPath}\u0001${w.countyCode}`;
    let p = byPlace.get(place);
    if (!p) {
      p = { path: w.orgPath, county: w.countyCode, keys: new Map() };
      byPlace.set(place, p);
    }
    for (const [dim, value, n] of workerStatKeys(w)) {
      const key = `${dim}\u0001${value}`;
      const row = p.keys.get(key);
      if (row) row.n += n;
      else p.keys.set(key, { dim, value, n });
    }
  }
  for (const p of byPlace.values()) {
    const keys: TStatKey[] = [...p.keys.values()].map((r) => [r.dim, r.value, r.n]);
    addAlongPath(delta, p.path, p.county, keys, 1);
  }
};

export type TRebuildProgress = (done: number, total: number) => Promise<void> | void;

/**
 * Rebuilds every derived row of the rollup from the raw records, county by county, in one
 * transaction: readers see the old figures until it commits, and writers wait (the table is
 * locked against writes) so that no change is counted twice or lost.
 */
export const rebuildStatRollup = async (
  db: TExecutor,
  onProgress?: TRebuildProgress,
): Promise<{ rows: number; workers: number }> =>
  db.transaction(async (tx) => {
    const t = tx as unknown as TExecutor;
    await t.execute(sql`lock table stat_rollup in exclusive mode`);
    await t.execute(
      sql`delete from stat_rollup where dim = any(${sql.param([...DERIVED_DIMS])}::text[])`,
    );
    const nodes = await queryRows<TNodeRow>(
      t,
      sql`select code, parent_code, level, path, county_code, pack_id from org where level <> 'grid'`,
    );
    const gridRows = await queryRows<{ code: string; n: number }>(
      t,
      sql`select parent_code as code, count(*)::int as n from org where level = 'grid' group by parent_code`,
    );
    const gridsOf = new Map(gridRows.map((r) => [r.code, r.n]));
    const communities = nodes.filter((n) => n.level === 'community');
    const facts = await latestFacts(
      t,
      communities.map((c) => c.code),
    );
    // Above county: small, kept until the end. At county and below: written county by county.
    const high = newDelta();
    const counties = nodes.filter((n) => n.level === 'county');
    const countyPaths = counties.map((c) => c.path);
    // Nodes at county level and below carry their county's code.
    const countySet = new Set(counties.map((c) => c.code));
    const byCounty = new Map<string | null, TNodeRow[]>();
    for (const n of nodes) {
      const key = n.county_code && countySet.has(n.county_code) ? n.county_code : null;
      const list = byCounty.get(key);
      if (list) list.push(n);
      else byCounty.set(key, [n]);
    }
    let rows = 0;
    let workers = 0;
    const flush = async (delta: TStatDelta) => {
      const low = newDelta();
      for (const [key, r] of delta) {
        if (r.county) low.set(key, r);
        else addToDelta(high, r.org, null, r.dim, r.value, r.n);
      }
      rows += low.size;
      await writeStatDelta(t, low, 'insert');
    };
    const addNodes = (delta: TStatDelta, list: readonly TNodeRow[]) => {
      for (const n of list) {
        const own = nodeStatKeys({ code: n.code, level: n.level, packId: n.pack_id });
        if (n.level === 'community') {
          const keys = communityStatKeys(facts.get(n.code) ?? null, gridsOf.get(n.code) ?? 0);
          addAlongPath(delta, n.path, n.county_code, [...keys, ...own], 1);
        } else addAlongPath(delta, n.path, n.county_code, own, 1);
      }
    };
    let done = 0;
    for (const county of counties) {
      const delta = newDelta();
      const list = await selectWorkerStatFields(t, sql`org_path like ${`${county.path}%`}`);
      addWorkers(delta, list);
      workers += list.length;
      addNodes(delta, byCounty.get(county.code) ?? []);
      await flush(delta);
      done++;
      await onProgress?.(done, counties.length + 1);
    }
    // Nodes and workers outside any county (nodes above county, or a tree without counties).
    const rest = newDelta();
    addNodes(rest, byCounty.get(null) ?? []);
    const loose = await selectWorkerStatFields(
      t,
      countyPaths.length === 0
        ? sql`true`
        : sql`not (org_path like any(${sql.param(countyPaths.map((p) => `${p}%`))}::text[]))`,
    );
    addWorkers(rest, loose);
    workers += loose.length;
    await flush(rest);
    rows += high.size;
    await writeStatDelta(t, high, 'insert');
    await markStatsChanged(t);
    await onProgress?.(counties.length + 1, counties.length + 1);
    return { rows, workers };
  });

let building: Promise<unknown> | undefined;

/**
 * Databases whose rollup this process has seen built. Once built it stays built, whichever
 * process writes: writers keep it up to date in their own transactions, and a rebuild deletes and
 * writes it again in one transaction, so no reader sees it unbuilt. The check is a statement on
 * every dashboard otherwise. (A database replaced under a running server — a restore — needs the
 * server restarted anyway.)
 */
const seenBuilt = new WeakSet<TExecutor>();

/**
 * Builds the rollup when it has never been built for the workers present (a fresh database with
 * the demo loaded in bulk). Cheap when built: two probes of one row each, once per process.
 */
export const ensureStatRollup = async (db: TExecutor) => {
  if (seenBuilt.has(db)) return;
  // Every worker counts in the `joined` rows of the root of the tree.
  const state = await queryRows<{ workers: boolean; built: boolean }>(
    db,
    sql`select exists(select 1 from worker) as workers,
          exists(select 1 from stat_rollup r join org o on o.code = r.org_code
                 where o.parent_code is null and r.dim = 'joined') as built`,
  );
  const s = state[0];
  if (s?.built) seenBuilt.add(db);
  if (!s?.workers || s.built) return;
  building ??= rebuildStatRollup(db).finally(() => {
    building = undefined;
  });
  await building;
  seenBuilt.add(db);
};

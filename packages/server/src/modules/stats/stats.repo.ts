import { sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import { queryRows, queryRowsPrepared, type TExecutor } from '../../db/client.ts';
import { pathInScope } from '../org/org-scope.ts';
import { communityStatKeys, type TStatKey, workerStatKeys } from './stat-keys.ts';
import { latestFacts, selectWorkerStatFields } from './stat-maintenance.ts';

// Reads of the statistics. Every function here but the first is given nodes the caller may see
// (the route checked the node against the scope, and everything read lies in its subtree).

/**
 * The statistics' data version (migration 0017) when the node is in the caller's scope, else
 * undefined: one statement, before a cached dashboard is served or a new one computed (read
 * first, so that what is computed after it is at least as new as the version it is kept under).
 */
export const statsVersionInScope = async (
  db: TExecutor,
  scope: TScope,
  code: string,
): Promise<string | undefined> => {
  // Prepared: the node by its primary key, the version's one row.
  const rows = await queryRowsPrepared<{ version: string }>(
    db,
    'stats_version',
    sql`select v.n::text as version from org o cross join stat_version v
        where o.code = ${code} and ${pathInScope(sql`o.path`, scope)}`,
  );
  return rows[0]?.version;
};

/** The figures of one node: dimension → value → count. */
export type TNodeStats = Map<string, Map<string, number>>;

export const emptyStats = (): TNodeStats => new Map();

export const addKey = (stats: TNodeStats, [dim, value, n]: TStatKey) => {
  let m = stats.get(dim);
  if (!m) {
    m = new Map();
    stats.set(dim, m);
  }
  m.set(value, (m.get(value) ?? 0) + n);
};

export const statOf = (stats: TNodeStats | undefined, dim: string, value = ''): number =>
  stats?.get(dim)?.get(value) ?? 0;

export const entriesOf = (stats: TNodeStats | undefined, dim: string): [string, number][] =>
  [...(stats?.get(dim)?.entries() ?? [])].filter(([, n]) => n !== 0);

/** Rollup rows of the given nodes (optionally only some dimensions). */
export const readRollup = async (
  db: TExecutor,
  codes: readonly string[],
  dims?: readonly string[],
): Promise<Map<string, TNodeStats>> => {
  const out = new Map<string, TNodeStats>(codes.map((c) => [c, emptyStats()]));
  if (codes.length === 0) return out;
  const rows = await queryRows<{ org: string; dim: string; value: string; n: number }>(
    db,
    sql`select org_code as org, dim, value, n from stat_rollup
        where org_code = any(${sql.param([...codes])}::text[]) and n <> 0
        ${dims ? sql`and dim = any(${sql.param([...dims])}::text[])` : sql``}`,
  );
  for (const r of rows) addKey(out.get(r.org) as TNodeStats, [r.dim, r.value, Number(r.n)]);
  return out;
};

/**
 * Rollup rows of several groups of nodes, each group with its own dimensions, in one statement
 * (a dashboard reads its node's figures and its children's; one statement instead of one per
 * group). A node in two groups gets the rows of both.
 */
export const readRollupGroups = async (
  db: TExecutor,
  groups: readonly { codes: readonly string[]; dims: readonly string[] }[],
): Promise<Map<string, TNodeStats>> => {
  const out = new Map<string, TNodeStats>();
  for (const g of groups) for (const c of g.codes) if (!out.has(c)) out.set(c, emptyStats());
  const parts = groups
    .filter((g) => g.codes.length > 0)
    .map(
      (g) => sql`(select org_code as org, dim, value, n from stat_rollup
        where org_code = any(${sql.param([...g.codes])}::text[]) and n <> 0
          and dim = any(${sql.param([...g.dims])}::text[]))`,
    );
  if (parts.length === 0) return out;
  const rows = await queryRows<{ org: string; dim: string; value: string; n: number }>(
    db,
    sql.join(parts, sql` union all `),
  );
  for (const r of rows) addKey(out.get(r.org) as TNodeStats, [r.dim, r.value, Number(r.n)]);
  return out;
};

/**
 * Figures computed from the raw rows of a few workers (the grids of one community, which the
 * rollup does not keep: a grid holds a handful of people).
 */
export const liveGridStats = async (
  db: TExecutor,
  communityCode: string,
  gridCodes: readonly string[],
): Promise<Map<string, TNodeStats>> => {
  const out = new Map<string, TNodeStats>(gridCodes.map((c) => [c, emptyStats()]));
  if (gridCodes.length === 0) return out;
  const workers = await selectWorkerStatFields(
    db,
    sql`community_code = ${communityCode} and grid_code = any(${sql.param([...gridCodes])}::text[])`,
  );
  for (const w of workers) {
    const stats = out.get(w.gridCode ?? '');
    if (stats) for (const k of workerStatKeys(w)) addKey(stats, k);
  }
  const facts = await latestFacts(db, gridCodes);
  for (const code of gridCodes) {
    const stats = out.get(code) as TNodeStats;
    for (const k of communityStatKeys(facts.get(code) ?? null, 0)) {
      if (k[0] === 'population' || k[0] === 'households') addKey(stats, k);
    }
  }
  return out;
};

export type TDescendant = { code: string; level: string };

/**
 * The nodes below a node down to `deepest` (street or community), level by level through the
 * parent index (the grids, ten times as many as communities, are never read).
 */
export const descendantsAboveGrid = async (
  db: TExecutor,
  code: string,
  deepest: 'street' | 'community',
  /** The node's children when the caller has read them already (the first level is not read). */
  children?: readonly TDescendant[],
): Promise<TDescendant[]> => {
  const out: TDescendant[] = [];
  let frontier = [code];
  if (children) {
    for (const r of children)
      if (r.level !== 'grid' && (deepest === 'community' || r.level !== 'community'))
        out.push({ code: r.code, level: r.level });
    frontier = out.filter((r) => r.level !== deepest).map((r) => r.code);
  }
  while (frontier.length > 0) {
    const rows = await queryRows<TDescendant>(
      db,
      sql`select code, level from org
          where parent_code = any(${sql.param(frontier)}::text[])
            and level <> 'grid' ${deepest === 'street' ? sql`and level <> 'community'` : sql``}`,
    );
    for (const r of rows) out.push(r);
    frontier = rows.filter((r) => r.level !== deepest).map((r) => r.code);
  }
  return out;
};

/**
 * Per unit (community or street): the workers counted by a target (`among` values of the
 * dimension) and those meeting it (`hit`), from each unit's own rollup rows. The lateral subquery
 * (kept apart by `offset 0`) makes it one index probe per unit whatever the planner estimates.
 */
export const unitTallies = async (
  db: TExecutor,
  units: readonly string[],
  selector: { dim: string; among: string[]; hit: string[] },
) => {
  if (units.length === 0) return [];
  const rows = await queryRows<{ org: string; total: number; count: number }>(
    db,
    sql`select u.code as org, sum(r.n) as total,
          coalesce(sum(r.n) filter (where r.value = any(${sql.param(selector.hit)}::text[])), 0) as count
        from unnest(${sql.param([...units])}::text[]) as u(code)
        cross join lateral (
          select value, n from stat_rollup
          where org_code = u.code and dim = ${selector.dim}
            and value = any(${sql.param(selector.among)}::text[])
          offset 0) r
        group by u.code`,
  );
  const byUnit = new Map(rows.map((r) => [r.org, r]));
  return units.map((u) => {
    const r = byUnit.get(u);
    return { count: Number(r?.count ?? 0), total: Number(r?.total ?? 0) };
  });
};

/** Path and pack of the given nodes that set a pack. */
export const nodesByCode = async (db: TExecutor, codes: readonly string[]) =>
  codes.length === 0
    ? []
    : queryRows<{ code: string; path: string; packId: string }>(
        db,
        sql`select code, path, pack_id as "packId" from org
            where code = any(${sql.param([...codes])}::text[]) and pack_id is not null`,
      );

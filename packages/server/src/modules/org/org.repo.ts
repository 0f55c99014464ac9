import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { TScope } from '../../context.ts';
import {
  keptSql,
  queryRows,
  queryRowsPrepared,
  runPrepared,
  type TExecutor,
} from '../../db/client.ts';
import { org, orgFact, orgMove, worker } from '../../db/schema/index.ts';
import { pathInScope, pathLike, scopePattern, underPath } from './org-scope.ts';

export type TOrgRow = typeof org.$inferSelect;

/**
 * The street of a community, joined as `leftJoin(communityStreet, eq(communityStreet.code,
 * org.parentCode))`: lists name a community with its street, since names repeat across streets.
 */
export const communityStreet = alias(org, 'community_street');

/** A node of the tree if it lies inside the caller's scope; undefined otherwise (→ 404). */
export const findOrgInScope = async (db: TExecutor, scope: TScope, code: string) =>
  (
    await db
      .select()
      .from(org)
      .where(and(eq(org.code, code), pathInScope(org.path, scope)))
      .limit(1)
  )[0];

export type TOrgNode = Pick<
  TOrgRow,
  'code' | 'parentCode' | 'level' | 'name' | 'path' | 'packId' | 'sort'
>;

/**
 * A node inside the caller's scope, the nodes of its path (root first, the node last) and its
 * children inside the scope (by sort, then code) — in one statement, where a dashboard ran three
 * (each statement costs a round trip, and on PGlite a turn of its one connection). Undefined
 * outside the scope (→ 404).
 */
export const findOrgFamilyInScope = async (db: TExecutor, scope: TScope, code: string) => {
  // Prepared: reads by the primary key and the parent's code, whatever the values.
  const rows = await queryRowsPrepared<TOrgNode & { role: 'path' | 'child' }>(
    db,
    'org_family',
    sql`with n as (select path from org where code = ${code} and ${pathInScope(sql`path`, scope)})
        select 'path' as role, o.code, o.parent_code as "parentCode", o.level, o.name, o.path,
               o.pack_id as "packId", o.sort
          from n join org o on o.code = any(string_to_array(trim(both '/' from n.path), '/'))
        union all
        select 'child', c.code, c.parent_code, c.level, c.name, c.path, c.pack_id, c.sort
          from n join org c on c.parent_code = ${code} and ${pathInScope(sql`c.path`, scope)}`,
  );
  const node = rows.find((r) => r.role === 'path' && r.code === code);
  if (!node) return undefined;
  const byCode = new Map(rows.filter((r) => r.role === 'path').map((r) => [r.code, r]));
  const strip = ({ role, ...r }: TOrgNode & { role: string }): TOrgNode => r;
  return {
    node: strip(node),
    path: codesOf(node.path).map((c) => {
      const r = byCode.get(c);
      return r ? strip(r) : { code: c, name: c, packId: null };
    }),
    children: rows
      .filter((r) => r.role === 'child')
      .sort((a, b) => a.sort - b.sort || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map(strip),
  };
};

/** Counts under a node: nodes by level and active workers in its subtree, inside the scope. */
export type TOrgCounts = { streets: number; communities: number; grids: number; workers: number };

type TCountColumns = Record<keyof TOrgCounts, unknown>;

/**
 * SQL: the counts under the node aliased `o` as columns streets, communities, grids and workers of
 * a lateral join `l` (one statement for any number of nodes), each subtree an index range
 * (`underPath`), inside the scope whose `like` pattern (`scopePattern`, or a placeholder of it) is
 * given.
 */
const countsUnderNode = (pattern: unknown) => sql`cross join lateral (
    select count(*) filter (where x.level = 'street') as streets,
           count(*) filter (where x.level = 'community') as communities,
           count(*) filter (where x.level = 'grid') as grids,
           (select count(*) from worker w
             where ${underPath(sql`w.org_path`, sql`o.path`)}
               and ${pathLike(sql`w.org_path`, pattern)} and w.status <> '已退出') as workers
      from org x
     where ${underPath(sql`x.path`, sql`o.path`)}
       and ${pathLike(sql`x.path`, pattern)}) l`;

const nodeColumns = sql`o.code, o.parent_code as "parentCode", o.level, o.name, o.path,
  o.pack_id as "packId", o.sort, l.streets, l.communities, l.grids, l.workers`;

/** A row with the count columns as numbers under `counts` (count(*) comes back as text). */
const withCounts = <T extends TCountColumns>(row: T) => {
  const { streets, communities, grids, workers, ...rest } = row;
  return {
    rest,
    counts: {
      streets: Number(streets),
      communities: Number(communities),
      grids: Number(grids),
      workers: Number(workers),
    },
  };
};

/**
 * A node inside the caller's scope with its effective pack (its own, else the nearest ancestor's)
 * and the counts under it (`countsUnderNode`) in one statement, where the node page ran five.
 * Undefined outside the scope (→ 404).
 */
export const findOrgWithCountsInScope = async (db: TExecutor, scope: TScope, code: string) => {
  // Prepared: the subtree's ranges come from the node's row, so the plan does not depend on the
  // values (PostgreSQL planned it on every request: ≈ 0.6 ms of backend CPU of ≈ 1.3). Built once
  // (the scope is a value), run with the values.
  const row = (
    await runPrepared<TOrgNode & TCountColumns & { effectivePackId: string | null }>(
      keptSql(db, 'org_with_counts', '', () => {
        const pattern = sql.placeholder('scopePattern');
        return sql`select ${nodeColumns},
            (select p.pack_id from org p
              where p.code = any(string_to_array(trim(both '/' from o.path), '/'))
                and p.pack_id is not null
              order by length(p.path) desc limit 1) as "effectivePackId"
          from org o ${countsUnderNode(pattern)}
          where o.code = ${sql.placeholder('code')} and ${pathLike(sql`o.path`, pattern)}`;
      }),
      { code, scopePattern: scopePattern(scope) },
    )
  )[0];
  if (!row) return undefined;
  const { rest, counts } = withCounts(row);
  const { effectivePackId, ...node } = rest;
  return { node, effectivePackId, counts };
};

/**
 * The children of a node inside the caller's scope (by sort, then code), each with the counts
 * under it, in one statement (was two statements per child).
 */
export const listChildrenWithCountsInScope = async (
  db: TExecutor,
  scope: TScope,
  parentCode: string,
) =>
  (
    await queryRows<TOrgNode & TCountColumns>(
      db,
      sql`select ${nodeColumns} from org o ${countsUnderNode(scopePattern(scope))}
          where o.parent_code = ${parentCode} and ${pathInScope(sql`o.path`, scope)}
          order by o.sort, o.code`,
    )
  ).map((row) => {
    const { rest, counts } = withCounts(row);
    return { node: rest, counts };
  });

/** The facts of a node over time, newest first. */
export const listFacts = (db: TExecutor, code: string) =>
  db.select().from(orgFact).where(eq(orgFact.orgCode, code)).orderBy(desc(orgFact.effectiveFrom));

/** The grids of a community with their latest households and the grid workers assigned. */
export const listGridsWithWorkers = async (db: TExecutor, scope: TScope, communityCode: string) => {
  const grids = await db
    .select()
    .from(org)
    .where(
      and(eq(org.parentCode, communityCode), eq(org.level, 'grid'), pathInScope(org.path, scope)),
    )
    .orderBy(asc(org.code));
  if (grids.length === 0) return [];
  const codes = grids.map((g) => g.code);
  const facts = await db
    .selectDistinctOn([orgFact.orgCode], {
      orgCode: orgFact.orgCode,
      households: orgFact.householdsResident,
    })
    .from(orgFact)
    .where(inArray(orgFact.orgCode, codes))
    .orderBy(orgFact.orgCode, desc(orgFact.effectiveFrom));
  const workers = await db
    .select({
      id: worker.id,
      name: worker.name,
      gridCode: worker.gridCode,
      postTitle: worker.postTitle,
    })
    .from(worker)
    .where(
      and(
        inArray(worker.gridCode, codes),
        sql`${worker.status} <> '已退出'`,
        pathInScope(worker.orgPath, scope),
      ),
    );
  return grids.map((g) => ({
    code: g.code,
    name: g.name,
    households: facts.find((f) => f.orgCode === g.code)?.households ?? null,
    workers: workers.filter((w) => w.gridCode === g.code).map(({ gridCode, ...w }) => w),
  }));
};

export const listMoves = (db: TExecutor, code: string) =>
  db.select().from(orgMove).where(eq(orgMove.orgCode, code)).orderBy(desc(orgMove.effectiveOn));

/** The codes of the nodes on a materialised path, root first. */
const codesOf = (path: string) => path.split('/').filter(Boolean);

/**
 * The governing pack of a path: the pack set on the deepest node of the path that has one (a node
 * without a pack inherits its parent's). `packOf` gives a node's own pack.
 */
export const governingPack = (
  packOf: (code: string) => string | null | undefined,
  path: string,
): string | null =>
  codesOf(path)
    .reverse()
    .map(packOf)
    .find((p) => p) ?? null;

/**
 * Every node on the given paths, plus `extraCodes`, with its name and own pack: the names a view
 * shows and the governing packs (`governingPack`) in one query.
 */
export const findPathNodes = async (
  db: TExecutor,
  paths: readonly string[],
  extraCodes: readonly string[] = [],
) => {
  const codes = [...new Set([...paths.flatMap(codesOf), ...extraCodes])];
  if (codes.length === 0) return new Map<string, { name: string; packId: string | null }>();
  const rows = await db
    .select({ code: org.code, name: org.name, packId: org.packId })
    .from(org)
    .where(inArray(org.code, codes));
  return new Map(rows.map((r) => [r.code, { name: r.name, packId: r.packId }]));
};

/** The governing pack of each path (see `governingPack`). One query for any number of paths. */
export const effectivePackIds = async (db: TExecutor, paths: readonly string[]) => {
  const codes = [...new Set(paths.flatMap(codesOf))];
  const result = new Map<string, string | null>();
  if (codes.length === 0) return result;
  const rows = await db
    .select({ code: org.code, packId: org.packId })
    .from(org)
    .where(and(inArray(org.code, codes), sql`${org.packId} is not null`));
  const packOf = new Map(rows.map((r) => [r.code, r.packId]));
  for (const path of paths)
    result.set(
      path,
      governingPack((c) => packOf.get(c), path),
    );
  return result;
};

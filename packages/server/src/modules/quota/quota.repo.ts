import type { TOrgLevel } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';
import { likePrefix } from '../org/org-scope.ts';

// All SQL of the quota module. Every read takes the caller's scope and keeps to the subtree.

export type TCommunityRow = {
  code: string;
  name: string;
  path: string;
  parentCode: string | null;
  countyCode: string | null;
  households: number | null;
  residents: number | null;
  kind: string | null;
  starRating: number | null;
  factFrom: string | null;
};

/**
 * The communities under a path (inside the scope) with their facts on the date: the latest
 * dated fact that has started. Households are the resident households, else the registered ones.
 */
export const listCommunitiesWithFacts = (
  db: TExecutor,
  scope: TScope,
  under: string,
  onDate: string,
): Promise<TCommunityRow[]> =>
  queryRows<TCommunityRow>(
    db,
    sql`select o.code, o.name, o.path, o.parent_code as "parentCode", o.county_code as "countyCode",
          coalesce(f.households_resident, f.households_registered) as households,
          f.population as residents, f.kind, f.star_rating as "starRating",
          f.effective_from::text as "factFrom"
        from org o
        left join lateral (
          select * from org_fact f where f.org_code = o.code and f.effective_from <= ${onDate}
          order by f.effective_from desc limit 1
        ) f on true
        where o.level = 'community' and o.path like ${likePrefix(under)}
          and o.path like ${likePrefix(scope.path)}
        order by o.path`,
  );

/** SQL: the worker was in post on the date (hired, not yet left). */
export const activeOn = (onDate: string) =>
  sql`coalesce(w.hired_on, w.service_started_on) <= ${onDate}
      and (w.exited_on is null or w.exited_on > ${onDate})
      and not (w.status = '已退出' and w.exited_on is null)`;

/** Active workers on the date by community and post title. */
export const countHeadcount = (db: TExecutor, scope: TScope, under: string, onDate: string) =>
  queryRows<{ communityCode: string; title: string | null; n: number }>(
    db,
    sql`select w.community_code as "communityCode", w.post_title as title, count(*)::int as n
        from worker w
        where w.org_path like ${likePrefix(under)} and w.org_path like ${likePrefix(scope.path)}
          and ${activeOn(onDate)}
        group by 1, 2`,
  );

/** Grids per community and how many have no active worker assigned (one scan of the workers). */
export const countGrids = (db: TExecutor, scope: TScope, under: string, onDate: string) =>
  queryRows<{ communityCode: string; grids: number; empty: number }>(
    db,
    sql`select g.parent_code as "communityCode", count(*)::int as grids,
          count(*) filter (where staffed.grid_code is null)::int as empty
        from org g
        left join (
          select distinct w.grid_code from worker w
          where w.grid_code is not null and w.org_path like ${likePrefix(under)}
            and w.org_path like ${likePrefix(scope.path)} and ${activeOn(onDate)}
        ) staffed on staffed.grid_code = g.code
        where g.level = 'grid' and g.path like ${likePrefix(under)}
          and g.path like ${likePrefix(scope.path)}
        group by 1`,
  );

export type TNodeRow = {
  code: string;
  name: string;
  level: TOrgLevel;
  path: string;
  parentCode: string | null;
};

/** Nodes by code (names of ancestors and children); no scope: callers pass codes they may see. */
export const findNodes = (db: TExecutor, codes: readonly string[]) =>
  codes.length === 0
    ? Promise.resolve([] as TNodeRow[])
    : queryRows<TNodeRow>(
        db,
        sql`select code, name, level, path, parent_code as "parentCode" from org
            where code in ${codes}`,
      );

/** Children of a node inside the scope. */
export const listChildNodes = (db: TExecutor, scope: TScope, code: string) =>
  queryRows<TNodeRow>(
    db,
    sql`select code, name, level, path, parent_code as "parentCode" from org
        where parent_code = ${code} and level <> 'grid' and path like ${likePrefix(scope.path)}
        order by sort, code`,
  );

/** County-level nodes under a path or on it (their names are the districts packs may name). */
export const listCountyNodes = (db: TExecutor, under: string, onPath: readonly string[]) =>
  queryRows<{ code: string; name: string }>(
    db,
    sql`select code, name from org
        where level = 'county' and (path like ${likePrefix(under)} or code in ${onPath.length ? onPath : ['']})`,
  );

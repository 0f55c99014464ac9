import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { org, worker } from '../../db/schema/index.ts';
import { seedDemo } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { governingPack } from '../org/org.repo.ts';
import { listWorkers, type TWorkerFilters, type TWorkerRow } from './worker.repo.ts';

/**
 * The list's one statement (org node in scope, page, names, packs, capped total — with a plan per
 * org level) against the plain reading of its contract, computed here from every worker and node:
 * workers in the scope (the subtree; a worker's own record for the self scope), under the org
 * filter's node when that node is in the scope, matching the filters, in id order after the
 * cursor; the total counted without the cursor up to cap + 1; the street the node above the
 * community on the worker's path, the pack the deepest one set on it.
 */
describe(`worker list statement (${testDbKind()})`, () => {
  let services: TServices;
  let workers: TWorkerRow[];
  let nodes: Map<string, { name: string; path: string; level: string; packId: string | null }>;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 400);
    const { db } = services.database;
    workers = await db.select().from(worker).orderBy(asc(worker.id));
    nodes = new Map(
      (await db.select().from(org)).map((o) => [
        o.code,
        { name: o.name, path: o.path, level: o.level, packId: o.packId },
      ]),
    );
  });
  afterAll(() => services.database.close());

  const codesOf = (path: string) => path.split('/').filter(Boolean);

  const expected = (
    scope: TScope,
    f: TWorkerFilters,
    page: { after?: string; limit: number; countCap?: number },
  ) => {
    const node = f.orgCode ? nodes.get(f.orgCode) : undefined;
    if (f.orgCode && !node?.path.startsWith(scope.path)) return { orgFound: false, rows: [] };
    const matching = workers.filter(
      (w) =>
        w.orgPath.startsWith(scope.path) &&
        (scope.kind !== 'self' || w.id === scope.workerId) &&
        (!node || w.orgPath.startsWith(node.path)) &&
        (!f.status || w.status === f.status) &&
        (!f.educationLevel || w.educationLevel === f.educationLevel) &&
        (!f.postTitle || w.postTitle === f.postTitle) &&
        (!f.certificateLevel || w.certificateLevel === f.certificateLevel) &&
        (!f.idNumberHash || w.idNumberHash === f.idNumberHash) &&
        (!f.phoneHash || w.phoneHash === f.phoneHash) &&
        (!f.nameprefix || w.name.startsWith(f.nameprefix)),
    );
    const total = page.countCap === undefined ? null : Math.min(matching.length, page.countCap + 1);
    const rows = matching
      .filter((w) => !page.after || w.id > page.after)
      .slice(0, page.limit)
      .map(({ idNumberHash, phoneHash, orgPath, countyCode, createdAt, ...shown }) => ({
        // Only what the list's view shows: not the blind indexes, path, county or creation time.
        ...shown,
        communityName: nodes.get(shown.communityCode)?.name ?? null,
        streetName: nodes.get(codesOf(orgPath).at(-2) ?? '')?.name ?? '',
        packId: governingPack((code) => nodes.get(code)?.packId, orgPath),
        total,
      }));
    return { orgFound: true, rows };
  };

  it('gives the page, names, packs and capped total of a plain reading, for every scope, org level and filter', async () => {
    const { db } = services.database;
    const first = workers[0]!;
    const [county, street, community] = codesOf(first.orgPath).slice(-3);
    const elsewhere = workers.find((w) => !w.orgPath.includes(`/${county}/`))!;
    const scopes: TScope[] = [
      { kind: 'org', path: '/000000/', orgCode: '000000' },
      { kind: 'org', path: nodes.get(county!)!.path, orgCode: county! },
      { kind: 'org', path: nodes.get(street!)!.path, orgCode: street! },
      { kind: 'self', workerId: first.id, path: first.orgPath, orgCode: community! },
    ];
    // Every level of the tree (both plans), and a county outside the smaller scopes.
    const orgCodes = [
      undefined,
      ...codesOf(first.orgPath),
      codesOf(elsewhere.orgPath).at(-3)!,
      codesOf(elsewhere.orgPath).at(-1)!,
    ];
    expect(new Set(orgCodes.map((c) => c && nodes.get(c)?.level))).toEqual(
      new Set([undefined, 'country', 'province', 'city', 'county', 'street', 'community']),
    );
    // Not vacuous: the filters below are set.
    expect([first.postTitle, elsewhere.phoneHash].every(Boolean)).toBe(true);
    const filters: TWorkerFilters[] = [
      {},
      { educationLevel: '本科' },
      { status: '在岗', nameprefix: '王' },
      { educationLevel: '大专', status: '在岗' },
      // Every filter of the prepared statement's shapes (built once per shape, run with values).
      { postTitle: first.postTitle, certificateLevel: first.certificateLevel } as TWorkerFilters,
      { idNumberHash: first.idNumberHash },
      { phoneHash: elsewhere.phoneHash, status: elsewhere.status } as TWorkerFilters,
      // Shapes that differ from one above only by the name prefix (a shape key without it would
      // run the other's statement), and a prefix whose wildcard must be taken literally.
      { nameprefix: '王' },
      { status: '在岗' },
      { nameprefix: '王_', educationLevel: '本科' },
    ];
    let compared = 0;
    let nonEmpty = 0;
    for (const scope of scopes)
      for (const orgCode of orgCodes)
        for (const f of filters) {
          const all = expected(scope, { ...f, orgCode }, { limit: 10_000 }).rows;
          const afters = [undefined, all[2]?.id, all.at(-1)?.id];
          for (const after of afters)
            for (const countCap of [undefined, 3, 10_000]) {
              const page = { after, limit: 7, countCap };
              const got = await listWorkers(db, scope, { ...f, orgCode }, page);
              expect(got, JSON.stringify({ scope, orgCode, f, page })).toEqual(
                expected(scope, { ...f, orgCode }, page),
              );
              compared++;
              if (got.rows.length > 0) nonEmpty++;
            }
        }
    // Not vacuous: most combinations list someone.
    expect(compared).toBe(4 * 9 * 10 * 9);
    expect(nonEmpty).toBeGreaterThan(compared / 5);
  });

  it('counts a name prefix + status in a scope from the index alone after the demo load (index and visibility map)', async () => {
    // The count's shape in listWorkers; the plan forced off the heap scans (400 workers would be
    // read whole), so what is checked is that the index covers the count and that the demo load
    // left the pages all-visible: with a heap fetch a match, 100,000 workers cost ~2,500 pages.
    const plan = await services.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      return queryRows<{ 'QUERY PLAN': string }>(
        tx,
        sql`explain (analyze, costs off) select count(*)::int from (select 1 from ${worker}
              where ${worker.orgPath} like '/000000/%' and ${worker.status} = '在岗'
                and ${worker.name} like '王%' limit 10001) capped`,
      );
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('Index Only Scan using worker_name_status_path_idx');
    expect(text).toMatch(/Heap Fetches: 0\b/);
    expect(
      workers.filter((w) => w.name.startsWith('王') && w.status === '在岗').length,
    ).toBeGreaterThan(0);
  });
});

import type { TAlertItem } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { effectivePackIds } from '../org/org.repo.ts';
import { alertsOf, loadWorkerPage, packCache, type TWorkerRecord } from './worker-policy.ts';

/** How many workers one request evaluates; a larger scope is narrowed by choosing a node. */
export const ALERT_WORKER_CAP = 20_000;
const PAGE = 1000;

const LEVEL_ORDER = { overdue: 0, due: 1, upcoming: 2, info: 3 } as const;

/**
 * Walks the active workers under a path (inside the caller's scope) page by page and evaluates
 * each one's alerts under the pack governing their community on the date. `visit` sees every
 * worker with its alerts (for workflows that need more than the list).
 */
export const forEachWorkerAlerts = async (
  ctx: TCtx,
  under: string,
  onDate: string,
  visit: (rec: TWorkerRecord, alerts: ReturnType<typeof alertsOf>, packId: string | null) => void,
  cap = ALERT_WORKER_CAP,
): Promise<{ workers: number; complete: boolean }> => {
  const packOf = packCache(ctx.services.policies, onDate);
  let after: string | undefined;
  let workers = 0;
  for (;;) {
    const limit = Math.min(PAGE, cap - workers);
    if (limit <= 0) return { workers, complete: false };
    const page = await loadWorkerPage(ctx.db, ctx.actor.scope, under, { after, limit });
    const packs = await effectivePackIds(
      ctx.db,
      page.map((r) => r.worker.orgPath),
    );
    for (const rec of page) {
      const packId = packs.get(rec.worker.orgPath) ?? null;
      visit(rec, alertsOf(packOf(packId), rec, onDate), packId);
    }
    workers += page.length;
    if (page.length < limit) return { workers, complete: true };
    after = page.at(-1)?.worker.id;
  }
};

/** The alerts of the workers under a path, most urgent first. */
export const collectAlerts = async (
  ctx: TCtx,
  under: string,
  onDate: string,
  filter: { kinds?: readonly string[] | undefined; levels?: readonly string[] | undefined } = {},
): Promise<{ items: TAlertItem[]; workers: number; complete: boolean }> => {
  const items: TAlertItem[] = [];
  const walk = await forEachWorkerAlerts(ctx, under, onDate, (rec, alerts) => {
    for (const a of alerts) {
      if (filter.kinds && !filter.kinds.includes(a.kind)) continue;
      if (filter.levels && !filter.levels.includes(a.level)) continue;
      items.push({
        workerId: rec.worker.id,
        workerName: rec.worker.name,
        communityName: rec.communityName,
        streetName: rec.streetName,
        postTitle: rec.worker.postTitle,
        rule: a.rule,
        kind: a.kind,
        level: a.level,
        message: a.message,
        dueOn: a.dueOn,
        source: a.source,
      });
    }
  });
  items.sort(
    (a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      (a.dueOn ?? '9999').localeCompare(b.dueOn ?? '9999') ||
      a.workerName.localeCompare(b.workerName, 'zh-CN'),
  );
  return { items, ...walk };
};

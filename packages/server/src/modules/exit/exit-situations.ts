import type { TCtx } from '../../context.ts';
import { forEachWorkerAlerts } from '../todo/collect-alerts.ts';
import { packCache, workflowOf } from '../todo/worker-policy.ts';
import { latestGridSatisfaction } from './exit.repo.ts';

export type TExitCase = {
  workerId: string;
  workerName: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  situation: string;
  rule: string;
  source: string;
  /** 已出现 (the evidence is overdue or due) or 预警 (one step short, e.g. one 不合格 year). */
  status: '已出现' | '预警';
  evidence: { rule: string; source: string; message: string }[];
};

const pct = (r: string): number => {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(r);
  return m ? Number(m[1]) : Number.NaN;
};

/**
 * The pack's exit situations that the records evidence, for the active workers under a path:
 * alerts of the rules a situation names (连续两年不合格, 证书期限, 任期届满) and, where the
 * pack sets one, the grid's residents' satisfaction below its threshold (银川 60%).
 */
export const listExitCases = async (
  ctx: TCtx,
  under: string,
  onDate: string,
): Promise<{ items: TExitCase[]; workers: number; complete: boolean }> => {
  const packOf = packCache(ctx.services.policies, onDate);
  const items: TExitCase[] = [];
  const gridWorkers: {
    rec: { id: string; grid: string };
    case: Omit<TExitCase, 'evidence' | 'status'>;
    below: number;
  }[] = [];
  const walk = await forEachWorkerAlerts(ctx, under, onDate, (rec, alerts, packId) => {
    const pack = packOf(packId);
    if (!pack) return;
    const w = rec.worker;
    for (const s of workflowOf(pack, w.postTitle).exitSituations) {
      if (!s.applies) continue;
      const base = {
        workerId: w.id,
        workerName: w.name,
        communityName: rec.communityName,
        streetName: rec.streetName,
        postTitle: w.postTitle,
        situation: s.label,
        rule: s.rule,
        source: s.source,
      };
      const hits = alerts.filter((a) => s.evidence.some((e) => e.rule === a.rule));
      const shown = hits.filter((a) => a.level === 'overdue' || a.level === 'due');
      const warned = hits.filter((a) => a.level === 'upcoming');
      if (shown.length || warned.length)
        items.push({
          ...base,
          status: shown.length ? '已出现' : '预警',
          evidence: (shown.length ? shown : warned).map((a) => ({
            rule: a.rule,
            source: a.source,
            message: a.message,
          })),
        });
      if (s.satisfactionBelow && w.gridCode)
        gridWorkers.push({
          rec: { id: w.id, grid: w.gridCode },
          case: base,
          below: pct(s.satisfactionBelow),
        });
    }
  });
  const facts = await latestGridSatisfaction(
    ctx.db,
    [...new Set(gridWorkers.map((g) => g.rec.grid))],
    onDate,
  );
  for (const g of gridWorkers) {
    const f = facts.get(g.rec.grid);
    if (!f || f.satisfaction === null || !(f.satisfaction < g.below)) continue;
    items.push({
      ...g.case,
      status: '已出现',
      evidence: [
        {
          rule: g.case.rule,
          source: g.case.source,
          message: `所负责网格（${f.name}）${f.from}居民满意率${f.satisfaction}%，低于${g.below}%`,
        },
      ],
    });
  }
  items.sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === '已出现' ? -1 : 1) ||
      a.communityName.localeCompare(b.communityName, 'zh-CN') ||
      a.workerName.localeCompare(b.workerName, 'zh-CN'),
  );
  return { items, ...walk };
};

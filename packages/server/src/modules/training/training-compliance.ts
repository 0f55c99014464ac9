import { todayIso } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { forEachWorkerAlerts } from '../todo/collect-alerts.ts';

export type TTrainingStatus = '达标' | '未达标' | '即将到期';

export type TPersonCompliance = {
  workerId: string;
  name: string;
  communityCode: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  status: TTrainingStatus;
  /** The pack's training rules this person falls short of (or nearly), with their clause. */
  findings: { rule: string; source: string; level: string; message: string }[];
};

export type TCommunityCompliance = {
  communityCode: string;
  communityName: string;
  streetName: string;
  total: number;
  compliant: number;
  /** Every worker meets the pack's training rules for the year. */
  met: boolean;
};

/**
 * 培训达标: each active worker under a path against the pack's training rules for a year
 * (银川 每年不少于3天, 温州 每年5天（40课时）和一篇工作案例, 全国 书记主任每年、其他人员每3年),
 * judged on the last day of the year (or today, for the current year), and each community's
 * share of workers who meet them.
 */
export const trainingCompliance = async (ctx: TCtx, under: string, year: number) => {
  const yearEnd = `${year}-12-31`;
  const today = todayIso();
  const onDate = yearEnd < today ? yearEnd : today;
  const people: TPersonCompliance[] = [];
  // How each alert rule checks (annual minimum or recurring), read from the pack itself.
  const checks = new Map<string, Map<string, string>>();
  const checkOf = (packId: string | null, rule: string): string | undefined => {
    if (!packId) return undefined;
    let m = checks.get(packId);
    if (!m) {
      m = new Map(
        ctx.services.policies
          .describe(packId, onDate)
          .rules.filter((r) => r.shape === 'alert')
          .map((r) => [r.id, String((r.definition as { check?: string }).check)]),
      );
      checks.set(packId, m);
    }
    return m.get(rule);
  };
  const walk = await forEachWorkerAlerts(ctx, under, onDate, (rec, alerts, packId) => {
    const findings: TPersonCompliance['findings'] = [];
    let short = false;
    for (const a of alerts) {
      if (a.kind !== '培训') continue;
      if (checkOf(packId, a.rule) === 'annual-minimum') {
        // The year's minimum not reached; an earlier year's shortfall is that year's matter.
        if (a.dueOn !== yearEnd) continue;
        short = true;
      } else if (a.level === 'overdue' || a.level === 'due') short = true;
      findings.push({ rule: a.rule, source: a.source, level: a.level, message: a.message });
    }
    people.push({
      workerId: rec.worker.id,
      name: rec.worker.name,
      communityCode: rec.worker.communityCode,
      communityName: rec.communityName,
      streetName: rec.streetName,
      postTitle: rec.worker.postTitle,
      status: short ? '未达标' : findings.length ? '即将到期' : '达标',
      findings,
    });
  });
  const byCommunity = new Map<string, TCommunityCompliance>();
  for (const p of people) {
    const c = byCommunity.get(p.communityCode) ?? {
      communityCode: p.communityCode,
      communityName: p.communityName,
      streetName: p.streetName,
      total: 0,
      compliant: 0,
      met: false,
    };
    c.total++;
    if (p.status !== '未达标') c.compliant++;
    c.met = c.compliant === c.total;
    byCommunity.set(p.communityCode, c);
  }
  people.sort(
    (a, b) =>
      a.streetName.localeCompare(b.streetName, 'zh-CN') ||
      a.communityName.localeCompare(b.communityName, 'zh-CN') ||
      a.name.localeCompare(b.name, 'zh-CN'),
  );
  return {
    year,
    date: onDate,
    people,
    communities: [...byCommunity.values()].sort(
      (a, b) =>
        a.streetName.localeCompare(b.streetName, 'zh-CN') ||
        a.communityName.localeCompare(b.communityName, 'zh-CN'),
    ),
    ...walk,
  };
};

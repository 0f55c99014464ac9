import { yuanToFen } from '@shegong/policy';
import { todayIso } from '@shegong/shared';
import { and, inArray } from 'drizzle-orm';
import type { TCtx } from '../../context.ts';
import { workflowProposal } from '../../db/schema/index.ts';
import { forEachWorkerAlerts } from '../todo/collect-alerts.ts';

const KINDS = new Set(['表彰', '发展']);

export type THonourThreshold = { years: number; award: string; amountFen: number | null };

/** The milestone thresholds of a pack's alert rules (银川 20年5000元、30年10000元). */
export const milestoneThresholds = (ctx: TCtx, packId: string, onDate: string) => {
  const out = new Map<string, THonourThreshold[]>();
  for (const r of ctx.services.policies.describe(packId, onDate).rules) {
    const d = r.definition as {
      check?: string;
      thresholds?: { years: number; award: string; amount?: number | string }[];
    };
    if (r.shape !== 'alert' || d.check !== 'milestone' || !d.thresholds) continue;
    out.set(
      r.id,
      d.thresholds.map((t) => ({
        years: t.years,
        award: t.award,
        amountFen: t.amount === undefined ? null : (yuanToFen(t.amount) ?? null),
      })),
    );
  }
  return out;
};

/**
 * The milestone an alert is about, from its message (`<description>：…已满30年…`). The last
 * `满N年` is the one: the description before it may name every milestone (银川 (二十):
 * 「满20年、30年」), and taking the first gave the 30-year award the 20-year amount and key.
 */
export const milestoneYears = (message: string): number => {
  const all = [...message.matchAll(/满(\d+)年/g)];
  return all.length ? Number(all[all.length - 1]![1]) : Number.NaN;
};

/**
 * 表彰与发展: long-service awards and career paths the pack sets (银川 (二十) 连续20年、30年;
 * 全国 五.13 连续10年的社区党组织书记; 温州 二(八) 正职满6年), for the active workers under a path:
 * reached (due), reached earlier, or near; with the proposal already made, if any.
 */
export const listHonours = async (ctx: TCtx, under: string) => {
  const today = todayIso();
  const thresholds = new Map<string, Map<string, THonourThreshold[]>>();
  const items: {
    workerId: string;
    name: string;
    communityName: string;
    streetName: string;
    postTitle: string | null;
    rule: string;
    kind: string;
    level: string;
    message: string;
    dueOn: string | null;
    source: string;
    years: number | null;
    award: string | null;
    amountFen: number | null;
    reached: boolean;
    proposal: { id: string; status: string } | null;
  }[] = [];
  const walk = await forEachWorkerAlerts(ctx, under, today, (rec, alerts, packId) => {
    for (const a of alerts) {
      if (!KINDS.has(a.kind) || !packId) continue;
      let t = thresholds.get(packId);
      if (!t) {
        t = milestoneThresholds(ctx, packId, today);
        thresholds.set(packId, t);
      }
      const years = milestoneYears(a.message);
      const th = t.get(a.rule)?.find((x) => x.years === years) ?? null;
      items.push({
        workerId: rec.worker.id,
        name: rec.worker.name,
        communityName: rec.communityName,
        streetName: rec.streetName,
        postTitle: rec.worker.postTitle,
        rule: a.rule,
        kind: a.kind,
        level: a.level,
        message: a.message,
        dueOn: a.dueOn,
        source: a.source,
        years: Number.isNaN(years) ? null : years,
        award: th?.award ?? null,
        amountFen: th?.amountFen ?? null,
        reached: a.level !== 'upcoming',
        proposal: null,
      });
    }
  });
  const ids = [...new Set(items.map((i) => i.workerId))];
  if (ids.length) {
    const proposals = await ctx.db
      .select({
        id: workflowProposal.id,
        status: workflowProposal.status,
        key: workflowProposal.dedupeKey,
      })
      .from(workflowProposal)
      .where(
        and(
          inArray(workflowProposal.workerId, ids),
          inArray(workflowProposal.kind, ['honour', 'career']),
        ),
      );
    const byKey = new Map(proposals.map((p) => [p.key, p]));
    for (const i of items) {
      const p = byKey.get(`honour:${i.workerId}:${i.rule}:${i.years}`);
      if (p) i.proposal = { id: p.id, status: p.status };
    }
  }
  return { date: today, items, ...walk };
};

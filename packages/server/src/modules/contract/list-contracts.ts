import { todayIso } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { forEachWorkerAlerts } from '../todo/collect-alerts.ts';
import { currentContract, packCache, workflowOf } from '../todo/worker-policy.ts';

const REMINDERS = new Set(['合同', '任期', '试用期', '证书']);

/**
 * 合同: every active worker under a path with the contract in force, what the pack says the
 * post's contract is (一年一签, 一届一签, 以完成一届任期为期限 …), the reminders of contract end,
 * term end and probation end, and whether a pack rule forbids renewing it now.
 */
export const listContracts = async (ctx: TCtx, under: string) => {
  const today = todayIso();
  const packOf = packCache(ctx.services.policies, today);
  const items: Record<string, unknown>[] = [];
  const walk = await forEachWorkerAlerts(ctx, under, today, (rec, alerts, packId) => {
    const w = rec.worker;
    const pack = packOf(packId);
    const policy = pack ? workflowOf(pack, w.postTitle).contract : null;
    const c = currentContract(rec.archive, today);
    const blocked = policy
      ? alerts.filter(
          (a) => a.level === 'overdue' && policy.noRenewalWhen.some((r) => r.rule === a.rule),
        )
      : [];
    items.push({
      workerId: w.id,
      name: w.name,
      communityName: rec.communityName,
      streetName: rec.streetName,
      postTitle: w.postTitle,
      status: w.status,
      hiredOn: w.hiredOn,
      probationUntil: w.probationUntil,
      contract: c
        ? { type: (c.data as { type?: string }).type ?? null, startOn: c.startOn, endOn: c.endOn }
        : null,
      policy,
      reminders: alerts.filter((a) => REMINDERS.has(a.kind) && a.level !== 'info'),
      noRenewal: blocked.map((a) => ({ rule: a.rule, source: a.source, message: a.message })),
    });
  });
  return { date: today, items, ...walk };
};

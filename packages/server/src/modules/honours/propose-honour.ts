import { AppError, todayIso } from '@shegong/shared';
import { inTransaction, type TCtx } from '../../context.ts';
import { effectivePackIds } from '../org/org.repo.ts';
import { proposalTitle, proposeInTx } from '../todo/proposals.ts';
import { alertsOf, loadWorker, packForPath } from '../todo/worker-policy.ts';
import { milestoneThresholds, milestoneYears } from './list-honours.ts';

/**
 * Proposes the award (or the career path) of a milestone the worker has reached under the pack:
 * approved, a 表彰奖励 item with the pack's amount goes to the archive (银川: 5000元, 10000元),
 * or, for a career path, a note.
 */
export const proposeHonour = (
  ctx: TCtx,
  input: { workerId: string; rule: string; years: number },
) =>
  inTransaction(ctx, async (tx) => {
    const rec = await loadWorker(tx.db, tx.actor.scope, input.workerId);
    if (!rec) throw new AppError('NOT_FOUND', '工作者不存在');
    const w = rec.worker;
    const today = todayIso();
    const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, today);
    const alert = alertsOf(pack, rec, today).find(
      (a) =>
        a.rule === input.rule &&
        a.level !== 'upcoming' &&
        milestoneYears(a.message) === input.years,
    );
    const packId = (await effectivePackIds(tx.db, [w.orgPath])).get(w.orgPath) as string;
    const th = milestoneThresholds(tx, packId, today)
      .get(input.rule)
      ?.find((t) => t.years === input.years);
    if (!alert || !th)
      throw new AppError('VALIDATION_FAILED', `${w.name}未达到该项规定的年限`, {
        where: { field: 'years' },
      });
    const career = alert.kind === '发展';
    const { proposal } = await proposeInTx(tx, {
      workerId: w.id,
      orgPath: w.orgPath,
      countyCode: w.countyCode,
      title: proposalTitle(career ? 'career' : 'honour', w.name),
      reason: alert.message,
      rule: alert.rule,
      ruleSource: alert.source,
      payload: career
        ? { kind: 'career', on: today, text: `${alert.message}（${alert.source}）` }
        : {
            kind: 'honour',
            on: today,
            title: `社区连续工作满${input.years}年：${th.award}`,
            amountFen: th.amountFen,
          },
      origin: 'honours',
      dedupeKey: `honour:${w.id}:${input.rule}:${input.years}`,
    });
    return { id: proposal.id, status: proposal.status };
  });

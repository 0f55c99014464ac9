import { AppError } from '@shegong/shared';
import { and, eq } from 'drizzle-orm';
import { inTransaction, type TCtx } from '../../context.ts';
import { workflowProposal } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { proposalTitle, proposeInTx } from '../todo/proposals.ts';
import { loadWorker, packForPath, workflowOf } from '../todo/worker-policy.ts';

/**
 * 退出: proposes that a worker leaves, naming one of the pack's exit situations with its clause;
 * someone with `workflow:approve` approves it (the worker then becomes 已退出, the exit is in the
 * archive and the post stays, vacant: 人走岗留).
 */
export const proposeExit = (
  ctx: TCtx,
  input: { workerId: string; situation: string; exitOn: string; reason: string },
) =>
  inTransaction(ctx, async (tx) => {
    const rec = await loadWorker(tx.db, tx.actor.scope, input.workerId);
    if (!rec) throw new AppError('NOT_FOUND', '工作者不存在');
    const w = rec.worker;
    if (w.status === '已退出') throw new AppError('CONFLICT', `${w.name}已退出`);
    const pending = await tx.db
      .select({ id: workflowProposal.id })
      .from(workflowProposal)
      .where(
        and(
          eq(workflowProposal.workerId, w.id),
          eq(workflowProposal.kind, 'exit'),
          eq(workflowProposal.status, '待审批'),
        ),
      )
      .limit(1);
    if (pending.length)
      throw new AppError('CONFLICT', `${w.name}已有待审批的退出建议`, {
        where: { field: 'workerId' },
      });
    const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, input.exitOn);
    const situations = workflowOf(pack, w.postTitle).exitSituations;
    const s = situations.find((x) => x.label === input.situation);
    if (situations.length && !s)
      throw new AppError(
        'VALIDATION_FAILED',
        `「${input.situation}」不是${pack.name}规定的退出情形`,
        {
          where: { field: 'situation' },
          issues: [{ field: 'situation', message: '请选择政策规定的退出情形' }],
        },
      );
    const { proposal } = await proposeInTx(tx, {
      workerId: w.id,
      orgPath: w.orgPath,
      countyCode: w.countyCode,
      title: proposalTitle('exit', w.name),
      reason: `${input.situation}：${input.reason}`,
      rule: s?.rule ?? null,
      ruleSource: s?.source ?? null,
      payload: {
        kind: 'exit',
        exitOn: input.exitOn,
        reason: `${input.situation}：${input.reason}`,
      },
      origin: 'exit',
      dedupeKey: `exit:${w.id}:${newId()}`,
    });
    return { id: proposal.id };
  });

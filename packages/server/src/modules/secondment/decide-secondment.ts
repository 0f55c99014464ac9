import { AppError } from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { secondmentRequest } from '../../db/schema/index.ts';
import { packForPath } from '../todo/worker-policy.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import { updateWorker } from '../worker/update-worker.ts';
import { findWorkerInScope } from '../worker/worker.repo.ts';
import { checkSecondment } from './check-secondment.ts';
import { findSecondment, requestKey, setArchiveEnd } from './secondment.repo.ts';

/**
 * Approves or refuses a pending request. Approval checks the pack's limits again (others may
 * have been approved since), writes the secondment to the archive and marks the worker 借调.
 */
export const decideSecondment = (
  ctx: TCtx,
  id: string,
  decision: { approve: boolean; note?: string | undefined },
) =>
  inTransaction(ctx, async (tx) => {
    const r = await findSecondment(tx.db, tx.actor.scope, id);
    if (!r) throw new AppError('NOT_FOUND', '借调申请不存在');
    if (r.status !== '待审批') throw new AppError('CONFLICT', `该申请已${r.status}`);
    const set: Partial<typeof secondmentRequest.$inferInsert> = {
      status: decision.approve ? '已批准' : '已驳回',
      decidedBy: tx.actor.id,
      decidedAt: new Date().toISOString(),
      decisionNote: decision.note ?? null,
    };
    if (decision.approve) {
      const w = await findWorkerInScope(tx.db, tx.actor.scope, r.workerId);
      if (!w) throw new AppError('NOT_FOUND', '工作者不存在');
      const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, r.fromOn);
      const failed = (
        await checkSecondment(tx.db, pack, w, r, { workerId: r.workerId, from: r.fromOn })
      ).filter((c) => !c.passed);
      if (failed.length)
        throw new AppError(
          'VALIDATION_FAILED',
          `不能批准：${failed.map((c) => c.message).join('；')}`,
        );
      const item = await addArchiveItem(tx, w.id, {
        kind: 'secondment',
        startOn: r.fromOn,
        endOn: r.toOn,
        data: { to: r.borrower, purpose: `${r.kind}：${r.purpose}` },
      });
      set.archiveItemId = item.id;
      await updateWorker(tx, w.id, {
        version: w.version,
        status: '借调',
        effectiveOn: r.fromOn,
        reason: `${r.kind}至${r.borrower}（${r.fromOn}至${r.toOn}）`,
      });
    }
    await tx.db.update(secondmentRequest).set(set).where(requestKey(r));
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: decision.approve ? 'approve' : 'reject',
      entity: 'secondment_request',
      entityId: id,
      orgPath: r.orgPath,
      before: { status: r.status },
      after: set,
      reason: decision.note ?? null,
    });
    return { id, status: set.status };
  });

/** 期满返回: the worker returns to the community (on or before the end); status back to 在岗. */
export const returnSecondment = (ctx: TCtx, id: string, returnedOn: string) =>
  inTransaction(ctx, async (tx) => {
    const r = await findSecondment(tx.db, tx.actor.scope, id);
    if (!r) throw new AppError('NOT_FOUND', '借调申请不存在');
    if (r.status !== '已批准') throw new AppError('CONFLICT', `该申请${r.status}，不能办理归岗`);
    if (returnedOn < r.fromOn)
      throw new AppError('VALIDATION_FAILED', '归岗日期不能早于借调开始日期', {
        where: { field: 'returnedOn' },
      });
    if (r.archiveItemId && returnedOn < r.toOn)
      await setArchiveEnd(tx.db, { id: r.archiveItemId, countyCode: r.countyCode }, returnedOn);
    const w = await findWorkerInScope(tx.db, tx.actor.scope, r.workerId);
    if (w && w.status === '借调')
      await updateWorker(tx, w.id, {
        version: w.version,
        status: '在岗',
        effectiveOn: returnedOn,
        reason: `${r.kind}期满返回原社区`,
      });
    await tx.db
      .update(secondmentRequest)
      .set({ status: '已归岗', returnedOn })
      .where(requestKey(r));
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'return',
      entity: 'secondment_request',
      entityId: id,
      orgPath: r.orgPath,
      before: { status: r.status },
      after: { status: '已归岗', returnedOn },
    });
    return { id, status: '已归岗' };
  });

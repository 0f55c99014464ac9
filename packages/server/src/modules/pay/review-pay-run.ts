import { AppError } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { PAY_DIM } from '../stats/stat-keys.ts';
import { applyPathStatDelta } from '../stats/stat-maintenance.ts';
import { findRunInScope, payableByCommunity } from './pay.repo.ts';
import { toRunView } from './pay-views.ts';

const STATUS_WORD = { draft: '草稿', reviewed: '已审核', locked: '已锁定' } as const;

/**
 * Marks a computed sheet as reviewed (审核). The version must be the one the reviewer saw: a
 * sheet computed again in between is refused.
 */
export const reviewPayRun = (ctx: TCtx, id: string, version: number) =>
  inTransaction(ctx, async (tx) => {
    const run = await findRunInScope(tx.db, tx.actor.scope, id, true);
    if (!run) throw new AppError('NOT_FOUND', '工资表不存在');
    if (run.status !== 'draft')
      throw new AppError('CONFLICT', `工资表${STATUS_WORD[run.status]}，不能再审核`);
    if (run.version === 0) throw new AppError('CONFLICT', '工资表尚未计算');
    if (run.version !== version) throw new AppError('CONFLICT', '工资表已重新计算，请刷新后再审核');
    await tx.db.execute(
      sql`update pay_run set status = 'reviewed', reviewed_at = now(), reviewed_by = ${tx.actor.id}
          where id = ${id}`,
    );
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'pay-review',
      entity: 'pay_run',
      entityId: id,
      orgPath: run.orgPath,
      before: { status: run.status, version: run.version },
      after: { status: 'reviewed', version: run.version, totalFen: run.totalFen },
    });
    return toRunView((await findRunInScope(tx.db, tx.actor.scope, id))!);
  });

/**
 * Locks a reviewed sheet (permission pay:lock, never by its reviewer): from now on it never changes; a later correction becomes an arrears
 * line of a later month. The month's pay cost joins the statistics of every node above.
 */
export const lockPayRun = (ctx: TCtx, id: string, version: number) =>
  inTransaction(ctx, async (tx) => {
    const run = await findRunInScope(tx.db, tx.actor.scope, id, true);
    if (!run) throw new AppError('NOT_FOUND', '工资表不存在');
    if (run.status !== 'reviewed')
      throw new AppError(
        'CONFLICT',
        run.status === 'locked' ? '工资表已锁定' : '工资表须先审核，才能锁定',
      );
    if (run.version !== version) throw new AppError('CONFLICT', '工资表已重新计算，请刷新后再锁定');
    // Separation of duties: the reviewer of a sheet may not also lock it.
    if (run.reviewedBy && run.reviewedBy === tx.actor.id)
      throw new AppError(
        'FORBIDDEN',
        '审核人不能锁定自己审核的工资表：请由另一位有锁定权限的人员锁定',
      );
    await tx.db.execute(
      sql`update pay_run set status = 'locked', locked_at = now(), locked_by = ${tx.actor.id}
          where id = ${id}`,
    );
    for (const c of await payableByCommunity(tx.db, id)) {
      await applyPathStatDelta(tx.db, c.orgPath, c.countyCode, [
        [PAY_DIM, run.month, Number(c.fen)],
      ]);
    }
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'pay-lock',
      entity: 'pay_run',
      entityId: id,
      orgPath: run.orgPath,
      before: { status: run.status, version: run.version },
      after: { status: 'locked', version: run.version, totalFen: run.totalFen },
    });
    return toRunView((await findRunInScope(tx.db, tx.actor.scope, id))!);
  });

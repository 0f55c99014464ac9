import { AppError, type TCreateArchiveItem } from '@shegong/shared';
import { auditAppendSql, auditHashSuite, type TAuditEntry, writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { newId } from '../../security/ids.ts';
import { addArchiveItemInScope, findWorkerInScope, insertArchiveItems } from './worker.repo.ts';

/**
 * Adds a dated item (contract, assessment, training, …) to a worker's archive, audited. Under
 * the audit suite `intl` the lookup in scope, the item and its audit row are one statement
 * (`addArchiveItemInScope`); under `gm` (the chain's SM3 is computed here) a transaction of the
 * lookup, the insert and `writeAudit`.
 */
export const addArchiveItem = async (ctx: TCtx, workerId: string, item: TCreateArchiveItem) => {
  const row = {
    id: newId(),
    workerId,
    kind: item.kind,
    startOn: item.startOn,
    endOn: item.endOn ?? null,
    data: item.data as Record<string, unknown>,
    createdBy: ctx.actor.id,
  };
  const entry = (orgPath: string | null): TAuditEntry => ({
    actorId: ctx.actor.id,
    actorName: ctx.actor.username,
    // Recorded on the worker, so the worker's history shows it.
    action: 'archive-add',
    entity: 'worker',
    entityId: workerId,
    orgPath,
    after: {
      itemId: row.id,
      kind: row.kind,
      startOn: row.startOn,
      endOn: row.endOn,
      data: row.data,
    },
  });
  if (auditHashSuite() === 'intl') {
    // The org path comes from the worker the statement finds (its `w`).
    const added = await addArchiveItemInScope(
      ctx.db,
      ctx.actor.scope,
      row,
      (w) => auditAppendSql(entry(null), w)!,
    );
    if (!added) throw new AppError('NOT_FOUND', '工作者不存在');
    return { id: row.id };
  }
  return inTransaction(ctx, async (tx) => {
    const current = await findWorkerInScope(tx.db, ctx.actor.scope, workerId);
    if (!current) throw new AppError('NOT_FOUND', '工作者不存在');
    await insertArchiveItems(tx.db, [{ ...row, countyCode: current.countyCode }]);
    await writeAudit(tx.db, entry(current.orgPath));
    return { id: row.id };
  });
};

import { AppError, type TCreateArchiveItem } from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { newId } from '../../security/ids.ts';
import { findWorkerInScope, insertArchiveItems } from './worker.repo.ts';

/** Adds a dated item (contract, assessment, training, …) to a worker's archive, audited. */
export const addArchiveItem = (ctx: TCtx, workerId: string, item: TCreateArchiveItem) =>
  inTransaction(ctx, async (tx) => {
    const current = await findWorkerInScope(tx.db, ctx.actor.scope, workerId);
    if (!current) throw new AppError('NOT_FOUND', '工作者不存在');
    const row = {
      id: newId(),
      workerId,
      countyCode: current.countyCode,
      kind: item.kind,
      startOn: item.startOn,
      endOn: item.endOn ?? null,
      data: item.data as Record<string, unknown>,
      createdBy: ctx.actor.id,
    };
    await insertArchiveItems(tx.db, [row]);
    await writeAudit(tx.db, {
      actorId: ctx.actor.id,
      actorName: ctx.actor.username,
      // Recorded on the worker, so the worker's history shows it.
      action: 'archive-add',
      entity: 'worker',
      entityId: workerId,
      orgPath: current.orgPath,
      after: {
        itemId: row.id,
        kind: row.kind,
        startOn: row.startOn,
        endOn: row.endOn,
        data: row.data,
      },
    });
    return { id: row.id };
  });

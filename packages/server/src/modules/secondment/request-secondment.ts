import { AppError, type ZCreateSecondment } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { secondmentRequest } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { packForPath, streetOfPath } from '../todo/worker-policy.ts';
import { findWorkerInScope } from '../worker/worker.repo.ts';
import { checkSecondment } from './check-secondment.ts';

/**
 * 借调/挂职 request: refused at once, quoting the rule, when the pack's limits do not allow it;
 * otherwise recorded with the checks it passed, for someone with `workflow:approve` to decide.
 */
export const requestSecondment = (ctx: TCtx, input: z.output<typeof ZCreateSecondment>) =>
  inTransaction(ctx, async (tx) => {
    const w = await findWorkerInScope(tx.db, tx.actor.scope, input.workerId);
    if (!w) throw new AppError('NOT_FOUND', '工作者不存在');
    if (w.status === '已退出' || w.status === '借调')
      throw new AppError('CONFLICT', `${w.name}当前状态为${w.status}`, {
        where: { field: 'workerId' },
      });
    const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, input.fromOn);
    const checks = await checkSecondment(tx.db, pack, w, input);
    const failed = checks.filter((c) => !c.passed);
    if (failed.length)
      throw new AppError(
        'VALIDATION_FAILED',
        `不能安排：${failed.map((c) => c.message).join('；')}`,
        {
          where: { field: 'toOn' },
          issues: failed.map((c) => ({ field: c.rule, message: c.message })),
        },
      );
    const row = {
      id: newId(),
      workerId: w.id,
      orgPath: w.orgPath,
      countyCode: w.countyCode,
      streetCode: streetOfPath(w.orgPath),
      kind: input.kind,
      borrower: input.borrower,
      borrowerKind: input.borrowerKind,
      purpose: input.purpose,
      fromOn: input.fromOn,
      toOn: input.toOn,
      checks,
      createdBy: tx.actor.id,
    };
    await tx.db.insert(secondmentRequest).values(row);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'request',
      entity: 'secondment_request',
      entityId: row.id,
      orgPath: w.orgPath,
      after: row,
    });
    return { id: row.id, checks };
  });

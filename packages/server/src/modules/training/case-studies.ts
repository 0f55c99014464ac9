import { AppError } from '@shegong/shared';
import { and, eq } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { caseStudy } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import { findWorkerInScope } from '../worker/worker.repo.ts';
import { findCaseStudy } from './training.repo.ts';

/** 工作案例: a worker's case study or experience summary of a year, submitted for review. */
export const submitCaseStudy = (
  ctx: TCtx,
  input: { workerId: string; year: number; title: string; submittedOn: string },
) =>
  inTransaction(ctx, async (tx) => {
    const w = await findWorkerInScope(tx.db, tx.actor.scope, input.workerId);
    if (!w) throw new AppError('NOT_FOUND', '工作者不存在');
    const row = {
      id: newId(),
      workerId: w.id,
      orgPath: w.orgPath,
      countyCode: w.countyCode,
      year: input.year,
      title: input.title,
      submittedOn: input.submittedOn,
    };
    await tx.db.insert(caseStudy).values(row);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'submit',
      entity: 'case_study',
      entityId: row.id,
      orgPath: w.orgPath,
      after: row,
    });
    return { id: row.id };
  });

/**
 * The street's review (温州 二(六): 由所在乡镇（街道）统一审核). A passed case study counts toward
 * the pack's yearly requirement and is noted in the worker's archive.
 */
export const reviewCaseStudy = (
  ctx: TCtx,
  id: string,
  input: { status: '已通过' | '退回'; note?: string | undefined },
) =>
  inTransaction(ctx, async (tx) => {
    const study = await findCaseStudy(tx.db, tx.actor.scope, id);
    if (!study) throw new AppError('NOT_FOUND', '工作案例不存在');
    if (study.status !== '待审核') throw new AppError('CONFLICT', `该案例已${study.status}`);
    await tx.db
      .update(caseStudy)
      .set({
        status: input.status,
        note: input.note ?? null,
        reviewedBy: tx.actor.id,
        reviewedAt: new Date().toISOString(),
      })
      .where(and(eq(caseStudy.id, id), eq(caseStudy.countyCode, study.countyCode)));
    if (input.status === '已通过')
      await addArchiveItem(tx, study.workerId, {
        kind: 'note',
        startOn: study.submittedOn,
        data: { text: `${study.year}年度工作案例《${study.title}》经审核通过` },
      });
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'review',
      entity: 'case_study',
      entityId: id,
      orgPath: study.orgPath,
      before: { status: study.status },
      after: { status: input.status, note: input.note ?? null },
    });
    return { id, status: input.status };
  });

import { AppError } from '@shegong/shared';
import { and, eq, inArray } from 'drizzle-orm';
import { inTransaction, type TCtx } from '../../context.ts';
import { trainingAttendance } from '../../db/schema/index.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import { findWorkerInScope } from '../worker/worker.repo.ts';
import { findCourse } from './training.repo.ts';

/**
 * Records who attended a course: each attendee's archive gets the training (course, hours,
 * days, passed), which the pack's training rules count. Someone already recorded is skipped.
 */
export const addAttendance = (
  ctx: TCtx,
  courseId: string,
  input: { workerIds: readonly string[]; passed: boolean },
) =>
  inTransaction(ctx, async (tx) => {
    const course = await findCourse(tx.db, tx.actor.scope, courseId);
    if (!course) throw new AppError('NOT_FOUND', '培训不存在');
    const already = new Set(
      (
        await tx.db
          .select({ id: trainingAttendance.workerId })
          .from(trainingAttendance)
          .where(
            and(
              eq(trainingAttendance.courseId, courseId),
              inArray(trainingAttendance.workerId, [...input.workerIds]),
            ),
          )
      ).map((r) => r.id),
    );
    let added = 0;
    for (const workerId of new Set(input.workerIds)) {
      if (already.has(workerId)) continue;
      const w = await findWorkerInScope(tx.db, tx.actor.scope, workerId);
      if (!w?.orgPath.startsWith(course.orgPath))
        throw new AppError('NOT_FOUND', '参训人员不在本次培训的范围内', {
          where: { field: 'workerIds' },
        });
      if (w.status === '已退出') throw new AppError('CONFLICT', `${w.name}已退出`);
      const item = await addArchiveItem(tx, workerId, {
        kind: 'training',
        startOn: course.startOn,
        endOn: course.endOn,
        data: {
          course: course.title,
          hours: course.hours,
          days: course.days,
          passed: input.passed,
        },
      });
      await tx.db.insert(trainingAttendance).values({
        courseId,
        workerId,
        countyCode: w.countyCode,
        archiveItemId: item.id,
        passed: input.passed,
      });
      added++;
    }
    return { added, skipped: input.workerIds.length - added };
  });

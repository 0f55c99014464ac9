import { AppError, type ZCreateCourse } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { trainingCourse } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';

/** 培训: a course (轮训, 入职培训 …) organised by a node in scope, with its hours and days. */
export const createCourse = (ctx: TCtx, input: z.output<typeof ZCreateCourse>) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, tx.actor.scope, input.orgCode);
    if (!node || tx.actor.scope.kind === 'self')
      throw new AppError('NOT_FOUND', `机构 ${input.orgCode} 不存在`);
    const row = {
      id: newId(),
      title: input.title,
      kind: input.kind,
      orgCode: node.code,
      orgPath: node.path,
      countyCode: node.countyCode,
      organiser: input.organiser ?? null,
      startOn: input.startOn,
      endOn: input.endOn,
      hours: input.hours,
      days: input.days,
      createdBy: tx.actor.id,
    };
    await tx.db.insert(trainingCourse).values(row);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'create',
      entity: 'training_course',
      entityId: row.id,
      orgPath: node.path,
      after: row,
    });
    return { id: row.id };
  });

import { AppError, type ZUpdateApplication } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { findApplication, type TApplicationRow, updateApplication } from './recruitment.repo.ts';

/** In which step each field is recorded (银川 (五): 资格审查、笔试、面试、体检、考察). */
const STEP_OF: Record<string, readonly string[]> = {
  review: ['报名', '资格审查'],
  reviewNote: ['报名', '资格审查'],
  writtenScore: ['笔试'],
  interviewScore: ['面试'],
  medical: ['体检'],
  background: ['考察'],
};
const LABEL: Record<string, string> = {
  review: '资格审查',
  reviewNote: '审查意见',
  writtenScore: '笔试成绩',
  interviewScore: '面试成绩',
  medical: '体检',
  background: '考察',
};

/**
 * Records a step's result for an applicant: the qualification review (not 通过 while a
 * required criterion of the pack fails), the scores, the medical and the background check.
 */
export const updateApplicationStep = (
  ctx: TCtx,
  id: string,
  input: z.output<typeof ZUpdateApplication>,
) =>
  inTransaction(ctx, async (tx) => {
    const found = await findApplication(tx.db, tx.actor.scope, id);
    if (!found) throw new AppError('NOT_FOUND', '报名信息不存在');
    const { application: a, campaign } = found;
    if (campaign.status !== '进行中') throw new AppError('CONFLICT', `该招聘已${campaign.status}`);
    const set: Partial<TApplicationRow> = {};
    for (const [field, value] of Object.entries(input)) {
      if (value === undefined) continue;
      if (!STEP_OF[field]?.includes(campaign.step))
        throw new AppError('CONFLICT', `当前为“${campaign.step}”阶段，不能录入${LABEL[field]}`, {
          where: { field },
        });
      (set as Record<string, unknown>)[field] = value;
    }
    if (set.review === '通过' && !a.eligible) {
      const failed = (
        a.eligibility as {
          criteria: { level: string; passed: boolean; reason: string; source: string }[];
        }
      ).criteria.filter((c) => c.level === 'required' && !c.passed);
      throw new AppError(
        'VALIDATION_FAILED',
        `不符合报名条件：${failed.map((c) => `${c.reason}（${c.source}）`).join('；')}`,
        { where: { field: 'review' } },
      );
    }
    const scored = ['writtenScore', 'interviewScore', 'medical', 'background'].some(
      (f) => (set as Record<string, unknown>)[f] != null,
    );
    if (scored && a.review !== '通过')
      throw new AppError('CONFLICT', `${a.name}未通过资格审查`, { where: { field: 'review' } });
    if (Object.keys(set).length === 0) return { id, changed: false };
    await updateApplication(tx.db, a, set);
    const before = Object.fromEntries(
      Object.keys(set).map((k) => [k, a[k as keyof TApplicationRow]]),
    );
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'update',
      entity: 'recruitment_application',
      entityId: id,
      orgPath: a.orgPath,
      before,
      after: set,
    });
    return { id, changed: true };
  });

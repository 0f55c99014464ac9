import { AppError, RECRUITMENT_STEPS, type ZAdvanceCampaign } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { campaignState } from './get-campaign.ts';
import { type TApplicationRow, updateApplication, updateCampaign } from './recruitment.repo.ts';

const names = (apps: readonly TApplicationRow[]) =>
  apps
    .slice(0, 5)
    .map((a) => a.name)
    .join('、') + (apps.length > 5 ? `等${apps.length}人` : '');

/**
 * Moves a campaign to its next step (公告 → 报名 → 资格审查 → 笔试 → 面试 → 体检 → 考察 → 公示),
 * once the current step's results are all in. Entering 公示 names those to be hired (拟聘用):
 * down each post's ranking, past anyone who failed the medical or the background check.
 * Hiring itself (聘用) is a separate decision of someone with `workflow:approve`.
 */
export const advanceCampaign = (ctx: TCtx, id: string, input: z.output<typeof ZAdvanceCampaign>) =>
  inTransaction(ctx, async (tx) => {
    const { campaign, apps, candidates } = await campaignState(tx, id);
    if (campaign.status !== '进行中') throw new AppError('CONFLICT', `该招聘已${campaign.status}`);
    const at = RECRUITMENT_STEPS.indexOf(campaign.step as (typeof RECRUITMENT_STEPS)[number]);
    const next = RECRUITMENT_STEPS[at + 1];
    if (input.step !== next || next === '聘用')
      throw new AppError(
        'CONFLICT',
        next === '聘用'
          ? '公示期满后由有审批权限的人员办理聘用'
          : `当前为“${campaign.step}”阶段，下一步应为“${next}”`,
        { where: { field: 'step' } },
      );
    const passed = apps.filter((a) => a.review === '通过');
    const missing = (list: TApplicationRow[], what: string) => {
      if (list.length)
        throw new AppError('CONFLICT', `还有${list.length}人未录入${what}：${names(list)}`, {
          where: { field: 'step' },
        });
    };
    switch (campaign.step) {
      case '报名':
        if (apps.length === 0) throw new AppError('CONFLICT', '还没有人报名');
        break;
      case '资格审查':
        missing(
          apps.filter((a) => a.review === '待审查'),
          '资格审查结果',
        );
        if (passed.length === 0) throw new AppError('CONFLICT', '没有人通过资格审查');
        break;
      case '笔试':
        missing(
          passed.filter((a) => a.writtenScore === null),
          '笔试成绩',
        );
        break;
      case '面试':
        missing(
          passed.filter((a) => a.interviewScore === null),
          '面试成绩',
        );
        break;
      case '体检':
        missing(
          candidates.filter((a) => a.medical === null),
          '体检结果',
        );
        break;
      case '考察':
        missing(
          candidates.filter((a) => a.background === null),
          '考察结果',
        );
        if (candidates.length === 0) throw new AppError('CONFLICT', '没有拟聘用人员');
        break;
    }
    const set: Parameters<typeof updateCampaign>[2] = { step: next };
    if (next === '公示') {
      set.noticeFrom = input.noticeFrom ?? null;
      set.noticeUntil = input.noticeUntil ?? null;
      for (const a of candidates) await updateApplication(tx.db, a, { outcome: '拟聘用' });
    }
    await updateCampaign(tx.db, id, set);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'advance',
      entity: 'recruitment_campaign',
      entityId: id,
      orgPath: campaign.orgPath,
      before: { step: campaign.step },
      after: {
        ...set,
        ...(next === '公示'
          ? { candidates: candidates.map((a) => ({ id: a.id, name: a.name })) }
          : {}),
      },
    });
    return { id, step: next };
  });

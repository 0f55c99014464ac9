import { parseRatio } from '@shegong/policy';
import { AppError, todayIso } from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { campaignPolicy, campaignState } from './get-campaign.ts';
import { updateApplication } from './recruitment.repo.ts';

/**
 * 后备人才库: puts applicants who passed but were not hired into the reserve pool, at most the
 * pack's ratio of those hired (温州 二(三): 不高于1:1), in ranking order; they stay there until
 * the county's next recruitment notice.
 */
export const reserveApplications = (ctx: TCtx, id: string, applicationIds: readonly string[]) =>
  inTransaction(ctx, async (tx) => {
    const { campaign, apps, ranked } = await campaignState(tx, id);
    const pool = campaignPolicy(tx, campaign)?.recruitment;
    if (!pool?.reservePool)
      throw new AppError('VALIDATION_FAILED', '适用的政策未规定后备人才库，不能纳入后备');
    if (campaign.status !== '已完成') throw new AppError('CONFLICT', '聘用完成后才能确定后备人员');
    const ratio = parseRatio(pool.reservePool.ratio);
    if (!ratio) throw new AppError('INTERNAL', `后备比例无法识别：${pool.reservePool.ratio}`);
    const hired = apps.filter((a) => a.outcome === '已聘用').length;
    const used = apps.filter((a) => a.outcome === '后备' || a.outcome === '后备已到期').length;
    const cap = Math.floor((hired * ratio.num) / ratio.den);
    const chosen = apps.filter((a) => applicationIds.includes(a.id));
    if (chosen.length !== applicationIds.length)
      throw new AppError('NOT_FOUND', '所选人员不是本次招聘的报名人员');
    for (const a of chosen)
      if (a.outcome !== '未录用' || ranked.get(a.id)?.rank == null)
        throw new AppError('VALIDATION_FAILED', `${a.name}不是参加考试未被录取的人员`, {
          where: { field: 'applicationIds' },
        });
    if (used + chosen.length > cap)
      throw new AppError(
        'VALIDATION_FAILED',
        `后备人员不得超过录用人数的${pool.reservePool.ratio}：本次录用${hired}人，最多${cap}人，已纳入${used}人（${pool.source}：${pool.description}）`,
        { where: { field: 'applicationIds' } },
      );
    const on = todayIso();
    for (const a of chosen) await updateApplication(tx.db, a, { outcome: '后备', reserveFrom: on });
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'reserve',
      entity: 'recruitment_campaign',
      entityId: id,
      orgPath: campaign.orgPath,
      after: { reserve: chosen.map((a) => ({ id: a.id, name: a.name })), cap, rule: pool.rule },
    });
    return { reserved: chosen.length, cap };
  });

import { AppError, type TFieldIssue, type ZCreateCampaign } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { recruitmentCampaign, recruitmentPost } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { packForPath } from '../todo/worker-policy.ts';
import { expireReserve } from './recruitment.repo.ts';
import { listVacancies } from './vacancies.ts';

/**
 * 招聘公告: a campaign of a county or street with posts in its communities. Every post must be
 * backed by the community's quota (职数 less those in post and seats already being recruited)
 * and be a post the governing pack covers.
 */
export const createCampaign = (ctx: TCtx, input: z.output<typeof ZCreateCampaign>) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, tx.actor.scope, input.orgCode);
    if (!node || tx.actor.scope.kind === 'self')
      throw new AppError('NOT_FOUND', `机构 ${input.orgCode} 不存在`);
    if (node.level !== 'county' && node.level !== 'street')
      throw new AppError('VALIDATION_FAILED', '招聘由县（市、区）或街道组织', {
        where: { field: 'orgCode' },
      });
    const pack = await packForPath(tx.db, tx.services.policies, node.path, input.announcedOn);
    const vacancies = new Map(
      (await listVacancies(tx, node.path, input.announcedOn)).map((v) => [v.communityCode, v]),
    );
    const issues: TFieldIssue[] = [];
    const asked = new Map<string, number>();
    const rows = input.posts.map((p, i) => {
      const v = vacancies.get(p.communityCode);
      if (!v) {
        issues.push({
          field: `posts.${i}.communityCode`,
          message: `社区 ${p.communityCode} 不在${node.name}范围内`,
        });
        return null;
      }
      if (!v.quota) {
        issues.push({
          field: `posts.${i}.communityCode`,
          message: `${v.communityName}尚未核定职数：${v.note ?? ''}`,
        });
        return null;
      }
      try {
        pack.workflow({ post: p.postTitle });
      } catch {
        issues.push({
          field: `posts.${i}.postTitle`,
          message: `「${p.postTitle}」不是${pack.name}规定的岗位`,
        });
        return null;
      }
      const total = (asked.get(p.communityCode) ?? 0) + p.seats;
      asked.set(p.communityCode, total);
      if (total > v.vacancies)
        issues.push({
          field: `posts.${i}.seats`,
          message: `${v.communityName}核定职数${v.quota.max ?? v.quota.min}人，在岗${v.actual}人，其他招聘中${v.inCampaigns}人，最多还可招聘${v.vacancies}人`,
        });
      return {
        id: newId(),
        communityCode: p.communityCode,
        orgPath: v.path,
        countyCode: v.countyCode ?? node.countyCode ?? '',
        postTitle: p.postTitle,
        seats: p.seats,
      };
    });
    if (issues.length)
      throw new AppError('VALIDATION_FAILED', issues[0]?.message ?? '招聘岗位有误', {
        where: { field: issues[0]?.field },
        issues,
      });
    const id = newId();
    const campaign = {
      id,
      title: input.title,
      orgCode: node.code,
      orgPath: node.path,
      countyCode: node.countyCode,
      packId: pack.id,
      step: '公告',
      announcedOn: input.announcedOn,
      applyUntil: input.applyUntil,
      writtenWeight: input.writtenWeight,
      interviewWeight: input.interviewWeight,
      createdBy: tx.actor.id,
    };
    await tx.db.insert(recruitmentCampaign).values(campaign);
    const posts = rows.filter((r) => r !== null).map((r) => ({ ...r, campaignId: id }));
    await tx.db.insert(recruitmentPost).values(posts);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'create',
      entity: 'recruitment_campaign',
      entityId: id,
      orgPath: node.path,
      after: { ...campaign, posts: posts.map(({ id: _, campaignId: __, ...p }) => p) },
    });
    // 温州 二(三): the reserve pool lasts until the next recruitment notice is published.
    const expired = node.countyCode
      ? await expireReserve(tx.db, node.countyCode, id, input.announcedOn)
      : [];
    if (expired.length)
      await writeAudit(tx.db, {
        actorId: tx.actor.id,
        actorName: tx.actor.username,
        action: 'reserve-expire',
        entity: 'recruitment_campaign',
        entityId: id,
        orgPath: node.path,
        after: { applications: expired.map((e) => e.id), on: input.announcedOn },
      });
    return { id, reserveExpired: expired.length };
  });

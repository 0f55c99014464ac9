import type { TWorkflowValue } from '@shegong/policy';
import { AppError, type TApplicationView, todayIso } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { ageOn } from '../worker/worker-view.ts';
import { candidatesOf, rankApplications, type TRanked } from './rank-applications.ts';
import {
  findCampaign,
  listApplications,
  listPosts,
  type TApplicationRow,
  type TCampaignRow,
} from './recruitment.repo.ts';

/** A campaign with its posts and applications, ranked, and who is to be hired (拟聘用). */
export const campaignState = async (ctx: TCtx, id: string) => {
  const campaign = await findCampaign(ctx.db, ctx.actor.scope, id);
  if (!campaign) throw new AppError('NOT_FOUND', '招聘不存在');
  const [posts, apps] = await Promise.all([
    listPosts(ctx.db, campaign.id),
    listApplications(ctx.db, campaign.id),
  ]);
  const weights = { written: campaign.writtenWeight, interview: campaign.interviewWeight };
  const ranked = rankApplications(apps, weights);
  const seats = new Map(posts.map((p) => [p.post.id, p.post.seats]));
  const candidates = candidatesOf(apps, ranked, seats) as TApplicationRow[];
  return { campaign, posts, apps, ranked, candidates };
};

/** The pack's workflow rules for the campaign (procedure, reserve pool, applicant flags). */
export const campaignPolicy = (ctx: TCtx, campaign: TCampaignRow): TWorkflowValue | null => {
  const { policies } = ctx.services;
  if (!campaign.packId || !policies.has(campaign.packId)) return null;
  return policies.at(campaign.packId, campaign.announcedOn).workflow({}).value;
};

const view = (
  ctx: TCtx,
  a: TApplicationRow,
  r: TRanked | undefined,
  today: string,
): TApplicationView => {
  const clear = ctx.actor.permissions.includes('worker:read-sensitive');
  return {
    id: a.id,
    postId: a.postId,
    name: a.name,
    idNumber: clear ? ctx.services.crypto.decrypt(a.idNumberCipher) : a.idNumberMasked,
    birthDate: a.birthDate,
    age: ageOn(a.birthDate, today),
    sex: a.sex,
    educationLevel: a.educationLevel,
    educationMajor: a.educationMajor,
    certificateLevel: a.certificateLevel,
    flags: a.flags,
    eligible: a.eligible,
    eligibility: a.eligibility as TApplicationView['eligibility'],
    review: a.review,
    reviewNote: a.reviewNote,
    writtenScore: a.writtenScore,
    interviewScore: a.interviewScore,
    total: r?.total ?? null,
    rank: r?.rank ?? null,
    tieBreak: r?.tieBreak ?? null,
    medical: a.medical,
    background: a.background,
    outcome: a.outcome,
    workerId: a.workerId,
  };
};

/** Everything the campaign page shows. */
export const getCampaign = async (ctx: TCtx, id: string) => {
  const { campaign, posts, apps, ranked, candidates } = await campaignState(ctx, id);
  const policy = campaignPolicy(ctx, campaign);
  const today = todayIso();
  const hired = apps.filter((a) => a.outcome === '已聘用').length;
  return {
    campaign,
    posts: posts.map((p) => ({
      ...p.post,
      communityName: p.communityName ?? '',
      streetName: p.streetName ?? '',
    })),
    policy: policy && {
      packName: ctx.services.policies.at(campaign.packId as string, campaign.announcedOn).name,
      recruitment: policy.recruitment,
      applicantFlags: policy.applicantFlags,
    },
    applications: apps.map((a) => view(ctx, a, ranked.get(a.id), today)),
    candidates: candidates.map((a) => a.id),
    reserve: policy?.recruitment?.reservePool
      ? {
          ratio: policy.recruitment.reservePool.ratio,
          rule: policy.recruitment.rule,
          source: policy.recruitment.source,
          hired,
          used: apps.filter((a) => a.outcome === '后备' || a.outcome === '后备已到期').length,
        }
      : null,
  };
};

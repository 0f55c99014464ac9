import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TCtx } from '../../context.ts';
import { recruitmentCampaign, recruitmentPost } from '../../db/schema/index.ts';
import { computeCommunityFigures, countyNamesUnder } from '../quota/get-quota-view.ts';

export type TVacancy = {
  communityCode: string;
  communityName: string;
  path: string;
  countyCode: string | null;
  packId: string | null;
  /** The quota's range; null when the community has none (未核定). */
  quota: { min: number; max: number | null } | null;
  note: string | null;
  /** Active workers (人走岗留: a worker who left frees a post). */
  actual: number;
  /** Seats already offered by campaigns still under way. */
  inCampaigns: number;
  /** Posts free for recruitment: the quota's upper bound (or its lower bound when the text sets
   * no upper one) less the active workers and the seats in open campaigns. */
  vacancies: number;
};

/**
 * The communities under a path with their quota (职数, from the quota module and the governing
 * pack), the active headcount and what is left to recruit.
 */
export const listVacancies = async (
  ctx: TCtx,
  under: string,
  onDate: string,
  exceptCampaign?: string,
): Promise<TVacancy[]> => {
  const countyNames = await countyNamesUnder(ctx, under);
  const { figures } = await computeCommunityFigures(ctx, under, onDate, countyNames);
  const codes = figures.map((f) => f.row.code);
  const open =
    codes.length === 0
      ? []
      : await ctx.db
          .select({
            communityCode: recruitmentPost.communityCode,
            seats: sql<number>`sum(${recruitmentPost.seats})`.mapWith(Number),
          })
          .from(recruitmentPost)
          .innerJoin(recruitmentCampaign, eq(recruitmentCampaign.id, recruitmentPost.campaignId))
          .where(
            and(
              inArray(recruitmentPost.communityCode, codes),
              eq(recruitmentCampaign.status, '进行中'),
              exceptCampaign ? sql`${recruitmentCampaign.id} <> ${exceptCampaign}` : undefined,
            ),
          )
          .groupBy(recruitmentPost.communityCode);
  const seats = new Map(open.map((o) => [o.communityCode, o.seats]));
  return figures.map((f) => {
    const q = 'note' in f.quota ? null : { min: f.quota.min, max: f.quota.max };
    const inCampaigns = seats.get(f.row.code) ?? 0;
    const ceiling = q ? (q.max ?? q.min) : 0;
    return {
      communityCode: f.row.code,
      communityName: f.row.name,
      path: f.row.path,
      countyCode: f.row.countyCode,
      packId: f.packId,
      quota: q,
      note: 'note' in f.quota ? f.quota.note : null,
      actual: f.actual,
      inCampaigns,
      vacancies: Math.max(0, ceiling - f.actual - inCampaigns),
    };
  });
};

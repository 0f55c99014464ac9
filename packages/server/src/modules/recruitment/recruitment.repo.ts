import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import {
  org,
  recruitmentApplication,
  recruitmentCampaign,
  recruitmentPost,
} from '../../db/schema/index.ts';
import { communityStreet } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';

// All SQL of recruitment. Campaigns are found through their organiser's path, posts and
// applications through the community's path: both inside the caller's scope, or not at all.

export type TCampaignRow = typeof recruitmentCampaign.$inferSelect;
export type TPostRow = typeof recruitmentPost.$inferSelect;
export type TApplicationRow = typeof recruitmentApplication.$inferSelect;

/** Campaigns are managed by org-scoped roles; a worker's own scope holds none. */
const campaignScope = (scope: TScope): SQL =>
  scope.kind === 'self' ? sql`false` : pathInScope(recruitmentCampaign.orgPath, scope);

/**
 * Campaigns under a path with their seats and number of applications. The applications are
 * counted in a second query over the listed campaigns: on Citus a subquery correlated with a
 * reference table (the campaign) cannot read a distributed one (the applications).
 */
export const listCampaigns = async (db: TExecutor, scope: TScope, under: string) => {
  const rows = await db
    .select({
      campaign: recruitmentCampaign,
      orgName: org.name,
      seats:
        sql<number>`(select coalesce(sum(p.seats), 0) from recruitment_post p where p.campaign_id = ${recruitmentCampaign.id})`.mapWith(
          Number,
        ),
    })
    .from(recruitmentCampaign)
    .leftJoin(org, eq(org.code, recruitmentCampaign.orgCode))
    .where(
      and(
        campaignScope(scope),
        sql`(${recruitmentCampaign.orgPath} like ${`${under}%`} or ${under} like ${recruitmentCampaign.orgPath} || '%')`,
      ),
    )
    .orderBy(desc(recruitmentCampaign.announcedOn), desc(recruitmentCampaign.createdAt))
    .limit(200);
  const ids = rows.map((r) => r.campaign.id);
  const counts =
    ids.length === 0
      ? []
      : await db
          .select({
            campaignId: recruitmentApplication.campaignId,
            n: sql<number>`count(*)`.mapWith(Number),
          })
          .from(recruitmentApplication)
          .where(inArray(recruitmentApplication.campaignId, ids))
          .groupBy(recruitmentApplication.campaignId);
  const byCampaign = new Map(counts.map((c) => [c.campaignId, c.n]));
  return rows.map((r) => ({ ...r, applications: byCampaign.get(r.campaign.id) ?? 0 }));
};

export const findCampaign = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(recruitmentCampaign)
      .where(and(eq(recruitmentCampaign.id, id), campaignScope(scope)))
      .limit(1)
  )[0];

export const listPosts = (db: TExecutor, campaignId: string) =>
  db
    .select({ post: recruitmentPost, communityName: org.name, streetName: communityStreet.name })
    .from(recruitmentPost)
    .leftJoin(org, eq(org.code, recruitmentPost.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(eq(recruitmentPost.campaignId, campaignId))
    .orderBy(asc(recruitmentPost.communityCode), asc(recruitmentPost.postTitle));

export const listApplications = (db: TExecutor, campaignId: string) =>
  db
    .select()
    .from(recruitmentApplication)
    .where(eq(recruitmentApplication.campaignId, campaignId))
    .orderBy(asc(recruitmentApplication.createdAt), asc(recruitmentApplication.id));

/** An application whose campaign is in scope. */
export const findApplication = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select({ application: recruitmentApplication, campaign: recruitmentCampaign })
      .from(recruitmentApplication)
      .innerJoin(recruitmentCampaign, eq(recruitmentCampaign.id, recruitmentApplication.campaignId))
      .where(and(eq(recruitmentApplication.id, id), campaignScope(scope)))
      .limit(1)
  )[0];

/** Updates an application by its key with county_code (one shard on Citus). */
export const updateApplication = (
  db: TExecutor,
  a: { id: string; countyCode: string },
  set: Partial<typeof recruitmentApplication.$inferInsert>,
) =>
  db
    .update(recruitmentApplication)
    .set(set)
    .where(
      and(eq(recruitmentApplication.id, a.id), eq(recruitmentApplication.countyCode, a.countyCode)),
    );

export const updateCampaign = (
  db: TExecutor,
  id: string,
  set: Partial<typeof recruitmentCampaign.$inferInsert>,
) =>
  db
    .update(recruitmentCampaign)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(recruitmentCampaign.id, id));

/**
 * Ends the reserve pool of earlier campaigns in a county when a new recruitment notice is
 * published (温州 二(三): 储备至下一次招聘公告发布之日止). Returns the applications ended.
 */
export const expireReserve = async (
  db: TExecutor,
  countyCode: string,
  campaignId: string,
  on: string,
) =>
  db
    .update(recruitmentApplication)
    .set({ outcome: '后备已到期', reserveEndedOn: on })
    .where(
      and(
        eq(recruitmentApplication.countyCode, countyCode),
        eq(recruitmentApplication.outcome, '后备'),
        sql`${recruitmentApplication.campaignId} <> ${campaignId}`,
      ),
    )
    .returning({ id: recruitmentApplication.id, campaignId: recruitmentApplication.campaignId });

export const findOrgNames = (db: TExecutor, codes: string[]) =>
  codes.length === 0
    ? Promise.resolve([])
    : db.select({ code: org.code, name: org.name }).from(org).where(inArray(org.code, codes));

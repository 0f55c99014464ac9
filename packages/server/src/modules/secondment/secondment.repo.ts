import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { archiveItem, org, secondmentRequest, worker } from '../../db/schema/index.ts';
import { communityStreet } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';

export type TSecondmentRow = typeof secondmentRequest.$inferSelect;

const requestScope = (scope: TScope): SQL[] => [
  pathInScope(secondmentRequest.orgPath, scope),
  ...(scope.kind === 'self' ? [eq(secondmentRequest.workerId, scope.workerId)] : []),
];

export const listSecondments = (db: TExecutor, scope: TScope, under: string) =>
  db
    .select({
      request: secondmentRequest,
      name: worker.name,
      communityName: org.name,
      streetName: communityStreet.name,
    })
    .from(secondmentRequest)
    .innerJoin(
      worker,
      and(
        eq(worker.id, secondmentRequest.workerId),
        eq(worker.countyCode, secondmentRequest.countyCode),
      ),
    )
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(and(...requestScope(scope), sql`${secondmentRequest.orgPath} like ${`${under}%`}`))
    .orderBy(desc(secondmentRequest.createdAt))
    .limit(500);

export const findSecondment = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(secondmentRequest)
      .where(and(eq(secondmentRequest.id, id), ...requestScope(scope)))
      .limit(1)
  )[0];

/**
 * Secondments of workers (archive items, i.e. approved ones, and requests still pending): every
 * one counts toward the limits.
 */
export const secondmentsOf = async (db: TExecutor, workerIds: readonly string[]) => {
  if (workerIds.length === 0) return [];
  const items = await db
    .select({ workerId: archiveItem.workerId, from: archiveItem.startOn, to: archiveItem.endOn })
    .from(archiveItem)
    .where(and(inArray(archiveItem.workerId, [...workerIds]), eq(archiveItem.kind, 'secondment')));
  const pending = await db
    .select({
      workerId: secondmentRequest.workerId,
      from: secondmentRequest.fromOn,
      to: secondmentRequest.toOn,
    })
    .from(secondmentRequest)
    .where(
      and(
        inArray(secondmentRequest.workerId, [...workerIds]),
        eq(secondmentRequest.status, '待审批'),
      ),
    );
  return [...items, ...pending];
};

/** The active workers of a street (the base of 银川's 5% a year), with what compliance reads. */
export const streetWorkers = (db: TExecutor, streetPath: string) =>
  db
    .select({
      id: worker.id,
      postTitle: worker.postTitle,
      educationLevel: worker.educationLevel,
      educationRecognised: worker.educationRecognised,
      certificateLevel: worker.certificateLevel,
      livesInCommunity: worker.livesInCommunity,
      birthDate: worker.birthDate,
    })
    .from(worker)
    .where(and(sql`${worker.orgPath} like ${`${streetPath}%`}`, sql`${worker.status} <> '已退出'`));

/** A request by its key with county_code (one shard on Citus). */
export const requestKey = (r: { id: string; countyCode: string }) =>
  and(eq(secondmentRequest.id, r.id), eq(secondmentRequest.countyCode, r.countyCode));

/** Ends a secondment's archive item (written with the request's county, the worker's). */
export const setArchiveEnd = (
  db: TExecutor,
  item: { id: string; countyCode: string },
  endOn: string,
) =>
  db
    .update(archiveItem)
    .set({ endOn })
    .where(and(eq(archiveItem.id, item.id), eq(archiveItem.countyCode, item.countyCode)));

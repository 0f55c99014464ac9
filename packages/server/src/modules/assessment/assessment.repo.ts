import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import {
  archiveItem,
  assessmentCycle,
  assessmentScore,
  org,
  worker,
} from '../../db/schema/index.ts';
import { communityStreet } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';
import { workerInScope } from '../worker/worker.repo.ts';

// All SQL of the annual assessment. A cycle is found through its org's path; its workers
// through the worker scope; results are the archive's assessment items (one per worker and year).

export type TCycleRow = typeof assessmentCycle.$inferSelect;

const cycleScope = (scope: TScope): SQL =>
  scope.kind === 'self' ? sql`false` : pathInScope(assessmentCycle.orgPath, scope);

export const listCycles = (db: TExecutor, scope: TScope, under: string) =>
  db
    .select({ cycle: assessmentCycle, orgName: org.name })
    .from(assessmentCycle)
    .leftJoin(org, eq(org.code, assessmentCycle.orgCode))
    .where(
      and(
        cycleScope(scope),
        sql`(${assessmentCycle.orgPath} like ${`${under}%`} or ${under} like ${assessmentCycle.orgPath} || '%')`,
      ),
    )
    .orderBy(desc(assessmentCycle.year), asc(assessmentCycle.orgPath))
    .limit(200);

export const findCycle = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(assessmentCycle)
      .where(and(eq(assessmentCycle.id, id), cycleScope(scope)))
      .limit(1)
  )[0];

/** Workers of a cycle: under its org and in scope, in post at some time during the year. */
export const listCycleWorkers = (db: TExecutor, scope: TScope, cycle: TCycleRow) =>
  db
    .select({ worker, communityName: org.name, streetName: communityStreet.name })
    .from(worker)
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(
      and(
        workerInScope(scope),
        sql`${worker.orgPath} like ${`${cycle.orgPath}%`}`,
        sql`coalesce(${worker.hiredOn}, ${worker.serviceStartedOn}) <= ${`${cycle.year}-12-31`}`,
        sql`(${worker.exitedOn} is null or ${worker.exitedOn} >= ${`${cycle.year}-01-01`})`,
        sql`not (${worker.status} = '已退出' and ${worker.exitedOn} is null)`,
      ),
    )
    .orderBy(asc(worker.orgPath), asc(worker.name));

/** The archive's assessment items of a year for some workers. */
export const listResults = (db: TExecutor, workerIds: string[], year: number) =>
  workerIds.length === 0
    ? Promise.resolve([])
    : db
        .select()
        .from(archiveItem)
        .where(
          and(
            inArray(archiveItem.workerId, workerIds),
            eq(archiveItem.kind, 'assessment'),
            sql`(${archiveItem.data}->>'year')::int = ${year}`,
          ),
        );

export const listScores = (db: TExecutor, cycleId: string) =>
  db.select().from(assessmentScore).where(eq(assessmentScore.cycleId, cycleId));

/**
 * Writes a worker's dimension scores of a cycle, replacing earlier ones. The conflict names the
 * key's constraint, not its columns: on Citus the key also holds county_code (citus-layout.sql).
 */
export const upsertScore = (
  db: TExecutor,
  s: Pick<
    typeof assessmentScore.$inferInsert,
    'cycleId' | 'workerId' | 'countyCode' | 'scores' | 'total'
  >,
) =>
  db.execute(sql`
    insert into ${assessmentScore} (cycle_id, worker_id, county_code, scores, total)
    values (${s.cycleId}, ${s.workerId}, ${s.countyCode}, ${JSON.stringify(s.scores)}::jsonb, ${s.total ?? null})
    on conflict on constraint assessment_score_pk
    do update set scores = excluded.scores, total = excluded.total, updated_at = now()`);

/** Corrects an archive item's data (by its key with county_code: one shard on Citus). */
export const updateArchiveData = (
  db: TExecutor,
  item: { id: string; countyCode: string },
  data: Record<string, unknown>,
) =>
  db
    .update(archiveItem)
    .set({ data })
    .where(and(eq(archiveItem.id, item.id), eq(archiveItem.countyCode, item.countyCode)));

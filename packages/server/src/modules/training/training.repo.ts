import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import {
  caseStudy,
  org,
  trainingAttendance,
  trainingCourse,
  worker,
} from '../../db/schema/index.ts';
import { communityStreet } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';
import { workerInScope } from '../worker/worker.repo.ts';

// All SQL of training. Courses are found through their organiser's path; attendance and case
// studies through the worker scope.

export type TCourseRow = typeof trainingCourse.$inferSelect;

const courseScope = (scope: TScope): SQL =>
  scope.kind === 'self' ? sql`false` : pathInScope(trainingCourse.orgPath, scope);

/**
 * Courses under a path with their number of attendees, counted in a second query over the listed
 * courses: on Citus a subquery correlated with a reference table (the course) cannot read a
 * distributed one (the attendance).
 */
export const listCourses = async (db: TExecutor, scope: TScope, under: string) => {
  const rows = await db
    .select({ course: trainingCourse, orgName: org.name })
    .from(trainingCourse)
    .leftJoin(org, eq(org.code, trainingCourse.orgCode))
    .where(
      and(
        courseScope(scope),
        sql`(${trainingCourse.orgPath} like ${`${under}%`} or ${under} like ${trainingCourse.orgPath} || '%')`,
      ),
    )
    .orderBy(desc(trainingCourse.startOn))
    .limit(200);
  const ids = rows.map((r) => r.course.id);
  const counts =
    ids.length === 0
      ? []
      : await db
          .select({
            courseId: trainingAttendance.courseId,
            n: sql<number>`count(*)`.mapWith(Number),
          })
          .from(trainingAttendance)
          .where(inArray(trainingAttendance.courseId, ids))
          .groupBy(trainingAttendance.courseId);
  const byCourse = new Map(counts.map((c) => [c.courseId, c.n]));
  return rows.map((r) => ({ ...r, attendees: byCourse.get(r.course.id) ?? 0 }));
};

export const findCourse = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(trainingCourse)
      .where(and(eq(trainingCourse.id, id), courseScope(scope)))
      .limit(1)
  )[0];

/** Attendees of a course that the caller may see. */
export const listAttendees = (db: TExecutor, scope: TScope, courseId: string) =>
  db
    .select({
      workerId: worker.id,
      name: worker.name,
      postTitle: worker.postTitle,
      communityName: org.name,
      streetName: communityStreet.name,
      passed: trainingAttendance.passed,
    })
    .from(trainingAttendance)
    .innerJoin(
      worker,
      and(
        eq(worker.id, trainingAttendance.workerId),
        eq(worker.countyCode, trainingAttendance.countyCode),
      ),
    )
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(and(eq(trainingAttendance.courseId, courseId), workerInScope(scope)))
    .orderBy(asc(worker.orgPath), asc(worker.name));

export const listCaseStudies = (db: TExecutor, scope: TScope, under: string, year?: number) =>
  db
    .select({
      study: caseStudy,
      name: worker.name,
      communityName: org.name,
      streetName: communityStreet.name,
    })
    .from(caseStudy)
    .innerJoin(
      worker,
      and(eq(worker.id, caseStudy.workerId), eq(worker.countyCode, caseStudy.countyCode)),
    )
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(
      and(
        workerInScope(scope),
        sql`${caseStudy.orgPath} like ${`${under}%`}`,
        year ? eq(caseStudy.year, year) : undefined,
      ),
    )
    .orderBy(desc(caseStudy.submittedOn))
    .limit(500);

export const findCaseStudy = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select({ study: caseStudy })
      .from(caseStudy)
      .innerJoin(
        worker,
        and(eq(worker.id, caseStudy.workerId), eq(worker.countyCode, caseStudy.countyCode)),
      )
      .where(and(eq(caseStudy.id, id), workerInScope(scope)))
      .limit(1)
  )[0]?.study;

import {
  AppError,
  todayIso,
  ZAddAttendance,
  ZComplianceQuery,
  ZCreateCaseStudy,
  ZCreateCourse,
  ZReviewCaseStudy,
  ZWorkflowOrgQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { packForPath } from '../todo/worker-policy.ts';
import { addAttendance } from './add-attendance.ts';
import { reviewCaseStudy, submitCaseStudy } from './case-studies.ts';
import { createCourse } from './create-course.ts';
import { findCourse, listAttendees, listCaseStudies, listCourses } from './training.repo.ts';
import { trainingCompliance } from './training-compliance.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const TAG = '培训';

export const trainingRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/training/courses',
    summary: '培训班列表',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const rows = await listCourses(ctx.db, ctx.actor.scope, node.path);
      return {
        items: rows.map((r) => ({ ...r.course, orgName: r.orgName ?? '', attendees: r.attendees })),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/training/courses',
    summary: '登记培训班（学时、天数）',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateCourse,
    status: 201,
    handler: async (c, { body }) => createCourse(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/training/courses/:id',
    summary: '培训班详情和参训人员',
    tag: TAG,
    access: 'workflow:read',
    params: ZId,
    handler: async (c, { params }) => {
      const ctx = c.get('ctx');
      const course = await findCourse(ctx.db, ctx.actor.scope, params.id);
      if (!course) throw new AppError('NOT_FOUND', '培训不存在');
      return { course, attendees: await listAttendees(ctx.db, ctx.actor.scope, course.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/training/courses/:id/attendance',
    summary: '登记参训人员（记入人事档案）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZAddAttendance,
    handler: async (c, { params, body }) => addAttendance(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/training/compliance',
    summary: '培训达标情况：按人员和社区对照政策（每年天数、学时、轮训周期、工作案例）',
    tag: TAG,
    access: 'workflow:read',
    query: ZComplianceQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const year = query.year ?? Number(todayIso().slice(0, 4));
      let rules: { id: string; description: string; source: string }[] = [];
      try {
        const pack = await packForPath(ctx.db, ctx.services.policies, node.path, `${year}-12-31`);
        rules = ctx.services.policies
          .describe(pack.id, `${year}-12-31`)
          .rules.filter(
            (r) => r.shape === 'alert' && (r.definition as { kind?: string }).kind === '培训',
          )
          .map((r) => ({ id: r.id, description: r.description, source: r.source }));
      } catch {
        // No pack above the node: no rules to list.
      }
      return {
        org: { code: node.code, name: node.name },
        rules,
        ...(await trainingCompliance(ctx, node.path, year)),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/training/case-studies',
    summary: '工作案例（典型经验总结）列表',
    tag: TAG,
    access: 'workflow:read',
    query: ZComplianceQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const rows = await listCaseStudies(ctx.db, ctx.actor.scope, node.path, query.year);
      return {
        items: rows.map((r) => ({
          ...r.study,
          name: r.name,
          communityName: r.communityName ?? '',
          streetName: r.streetName ?? '',
        })),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/training/case-studies',
    summary: '提交工作案例',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateCaseStudy,
    status: 201,
    handler: async (c, { body }) => submitCaseStudy(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/training/case-studies/:id/review',
    summary: '审核工作案例',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZReviewCaseStudy,
    handler: async (c, { params, body }) => reviewCaseStudy(c.get('ctx'), params.id, body),
  }),
];

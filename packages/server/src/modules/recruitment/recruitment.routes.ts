import {
  AppError,
  todayIso,
  ZAdvanceCampaign,
  ZCreateApplication,
  ZCreateCampaign,
  ZHireCampaign,
  ZImportApplications,
  ZReserveApplications,
  ZUpdateApplication,
  ZWorkflowOrgQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { inTransaction } from '../../context.ts';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { insertApplication } from './add-application.ts';
import { advanceCampaign } from './advance-campaign.ts';
import { createCampaign } from './create-campaign.ts';
import { getCampaign } from './get-campaign.ts';
import { hireCampaign } from './hire-campaign.ts';
import { importApplications } from './import-applications.ts';
import { findCampaign, listCampaigns, listPosts } from './recruitment.repo.ts';
import { reserveApplications } from './reserve-applications.ts';
import { updateApplicationStep } from './update-application.ts';
import { listVacancies } from './vacancies.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const TAG = '招聘';

export const recruitmentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/recruitment/campaigns',
    summary: '招聘列表',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const rows = await listCampaigns(ctx.db, ctx.actor.scope, node.path);
      return {
        items: rows.map((r) => ({
          ...r.campaign,
          orgName: r.orgName ?? '',
          seats: r.seats,
          applications: r.applications,
        })),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/recruitment/vacancies',
    summary: '各社区职数、在岗人数与可招聘人数（人走岗留：退出后岗位空出）',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      if (ctx.actor.scope.kind === 'self') return { items: [] };
      return { items: await listVacancies(ctx, node.path, todayIso()) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns',
    summary: '发布招聘公告（岗位须有空余职数）',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateCampaign,
    status: 201,
    handler: async (c, { body }) => createCampaign(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/recruitment/campaigns/:id',
    summary: '招聘详情：岗位、报名人员、资格条件、成绩排名、拟聘用人员',
    tag: TAG,
    access: 'workflow:read',
    params: ZId,
    handler: async (c, { params }) => getCampaign(c.get('ctx'), params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns/:id/applications',
    summary: '录入报名信息（按政策自动审查报名条件）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZCreateApplication,
    status: 201,
    handler: async (c, { params, body }) =>
      inTransaction(c.get('ctx'), async (tx) => {
        const campaign = await findCampaign(tx.db, tx.actor.scope, params.id);
        if (!campaign) throw new AppError('NOT_FOUND', '招聘不存在');
        if (campaign.step !== '报名')
          throw new AppError('CONFLICT', `当前为“${campaign.step}”阶段，报名阶段才能录入报名信息`);
        const post = (await listPosts(tx.db, campaign.id)).find((p) => p.post.id === body.postId);
        if (!post)
          throw new AppError('VALIDATION_FAILED', '本次招聘没有该岗位', {
            where: { field: 'postId' },
          });
        return insertApplication(tx, campaign, post.post, body);
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns/:id/applications/import',
    summary: '导入报名信息（CSV，逐行检查，有错误则全部不导入）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZImportApplications,
    handler: async (c, { params, body }) => importApplications(c.get('ctx'), params.id, body.csv),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/recruitment/applications/:id',
    summary: '录入资格审查、笔试、面试、体检、考察结果',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZUpdateApplication,
    handler: async (c, { params, body }) => updateApplicationStep(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns/:id/advance',
    summary: '进入下一招聘环节',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZAdvanceCampaign,
    handler: async (c, { params, body }) => advanceCampaign(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns/:id/hire',
    summary: '公示期满后聘用（登记为社区工作者，按政策设置试用期）',
    tag: TAG,
    access: 'workflow:approve',
    params: ZId,
    body: ZHireCampaign,
    handler: async (c, { params, body }) => hireCampaign(c.get('ctx'), params.id, body.hiredOn),
  }),
  defineRoute({
    method: 'post',
    path: '/api/recruitment/campaigns/:id/reserve',
    summary: '纳入后备人才库（不超过政策规定的比例）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZReserveApplications,
    handler: async (c, { params, body }) =>
      reserveApplications(c.get('ctx'), params.id, body.applicationIds),
  }),
];

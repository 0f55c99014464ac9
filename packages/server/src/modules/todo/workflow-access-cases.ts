import { maskIdNumber, todayIso } from '@shegong/shared';
import { and, eq } from 'drizzle-orm';
import { systemActor, type TServices } from '../../context.ts';
import {
  assessmentCycle,
  caseStudy,
  org,
  recruitmentApplication,
  recruitmentCampaign,
  recruitmentPost,
  secondmentRequest,
  trainingCourse,
  worker,
  workflowProposal,
  workItemRequest,
} from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { ctxFor } from '../../testing/test-db.ts';
import { effectivePackIds } from '../org/org.repo.ts';
import { listVacancies } from '../recruitment/vacancies.ts';
import { createWorker } from '../worker/create-worker.ts';
import { testIdNumber } from './workflow-fixtures.ts';

// The access-matrix cases of the workflow routes (招聘, 合同, 考核, 培训, 借调, 退出, 表彰,
// 准入清单, 待办), spread into CASES of access-matrix.db.test.ts. Each builder makes what it
// needs (a proposal, a campaign, a request) inside the target's place, so the same request is
// a success inside the caller's scope and a 404 outside it.

export type TWorkflowTarget = {
  county: string;
  street: string;
  community: string;
  workerId: string;
};
type TRequest = { method: string; path: string; body?: unknown };
export type TWorkflowCase = {
  build: (t: TWorkflowTarget, services: TServices) => Promise<TRequest> | TRequest;
  inScope?: Partial<Record<string, number>>;
  unscoped?: true;
};

const workerRow = async (services: TServices, id: string) =>
  (await services.database.db.select().from(worker).where(eq(worker.id, id)))[0]!;

/** A pending proposal about the target's worker (kind career: approving adds a note). */
const pendingProposal = async (t: TWorkflowTarget, services: TServices) => {
  const w = await workerRow(services, t.workerId);
  const id = newId();
  await services.database.db.insert(workflowProposal).values({
    id,
    kind: 'career',
    workerId: w.id,
    orgPath: w.orgPath,
    countyCode: w.countyCode,
    title: `${w.name}：发展渠道`,
    reason: '测试',
    payload: { kind: 'career', on: '2026-06-01', text: '测试' },
    dedupeKey: `matrix:${id}`,
  });
  return id;
};

const orgRow = async (services: TServices, code: string) =>
  (await services.database.db.select().from(org).where(eq(org.code, code)))[0]!;

/** A campaign of the target's street with one post in its community, at a step. */
const insertCampaign = async (
  t: TWorkflowTarget,
  services: TServices,
  opts: { step: string; status?: string; application?: Record<string, unknown> },
) => {
  const { db } = services.database;
  const street = await orgRow(services, t.street);
  const community = await orgRow(services, t.community);
  const packId = (await effectivePackIds(db, [street.path])).get(street.path) ?? null;
  const id = newId();
  await db.insert(recruitmentCampaign).values({
    id,
    title: '矩阵测试招聘',
    orgCode: street.code,
    orgPath: street.path,
    countyCode: street.countyCode,
    packId,
    step: opts.step,
    status: opts.status ?? '进行中',
    announcedOn: '2026-01-05',
    applyUntil: '2026-01-20',
    writtenWeight: 50,
    interviewWeight: 50,
    noticeFrom: '2026-02-01',
    noticeUntil: '2026-02-07',
  });
  const postId = newId();
  await db.insert(recruitmentPost).values({
    id: postId,
    campaignId: id,
    communityCode: community.code,
    orgPath: community.path,
    countyCode: community.countyCode ?? '',
    postTitle: '专职工作人员',
    seats: 1,
  });
  let applicationId: string | null = null;
  if (opts.application) {
    applicationId = newId();
    const idNumber = testIdNumber('1992-04-04', t.county);
    await db.insert(recruitmentApplication).values({
      id: applicationId,
      campaignId: id,
      postId,
      orgPath: community.path,
      countyCode: community.countyCode ?? '',
      name: '矩阵考生',
      idNumberCipher: services.crypto.encrypt(idNumber),
      idNumberHash: services.crypto.blindIndex(idNumber),
      idNumberMasked: maskIdNumber(idNumber),
      birthDate: '1992-04-04',
      sex: '女',
      educationLevel: '本科',
      eligibility: { eligible: true, criteria: [], priorities: [] },
      eligible: true,
      ...opts.application,
    });
  }
  return { id, postId, applicationId };
};

/** A community of the target's street with a free post (matrix campaigns are cancelled first). */
const vacantCommunity = async (t: TWorkflowTarget, services: TServices) => {
  const { db } = services.database;
  await db
    .update(recruitmentCampaign)
    .set({ status: '已取消' })
    .where(eq(recruitmentCampaign.title, '矩阵测试发布招聘'));
  const street = await orgRow(services, t.street);
  const list = await listVacancies(ctxFor(services, systemActor()), street.path, todayIso());
  return list.find((v) => v.vacancies > 0)?.communityCode ?? t.community;
};

let year = 2030;
/** A cycle of the target's street for a year no other case uses. */
const insertCycle = async (t: TWorkflowTarget, services: TServices) => {
  const street = await orgRow(services, t.street);
  const id = newId();
  await services.database.db.insert(assessmentCycle).values({
    id,
    year: year++,
    orgCode: street.code,
    orgPath: street.path,
    countyCode: street.countyCode,
    packId: (await effectivePackIds(services.database.db, [street.path])).get(street.path) ?? null,
    dimensions: [{ name: '工作实绩', weight: 100 }],
  });
  return id;
};
/** A course of the target's community. */
const insertCourse = async (t: TWorkflowTarget, services: TServices) => {
  const community = await orgRow(services, t.community);
  const id = newId();
  await services.database.db.insert(trainingCourse).values({
    id,
    title: '矩阵测试培训',
    kind: '轮训',
    orgCode: community.code,
    orgPath: community.path,
    countyCode: community.countyCode,
    startOn: '2026-03-01',
    endOn: '2026-03-03',
    hours: 24,
    days: 3,
  });
  return id;
};

const insertCaseStudy = async (t: TWorkflowTarget, services: TServices) => {
  const w = await workerRow(services, t.workerId);
  const id = newId();
  await services.database.db.insert(caseStudy).values({
    id,
    workerId: w.id,
    orgPath: w.orgPath,
    countyCode: w.countyCode,
    year: 2026,
    title: '矩阵测试案例',
    submittedOn: '2026-06-01',
  });
  return id;
};

/** A secondment request of the target's worker, at a status. */
const insertSecondment = async (t: TWorkflowTarget, services: TServices, status: string) => {
  const w = await workerRow(services, t.workerId);
  const id = newId();
  await services.database.db.insert(secondmentRequest).values({
    id,
    workerId: w.id,
    orgPath: w.orgPath,
    countyCode: w.countyCode,
    streetCode: t.street,
    kind: '挂职锻炼',
    borrower: '区民政局',
    borrowerKind: '街道（乡镇）',
    purpose: '矩阵测试',
    fromOn: '2026-03-01',
    toOn: '2026-05-31',
    status,
  });
  return id;
};
// A 银川 demo street has fewer than 20 workers: its 5% a year (004 职业化 (十一)) allows no
// secondment, so a request or an approval inside is refused (422); the success path is in
// secondment.db.test.ts.
const REFUSED_BY_SHARE = {
  'system-admin': 422,
  'civil-affairs-admin': 422,
  'street-admin': 422,
  'community-secretary': 422,
};

let nth = 0;
/** A new worker of the target's community (through the use case, so statistics stay right). */
const freshWorker = async (
  t: TWorkflowTarget,
  services: TServices,
  fields: { postTitle: string; serviceStartedOn: string; status?: string; probationUntil?: string },
) =>
  (
    await createWorker(ctxFor(services, systemActor()), {
      name: `矩阵人员${nth++}`,
      idNumber: testIdNumber('1976-06-06', t.county),
      ethnicity: '汉族',
      politicalStatus: '群众',
      educationLevel: '大专',
      educationRecognised: true,
      certificateLevel: '无',
      veteran: false,
      livesInCommunity: false,
      priorService: [],
      status: (fields.status ?? '在岗') as '在岗',
      communityCode: t.community,
      postTitle: fields.postTitle as '委员',
      serviceStartedOn: fields.serviceStartedOn,
      hiredOn: fields.serviceStartedOn,
      probationUntil: fields.probationUntil ?? null,
    })
  ).id;

/** A pending request to add a work item at the target's community. */
const insertWorkItem = async (t: TWorkflowTarget, services: TServices) => {
  const community = await orgRow(services, t.community);
  const id = newId();
  await services.database.db.insert(workItemRequest).values({
    id,
    orgCode: community.code,
    orgPath: community.path,
    countyCode: community.countyCode,
    name: `矩阵测试事项${nth++}`,
    departments: ['区民政局'],
    content: '矩阵测试',
    reason: '矩阵测试',
    funding: '区财政',
  });
  return id;
};

const STREET_ONLY = { 'community-secretary': 404, worker: 404 };

export const WORKFLOW_CASES: Record<string, TWorkflowCase> = {
  'GET /api/todo': { build: (t) => ({ method: 'GET', path: `/api/todo?org=${t.community}` }) },
  'GET /api/todo/summary': {
    build: (t) => ({ method: 'GET', path: `/api/todo/summary?org=${t.community}` }),
  },
  'GET /api/proposals': {
    build: (t) => ({ method: 'GET', path: `/api/proposals?org=${t.community}` }),
  },
  'POST /api/proposals/:id/approve': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/proposals/${await pendingProposal(t, s)}/approve`,
      body: {},
    }),
  },
  'POST /api/proposals/:id/reject': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/proposals/${await pendingProposal(t, s)}/reject`,
      body: { note: '不同意' },
    }),
  },
  'GET /api/exit/cases': {
    build: (t) => ({ method: 'GET', path: `/api/exit/cases?org=${t.community}` }),
  },
  'POST /api/exit/proposals': {
    build: async (t, s) => {
      // One pending exit proposal per worker: earlier ones of this matrix are set aside.
      await s.database.db
        .update(workflowProposal)
        .set({ status: '已驳回' })
        .where(and(eq(workflowProposal.workerId, t.workerId), eq(workflowProposal.kind, 'exit')));
      return {
        method: 'POST',
        path: '/api/exit/proposals',
        body: {
          workerId: t.workerId,
          situation: '不能胜任现有岗位工作，经过培训或者调整工作岗位仍不能胜任',
          exitOn: '2026-12-31',
          reason: '测试',
        },
      };
    },
  },
  'GET /api/recruitment/campaigns': {
    build: (t) => ({ method: 'GET', path: `/api/recruitment/campaigns?org=${t.community}` }),
  },
  'GET /api/recruitment/vacancies': {
    build: (t) => ({ method: 'GET', path: `/api/recruitment/vacancies?org=${t.community}` }),
  },
  'POST /api/recruitment/campaigns': {
    build: async (t, s) => ({
      method: 'POST',
      path: '/api/recruitment/campaigns',
      body: {
        title: '矩阵测试发布招聘',
        orgCode: t.street,
        announcedOn: todayIso(),
        applyUntil: todayIso(),
        writtenWeight: 50,
        interviewWeight: 50,
        posts: [
          { communityCode: await vacantCommunity(t, s), postTitle: '专职工作人员', seats: 1 },
        ],
      },
    }),
    // Campaigns are organised by a street or county: a community's scope holds none.
    inScope: { 'community-secretary': 404 },
  },
  'GET /api/recruitment/campaigns/:id': {
    build: async (t, s) => ({
      method: 'GET',
      path: `/api/recruitment/campaigns/${(await insertCampaign(t, s, { step: '报名' })).id}`,
    }),
    inScope: { 'community-secretary': 404, worker: 404 },
  },
  'POST /api/recruitment/campaigns/:id/applications': {
    build: async (t, s) => {
      const c = await insertCampaign(t, s, { step: '报名' });
      return {
        method: 'POST',
        path: `/api/recruitment/campaigns/${c.id}/applications`,
        body: {
          postId: c.postId,
          name: '矩阵报名',
          idNumber: testIdNumber('1991-03-03', t.county),
          educationLevel: '本科',
        },
      };
    },
    inScope: { 'community-secretary': 404 },
  },
  'POST /api/recruitment/campaigns/:id/applications/import': {
    build: async (t, s) => {
      const c = await insertCampaign(t, s, { step: '报名' });
      return {
        method: 'POST',
        path: `/api/recruitment/campaigns/${c.id}/applications/import`,
        body: {
          csv: `姓名,身份证号,学历,报考社区,报考岗位\n矩阵导入,${testIdNumber('1991-05-05', t.county)},本科,${t.community},专职工作人员\n`,
        },
      };
    },
    inScope: { 'community-secretary': 404 },
  },
  'PATCH /api/recruitment/applications/:id': {
    build: async (t, s) => {
      const c = await insertCampaign(t, s, { step: '资格审查', application: {} });
      return {
        method: 'PATCH',
        path: `/api/recruitment/applications/${c.applicationId}`,
        body: { reviewNote: '材料齐全' },
      };
    },
    inScope: { 'community-secretary': 404 },
  },
  'POST /api/recruitment/campaigns/:id/advance': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/recruitment/campaigns/${(await insertCampaign(t, s, { step: '公告' })).id}/advance`,
      body: { step: '报名' },
    }),
    inScope: { 'community-secretary': 404 },
  },
  'POST /api/recruitment/campaigns/:id/hire': {
    build: async (t, s) => {
      const c = await insertCampaign(t, s, {
        step: '公示',
        application: {
          review: '通过',
          writtenScore: 8000,
          interviewScore: 8000,
          medical: '合格',
          background: '合格',
          outcome: '拟聘用',
        },
      });
      return {
        method: 'POST',
        path: `/api/recruitment/campaigns/${c.id}/hire`,
        body: { hiredOn: todayIso() },
      };
    },
  },
  'POST /api/recruitment/campaigns/:id/reserve': {
    build: async (t, s) => {
      const c = await insertCampaign(t, s, {
        step: '聘用',
        status: '已完成',
        application: {
          review: '通过',
          writtenScore: 7000,
          interviewScore: 7000,
          outcome: '未录用',
        },
      });
      return {
        method: 'POST',
        path: `/api/recruitment/campaigns/${c.id}/reserve`,
        body: { applicationIds: [c.applicationId] },
      };
    },
    // 银川 sets no reserve pool (温州 二(三) does; tested in recruitment.db.test.ts).
    inScope: {
      'system-admin': 422,
      'civil-affairs-admin': 422,
      'street-admin': 422,
      'community-secretary': 404,
    },
  },
  'GET /api/assessment/cycles': {
    build: (t) => ({ method: 'GET', path: `/api/assessment/cycles?org=${t.community}` }),
  },
  'POST /api/assessment/cycles': {
    build: (t) => ({
      method: 'POST',
      path: '/api/assessment/cycles',
      body: {
        orgCode: t.street,
        year: year++,
        weights: { 德: 20, 能: 20, 勤: 20, 绩: 30, 廉: 10 },
      },
    }),
    inScope: STREET_ONLY,
  },
  'GET /api/assessment/cycles/:id': {
    build: async (t, s) => ({
      method: 'GET',
      path: `/api/assessment/cycles/${await insertCycle(t, s)}`,
    }),
    inScope: STREET_ONLY,
  },
  'PUT /api/assessment/cycles/:id/results': {
    build: async (t, s) => ({
      method: 'PUT',
      path: `/api/assessment/cycles/${await insertCycle(t, s)}/results`,
      body: { results: [{ workerId: t.workerId, grade: '合格' }] },
    }),
    inScope: STREET_ONLY,
  },
  'POST /api/assessment/cycles/:id/consequences': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/assessment/cycles/${await insertCycle(t, s)}/consequences`,
    }),
    inScope: STREET_ONLY,
  },
  'GET /api/training/courses': {
    build: (t) => ({ method: 'GET', path: `/api/training/courses?org=${t.community}` }),
  },
  'POST /api/training/courses': {
    build: (t) => ({
      method: 'POST',
      path: '/api/training/courses',
      body: {
        title: '矩阵测试培训',
        kind: '轮训',
        orgCode: t.community,
        startOn: '2026-03-01',
        endOn: '2026-03-03',
        hours: 24,
        days: 3,
      },
    }),
  },
  'GET /api/training/courses/:id': {
    build: async (t, s) => ({
      method: 'GET',
      path: `/api/training/courses/${await insertCourse(t, s)}`,
    }),
    inScope: { worker: 404 },
  },
  'POST /api/training/courses/:id/attendance': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/training/courses/${await insertCourse(t, s)}/attendance`,
      body: { workerIds: [t.workerId] },
    }),
  },
  'GET /api/training/compliance': {
    build: (t) => ({ method: 'GET', path: `/api/training/compliance?org=${t.community}` }),
  },
  'GET /api/training/case-studies': {
    build: (t) => ({ method: 'GET', path: `/api/training/case-studies?org=${t.community}` }),
  },
  'POST /api/training/case-studies': {
    build: (t) => ({
      method: 'POST',
      path: '/api/training/case-studies',
      body: { workerId: t.workerId, year: 2026, title: '矩阵测试案例', submittedOn: '2026-06-01' },
    }),
  },
  'POST /api/training/case-studies/:id/review': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/training/case-studies/${await insertCaseStudy(t, s)}/review`,
      body: { status: '已通过' },
    }),
  },
  'GET /api/secondments': {
    build: (t) => ({ method: 'GET', path: `/api/secondments?org=${t.community}` }),
  },
  'POST /api/secondments': {
    build: (t) => ({
      method: 'POST',
      path: '/api/secondments',
      body: {
        workerId: t.workerId,
        kind: '挂职锻炼',
        borrower: '区民政局',
        borrowerKind: '街道（乡镇）',
        purpose: '矩阵测试',
        fromOn: '2026-03-01',
        toOn: '2026-05-31',
      },
    }),
    inScope: REFUSED_BY_SHARE,
  },
  'POST /api/secondments/:id/approve': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/secondments/${await insertSecondment(t, s, '待审批')}/approve`,
      body: {},
    }),
    inScope: REFUSED_BY_SHARE,
  },
  'POST /api/secondments/:id/reject': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/secondments/${await insertSecondment(t, s, '待审批')}/reject`,
      body: { note: '不同意' },
    }),
  },
  'POST /api/secondments/:id/return': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/secondments/${await insertSecondment(t, s, '已批准')}/return`,
      body: { returnedOn: '2026-05-31' },
    }),
  },
  'GET /api/contracts': {
    build: (t) => ({ method: 'GET', path: `/api/contracts?org=${t.community}` }),
  },
  'POST /api/contracts/:workerId': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/contracts/${await freshWorker(t, s, { postTitle: '委员', serviceStartedOn: '2021-06-01' })}`,
      body: { startOn: '2021-06-01', endOn: '2026-05-31' },
    }),
  },
  'POST /api/contracts/:workerId/probation-end': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/contracts/${await freshWorker(t, s, {
        postTitle: '网格员',
        serviceStartedOn: '2026-01-05',
        status: '试用期',
        probationUntil: '2026-04-04',
      })}/probation-end`,
      body: { on: '2026-04-05' },
    }),
  },
  'GET /api/honours': {
    build: (t) => ({ method: 'GET', path: `/api/honours?org=${t.community}` }),
  },
  'POST /api/honours/proposals': {
    build: async (t, s) => ({
      method: 'POST',
      path: '/api/honours/proposals',
      body: {
        workerId: await freshWorker(t, s, { postTitle: '委员', serviceStartedOn: '2006-01-01' }),
        rule: 'yc-honours',
        years: 20,
      },
    }),
  },
  'GET /api/admission/items': {
    build: (t) => ({ method: 'GET', path: `/api/admission/items?org=${t.community}` }),
  },
  'GET /api/admission/requests': {
    build: (t) => ({ method: 'GET', path: `/api/admission/requests?org=${t.community}` }),
  },
  'POST /api/admission/requests': {
    build: (t) => ({
      method: 'POST',
      path: '/api/admission/requests',
      body: {
        orgCode: t.community,
        name: `矩阵新增事项${nth++}`,
        departments: ['区民政局'],
        content: '矩阵测试内容',
        reason: '矩阵测试理由',
        funding: '区财政',
      },
    }),
  },
  'POST /api/admission/requests/:id/approve': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/admission/requests/${await insertWorkItem(t, s)}/approve`,
      body: {},
    }),
  },
  'POST /api/admission/requests/:id/reject': {
    build: async (t, s) => ({
      method: 'POST',
      path: `/api/admission/requests/${await insertWorkItem(t, s)}/reject`,
      body: { note: '不同意' },
    }),
  },
};

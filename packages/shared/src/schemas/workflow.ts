import { z } from 'zod';
import { ASSESSMENT_GRADES, CERTIFICATE_LEVELS, EDUCATION_LEVELS, POST_TITLES } from '../vocab.ts';
import { ZIsoDate, ZOrgCode } from './common.ts';
import { ZIdNumber, ZPhone } from './worker.ts';
import { BORROWER_KINDS, RECRUITMENT_STEPS, SECONDMENT_KINDS } from './workflow-vocab.ts';

// Requests and views of the workflows. Rule values (probation months, limits, the reserve pool's
// cap, dimensions) come from the governing pack through the server; these schemas only shape
// what users send.

const oneOf = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `${label}应为：${values.join('、')}` });

const ZNote = z.string().trim().max(500);
const ZOrgQuery = z.object({
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
});
export type TOrgQuery = z.input<typeof ZOrgQuery>;
export { ZOrgQuery as ZWorkflowOrgQuery };

/** A score of 0–100 with at most two decimals, kept as hundredths (85.5 → 8550). */
export const ZScore = z
  .number({ error: '成绩应为0—100的数字' })
  .min(0, '成绩不能小于0')
  .max(100, '成绩不能大于100')
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, '成绩最多两位小数')
  .transform((v) => Math.round(v * 100));

/** Hundredths of a point as text: 8550 → "85.50". */
export const formatScore = (hundredths: number | null | undefined): string =>
  hundredths === null || hundredths === undefined
    ? '—'
    : `${Math.trunc(hundredths / 100)}.${String(Math.abs(hundredths) % 100).padStart(2, '0')}`;

// ---- proposals ----------------------------------------------------------------------------------

export const PROPOSAL_KINDS = [
  'exit',
  'probation-end',
  'grade-step',
  'reward',
  'honour',
  'career',
] as const;
export type TProposalKind = (typeof PROPOSAL_KINDS)[number];
export const PROPOSAL_KIND_LABELS: Record<TProposalKind, string> = {
  exit: '退出',
  'probation-end': '试用期满转正',
  'grade-step': '岗位等级晋升',
  reward: '考核奖励',
  honour: '表彰奖励',
  career: '发展渠道',
};
export const PROPOSAL_STATUSES = ['待审批', '已批准', '已驳回'] as const;
export type TProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const ZProposalQuery = ZOrgQuery.extend({
  status: oneOf(PROPOSAL_STATUSES, '状态').optional(),
  kind: oneOf(PROPOSAL_KINDS, '类型').optional(),
  workerId: z.uuid('工作者编号无效').optional(),
});
export const ZDecideProposal = z.object({ note: ZNote.optional() });
export const ZRejectProposal = z.object({
  note: z.string().trim().min(1, '请填写驳回理由').max(500),
});

export type TProposalView = {
  id: string;
  kind: TProposalKind;
  workerId: string;
  workerName: string;
  communityName: string;
  title: string;
  reason: string;
  rule: string | null;
  ruleSource: string | null;
  payload: Record<string, unknown>;
  status: TProposalStatus;
  createdAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
};

// ---- to-do ---------------------------------------------------------------------------------------

export type TAlertItem = {
  workerId: string;
  workerName: string;
  communityName: string;
  streetName: string;
  postTitle: string | null;
  rule: string;
  kind: string;
  level: 'info' | 'upcoming' | 'due' | 'overdue';
  message: string;
  dueOn: string | null;
  source: string;
};

export type TTodoSummary = {
  alerts: { overdue: number; due: number; upcoming: number };
  byKind: Record<string, number>;
  proposals: number;
  requests: number;
  /** Workers evaluated; false when the scope is larger than one request evaluates. */
  workers: number;
  complete: boolean;
};

// ---- recruitment ---------------------------------------------------------------------------------

export const ZCampaignPost = z.object({
  communityCode: ZOrgCode,
  postTitle: oneOf(POST_TITLES, '岗位'),
  seats: z.number().int().min(1, '招聘人数至少1人').max(200),
});

export const ZCreateCampaign = z
  .object({
    title: z.string().trim().min(4, '请填写招聘公告标题').max(100),
    orgCode: z.string().regex(/^\d{6}$|^\d{12}$/, '组织单位应为县级或街道'),
    announcedOn: ZIsoDate,
    applyUntil: ZIsoDate,
    writtenWeight: z.number().int().min(0).max(100),
    interviewWeight: z.number().int().min(0).max(100),
    posts: z.array(ZCampaignPost).min(1, '至少设置一个招聘岗位').max(200),
  })
  .refine((c) => c.writtenWeight + c.interviewWeight === 100, {
    message: '笔试与面试权重之和应为100%',
    path: ['interviewWeight'],
  })
  .refine((c) => c.applyUntil >= c.announcedOn, {
    message: '报名截止日期不能早于公告日期',
    path: ['applyUntil'],
  });
export type TCreateCampaign = z.input<typeof ZCreateCampaign>;

export const ZCreateApplication = z.object({
  postId: z.uuid('请选择报考岗位'),
  name: z.string({ error: '请填写姓名' }).trim().min(2, '姓名至少2个字').max(30),
  idNumber: ZIdNumber,
  phone: ZPhone.nullish(),
  educationLevel: oneOf(EDUCATION_LEVELS, '学历'),
  educationRecognised: z.boolean().default(true),
  educationMajor: z.string().trim().max(50).nullish(),
  certificateLevel: oneOf(CERTIFICATE_LEVELS, '社工证等级').default('无'),
  certificateDate: ZIsoDate.nullish(),
  /** Facts among the pack's applicant flags. */
  flags: z.array(z.string().trim().min(1).max(30)).max(20).default([]),
});
export type TCreateApplication = z.input<typeof ZCreateApplication>;

export const ZImportApplications = z.object({
  /** CSV text (UTF-8) with a header row; see APPLICATION_CSV_HEADERS. */
  csv: z.string().min(1, '文件为空').max(2_000_000, '文件过大'),
});
/** Headers of the application CSV, in order; 是/否 columns name applicant flags. */
export const APPLICATION_CSV_HEADERS = [
  '姓名',
  '身份证号',
  '手机号',
  '学历',
  '专业',
  '社工证',
  '取证日期',
  '报考社区',
  '报考岗位',
  '其他情形',
] as const;

const ZResult = z.enum(['合格', '不合格'], { error: '应为：合格、不合格' });
export const ZUpdateApplication = z.object({
  review: z.enum(['通过', '不通过'], { error: '资格审查应为：通过、不通过' }).optional(),
  reviewNote: ZNote.nullish(),
  writtenScore: ZScore.nullish(),
  interviewScore: ZScore.nullish(),
  medical: ZResult.nullish(),
  background: ZResult.nullish(),
});
export type TUpdateApplication = z.input<typeof ZUpdateApplication>;

export const ZAdvanceCampaign = z
  .object({
    step: oneOf(RECRUITMENT_STEPS, '步骤'),
    noticeFrom: ZIsoDate.optional(),
    noticeUntil: ZIsoDate.optional(),
  })
  .refine((a) => a.step !== '公示' || (a.noticeFrom && a.noticeUntil), {
    message: '进入公示请填写公示起止日期',
    path: ['noticeUntil'],
  })
  .refine((a) => !a.noticeFrom || !a.noticeUntil || a.noticeUntil >= a.noticeFrom, {
    message: '公示结束日期不能早于开始日期',
    path: ['noticeUntil'],
  });
export const ZHireCampaign = z.object({ hiredOn: ZIsoDate });
export const ZReserveApplications = z.object({
  applicationIds: z.array(z.uuid()).min(1, '请选择人员').max(500),
});

export type TApplicationView = {
  id: string;
  postId: string;
  name: string;
  idNumber: string;
  birthDate: string;
  age: number;
  sex: string;
  educationLevel: string;
  educationMajor: string | null;
  certificateLevel: string;
  flags: string[];
  eligible: boolean;
  eligibility: {
    eligible: boolean;
    criteria: {
      rule: string;
      description: string;
      level: string;
      passed: boolean;
      reason: string;
      source: string;
    }[];
    priorities: { rule: string; label: string; source: string }[];
  };
  review: string;
  reviewNote: string | null;
  writtenScore: number | null;
  interviewScore: number | null;
  /** Weighted total in hundredths, when both scores are in. */
  total: number | null;
  rank: number | null;
  /** Why this rank against an equal total (同分按优先条件). */
  tieBreak: string | null;
  medical: string | null;
  background: string | null;
  outcome: string | null;
  workerId: string | null;
};

// ---- contracts -----------------------------------------------------------------------------------

export const ZSignContract = z.object({
  startOn: ZIsoDate,
  /** The end of the two-committee term, for contracts that end with it; or a fixed end. */
  endOn: ZIsoDate.nullish(),
  number: z.string().trim().max(50).nullish(),
});
export const ZProbationEnd = z.object({ on: ZIsoDate });

// ---- assessment ----------------------------------------------------------------------------------

export const ZCreateCycle = z.object({
  orgCode: z.string().regex(/^\d{6}$|^\d{12}$/, '考核单位应为县级或街道'),
  year: z.number().int().min(2000).max(2100),
  /** Weights in % for dimensions the pack leaves open; must add up to 100. */
  weights: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
});
export const ZAssessmentResults = z.object({
  results: z
    .array(
      z.object({
        workerId: z.uuid(),
        grade: oneOf(ASSESSMENT_GRADES, '考核等次').nullish(),
        /** Scores per dimension, 0–100. */
        scores: z.record(z.string(), ZScore).optional(),
        note: z.string().trim().max(200).optional(),
      }),
    )
    .min(1)
    .max(2000),
});
export type TAssessmentResults = z.input<typeof ZAssessmentResults>;

// ---- training ------------------------------------------------------------------------------------

export const COURSE_KINDS = ['入职培训', '轮训', '专题培训', '实践锻炼', '网络培训'] as const;
export const ZCreateCourse = z
  .object({
    title: z.string().trim().min(2, '请填写培训名称').max(100),
    kind: oneOf(COURSE_KINDS, '培训类型'),
    orgCode: ZOrgCode,
    organiser: z.string().trim().max(100).nullish(),
    startOn: ZIsoDate,
    endOn: ZIsoDate,
    hours: z.number().min(0).max(2000),
    days: z.number().min(0).max(365),
  })
  .refine((c) => c.endOn >= c.startOn, { message: '结束日期不能早于开始日期', path: ['endOn'] })
  .refine((c) => c.hours > 0 || c.days > 0, { message: '请填写学时或天数', path: ['hours'] });
export type TCreateCourse = z.input<typeof ZCreateCourse>;
export const ZAddAttendance = z.object({
  workerIds: z.array(z.uuid()).min(1, '请选择参训人员').max(2000),
  passed: z.boolean().default(true),
});
export const ZComplianceQuery = ZOrgQuery.extend({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});
export const ZCreateCaseStudy = z.object({
  workerId: z.uuid(),
  year: z.number().int().min(2000).max(2100),
  title: z.string().trim().min(2, '请填写案例标题').max(100),
  submittedOn: ZIsoDate,
});
export const ZReviewCaseStudy = z.object({
  status: z.enum(['已通过', '退回'], { error: '审核结果应为：已通过、退回' }),
  note: ZNote.optional(),
});

// ---- secondment ----------------------------------------------------------------------------------

export const ZCreateSecondment = z
  .object({
    workerId: z.uuid('请选择人员'),
    kind: oneOf(SECONDMENT_KINDS, '类型'),
    borrower: z.string().trim().min(2, '请填写借调（挂职）单位').max(100),
    borrowerKind: oneOf(BORROWER_KINDS, '单位性质'),
    purpose: z.string().trim().min(2, '请填写事由').max(200),
    fromOn: ZIsoDate,
    toOn: ZIsoDate,
  })
  .refine((s) => s.toOn >= s.fromOn, { message: '结束日期不能早于开始日期', path: ['toOn'] });
export type TCreateSecondment = z.input<typeof ZCreateSecondment>;
export const ZReturnSecondment = z.object({ returnedOn: ZIsoDate });

/** One rule checked for a request, with its clause and what it found. */
export type TRuleCheck = { rule: string; source: string; passed: boolean; message: string };

// ---- exit, honours -------------------------------------------------------------------------------

export const ZProposeExit = z.object({
  workerId: z.uuid(),
  situation: z.string().trim().min(2, '请选择退出情形').max(200),
  exitOn: ZIsoDate,
  reason: z.string().trim().min(2, '请填写退出原因').max(200),
});
export const ZProposeHonour = z.object({
  workerId: z.uuid(),
  rule: z.string().min(1).max(100),
  years: z.number().int().min(1).max(80),
});

// ---- admission list ------------------------------------------------------------------------------

export const ZCreateWorkItemRequest = z.object({
  orgCode: ZOrgCode,
  name: z.string().trim().min(2, '请填写事项名称').max(100),
  departments: z.array(z.string().trim().min(2).max(50)).min(1, '请填写主管部门').max(20),
  content: z.string().trim().min(2, '请填写工作内容').max(500),
  reason: z.string().trim().min(2, '请填写申请理由').max(500),
  funding: z.string().trim().min(2, '请说明经费保障（费随事转）').max(200),
});
export type TCreateWorkItemRequest = z.input<typeof ZCreateWorkItemRequest>;

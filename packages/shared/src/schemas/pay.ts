import { z } from 'zod';
import { ZIsoDate } from './common.ts';

// 薪酬: pay sheets (工资发放表) per street and month, pay conversions (薪酬套改), budgets and
// what-if. Money is integer fen everywhere; coefficients are exact text ("1.30").

const ZOrg = z.string().regex(/^\d{6,15}$/, '机构代码应为6–15位数字');

/** A pay month `YYYY-MM`. */
export const ZPayMonth = z
  .string({ error: '请选择月份（YYYY-MM）' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');

export const PAY_RUN_STATUSES = ['draft', 'reviewed', 'locked'] as const;
export type TPayRunStatus = (typeof PAY_RUN_STATUSES)[number];
export const PAY_RUN_STATUS_LABELS: Record<TPayRunStatus | 'none', string> = {
  none: '未计算',
  draft: '草稿',
  reviewed: '已审核',
  locked: '已锁定',
};

export const ZPayCompute = z.object({
  /** A street, or a county/city/province: every street under it (a background job). */
  org: ZOrg,
  month: ZPayMonth,
});
export type TPayCompute = z.input<typeof ZPayCompute>;

export const ZPayRunsQuery = z.object({ org: ZOrg.optional(), month: ZPayMonth });

/** Review and lock name the computed version they saw, so a recomputation in between is caught. */
export const ZPayRunAction = z.object({ version: z.number().int().min(1) });

export const ZPayExplainQuery = z.object({ forMonth: ZPayMonth.optional() });

export const ZWorkerPayQuery = z.object({ month: ZPayMonth });

export type TPayRunView = {
  id: string;
  streetCode: string;
  streetName: string;
  countyCode: string;
  month: string;
  status: TPayRunStatus;
  workerCount: number;
  openCount: number;
  totalFen: number;
  arrearsFen: number;
  version: number;
  packs: { packId: string; from: string }[];
  computedAt: string | null;
  reviewedAt: string | null;
  /** The account that reviewed the sheet: it may not also lock it. */
  reviewedBy: string | null;
  reviewedByName: string | null;
  lockedAt: string | null;
  lockedByName: string | null;
};

/** A street of the list, with its sheet for the month or none yet. */
export type TPayStreetRow = {
  streetCode: string;
  streetName: string;
  countyName: string;
  run: TPayRunView | null;
};

export type TPayLineView = {
  workerId: string;
  name: string;
  communityName: string;
  kind: 'regular' | 'arrears';
  forMonth: string;
  status: 'ok' | 'open';
  reason: string | null;
  packId: string | null;
  post: string | null;
  title: string | null;
  years: number | null;
  grade: number | null;
  coefficient: string | null;
  probation: boolean;
  baseFen: number | null;
  performanceFen: number | null;
  allowancesFen: number | null;
  oneOffFen: number;
  annualFen: number | null;
  monthlyFen: number | null;
  paidDays: number | null;
  monthDays: number | null;
  payableFen: number | null;
};

export type TPayRunDetail = { run: TPayRunView; lines: TPayLineView[] };

export type TTraceStepView = {
  rule: string;
  source: string;
  inputs: Record<string, unknown>;
  result: unknown;
  note: string;
};

/** "为什么": a line evaluated again from the input it was computed with. */
export type TPayExplanation = {
  workerId: string;
  name: string;
  month: string;
  forMonth: string;
  kind: 'regular' | 'arrears';
  packId: string | null;
  packName: string | null;
  evalOn: string;
  input: unknown;
  value: unknown;
  trace: TTraceStepView[];
  error: string | null;
  /** For an arrears line: what was paid for the month, what is due now, the difference. */
  arrears: { paidFen: number; dueFen: number; diffFen: number } | null;
};

// ---- pay conversion (薪酬套改) -------------------------------------------------------------------

export const ZConversionCreate = z.object({
  org: ZOrg,
  packId: z.string().regex(/^[a-z0-9-]+$/, '政策包编号格式不正确'),
  /** The first day of the new version. */
  effectiveOn: ZIsoDate,
});
export type TConversionCreate = z.input<typeof ZConversionCreate>;

export const ZConversionLinesQuery = z.object({
  /** changed: only workers whose pay changes. */
  filter: z.enum(['all', 'changed', 'raised', 'lowered', 'open']).default('all'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const CONVERSION_STATUSES = ['computing', 'ready', 'approved', 'failed'] as const;
export type TConversionStatus = (typeof CONVERSION_STATUSES)[number];
export const CONVERSION_STATUS_LABELS: Record<TConversionStatus, string> = {
  computing: '计算中',
  ready: '待审批',
  approved: '已审批',
  failed: '失败',
};

export type TConversionView = {
  id: string;
  packId: string;
  effectiveOn: string;
  orgCode: string;
  title: string;
  status: TConversionStatus;
  jobId: string | null;
  workerCount: number;
  raisedCount: number;
  loweredCount: number;
  openCount: number;
  beforeTotalFen: number;
  afterTotalFen: number;
  beforeFrom: string | null;
  afterFrom: string | null;
  createdAt: string;
  approvedAt: string | null;
  /** Months already locked on or after the date: arrears at the next pay sheet. */
  lockedMonths: string[];
};

export type TConversionLineView = {
  workerId: string;
  name: string;
  communityName: string;
  post: string | null;
  years: number | null;
  status: 'ok' | 'open';
  reason: string | null;
  beforeGrade: number | null;
  beforeCoefficient: string | null;
  beforeBaseFen: number | null;
  beforeMonthlyFen: number | null;
  afterGrade: number | null;
  afterCoefficient: string | null;
  afterBaseFen: number | null;
  afterMonthlyFen: number | null;
  diffFen: number | null;
};

// ---- budget and what-if ----------------------------------------------------------------------------

export const ZBudgetQuery = z.object({
  year: z.coerce.number().int().min(2000, '年份不正确').max(2100, '年份不正确'),
});

/**
 * Assumptions of a budget or what-if the documents do not give (employer social-insurance and
 * housing-fund rates, statistics such as 城镇常住居民人均可支配收入): shown as 测算假设, never as
 * the pack's figures.
 */
export const ZBudgetAssumptions = z.object({
  /** Employer social insurance as a share of pay, e.g. "16%". */
  socialInsuranceRate: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?%$/, '费率应写作百分比，如 16%')
    .optional(),
  housingFundRate: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,2})?%$/, '费率应写作百分比，如 12%')
    .optional(),
  /** External statistics in fen (e.g. { 城镇常住居民人均可支配收入: 6000000 }). */
  statistics: z.record(z.string().max(50), z.number().int().min(0)).optional(),
});
export type TBudgetAssumptions = z.input<typeof ZBudgetAssumptions>;

export const ZBudgetRequest = ZBudgetAssumptions.extend({
  org: ZOrg,
  year: z.number().int().min(2000, '年份不正确').max(2100, '年份不正确'),
});
export type TBudgetRequest = z.input<typeof ZBudgetRequest>;

/** Edits of a what-if draft: a new base amount (parameter), another reading, a new table (rules). */
export const ZWhatIfRequest = ZBudgetRequest.extend({
  packId: z.string().regex(/^[a-z0-9-]+$/, '政策包编号格式不正确'),
  /** The date the draft's values apply from (default: 1 January of the year). */
  from: ZIsoDate.optional(),
  parameters: z
    .record(
      z.string().max(60),
      z.union([z.number(), z.string().max(40), z.boolean()], { error: '参数值应为数字或文字' }),
    )
    .optional(),
  options: z.record(z.string().max(60), z.string().max(60)).optional(),
  /** Rules as written in a pack (YAML data as JSON), replacing the pack's rules of the same id. */
  rules: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
});
export type TWhatIfRequest = z.input<typeof ZWhatIfRequest>;

/** A county's annual cost. */
export type TBudgetCounty = {
  countyCode: string;
  countyName: string;
  packId: string | null;
  headcount: number;
  /** Workers whose pay the pack cannot give (未核定): not in the amounts. */
  openCount: number;
  openReasons: string[];
  baseFen: number;
  performanceFen: number;
  allowancesFen: number;
  /** Items paid once a year (e.g. 银川 星级绩效). */
  annualFen: number;
  payFen: number;
  items: {
    name: string;
    basis: 'pay' | 'person' | 'input';
    bound: 'exact' | 'min' | 'max';
    amountFen: number;
    source: string;
    assumed: boolean;
  }[];
  totalFen: number;
  byPayer: { payer: string; amountFen: number }[];
  unshared: string[];
};

export type TBudgetView = {
  year: string;
  orgCode: string;
  orgName: string;
  counties: TBudgetCounty[];
  totalFen: number;
  byPayer: { payer: string; amountFen: number }[];
  assumptions: string[];
  notes: string[];
};

export type TWhatIfView = {
  year: string;
  packId: string;
  draftName: string;
  edits: string[];
  current: TBudgetView;
  draft: TBudgetView;
  /** Workers whose monthly standard pay rises, falls or stays (on 1 July of the year). */
  raised: number;
  lowered: number;
  unchanged: number;
  /** Sum of the per-worker differences of the annual pay (equals draft − current pay). */
  diffFen: number;
  /** Distribution of the monthly differences (元 bands). */
  diffBands: { label: string; count: number }[];
  largest: {
    workerId: string;
    name: string;
    countyName: string;
    beforeFen: number;
    afterFen: number;
    diffFen: number;
  }[];
  quota: {
    countyCode: string;
    countyName: string;
    current: { min: number; max: number | null } | null;
    draft: { min: number; max: number | null } | null;
  }[];
};

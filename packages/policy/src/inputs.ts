import { ASSESSMENT_GRADES, CERTIFICATE_LEVELS, EDUCATION_LEVELS } from '@shegong/shared';
import * as z from 'zod';
import {
  ZAssessment,
  ZCertificate,
  ZCommunityKind,
  ZEducation,
  ZIsoDate,
  ZNonNegInt,
} from './schema/common.ts';
import { isIsoDate } from './util/dates.ts';

// Inputs of the evaluations. They use the documents' own Chinese terms (本科, 助理社会工作师,
// 其他人员 or 网格员, 不合格, 农村社区) and reject unknown keys, so a typo is an error, not a
// silently ignored field. Money is integer fen.

const ZFen = z.number().int();
export const ZServicePeriodInput = z.strictObject({
  from: ZIsoDate,
  to: ZIsoDate.nullable().optional(),
});

/** A worker, for grade, pay and alerts. */
export const ZWorkerInput = z.strictObject({
  post: z.string().min(1),
  years: ZNonNegInt.optional(),
  serviceStart: ZIsoDate.optional(),
  servicePeriods: z.array(ZServicePeriodInput).optional(),
  education: ZEducation.optional(),
  educationRecognised: z.boolean().optional(),
  certificate: ZCertificate.optional(),
  certificateOn: ZIsoDate.optional(),
  /**
   * The certificate held before `certificateOn` (an upgrade: 助理社会工作师 before 社会工作师), for
   * the days before it; without it the worker held none then.
   */
  certificateBefore: ZCertificate.optional(),
  certificateApproved: z.boolean().optional(),
  birthDate: ZIsoDate.optional(),
  hiredOn: ZIsoDate.optional(),
  leftOn: ZIsoDate.optional(),
  probation: z.boolean().optional(),
  grade: ZNonNegInt.optional(),
  entryGrade: ZNonNegInt.optional(),
  stars: z.number().int().min(0).max(5).optional(),
  assessment: ZAssessment.optional(),
  assessments: z
    .record(z.string().regex(/^\d{4}$/, { message: '年度应为四位数字' }), ZAssessment)
    .optional(),
  district: z.string().optional(),
  statistics: z.record(z.string(), ZFen).optional(),
  basePayFen: ZFen.optional(),
  previousPayFen: ZFen.optional(),
  pensionFen: ZFen.optional(),
  allowances: z.record(z.string(), ZFen).optional(),
  trainings: z
    .array(
      z.strictObject({
        on: ZIsoDate,
        days: z.number().min(0).optional(),
        hours: z.number().min(0).optional(),
      }),
    )
    .optional(),
  events: z.record(z.string(), z.array(ZIsoDate)).optional(),
  contractStartOn: ZIsoDate.optional(),
  contractEndsOn: ZIsoDate.optional(),
  termStartOn: ZIsoDate.optional(),
  termEndsOn: ZIsoDate.optional(),
  postStartOn: ZIsoDate.optional(),
  secondments: z
    .array(
      z.strictObject({
        from: ZIsoDate,
        to: ZIsoDate.nullable().optional(),
        approved: z.boolean().optional(),
      }),
    )
    .optional(),
  localResident: z.boolean().optional(),
  flags: z.array(z.string()).optional(),
});
export type TWorkerInput = z.infer<typeof ZWorkerInput>;

/** A community (quota of one community) or a street/county (scope `street`). */
export const ZCommunityInput = z.strictObject({
  households: ZNonNegInt.optional(),
  residents: ZNonNegInt.optional(),
  kind: ZCommunityKind.optional(),
  district: z.string().optional(),
});
export type TCommunityInput = z.infer<typeof ZCommunityInput>;

export const ZQuotaInput = z.strictObject({
  scope: z.enum(['community', 'street']).optional(),
  households: ZNonNegInt.optional(),
  residents: ZNonNegInt.optional(),
  kind: ZCommunityKind.optional(),
  district: z.string().optional(),
  communities: z.array(ZCommunityInput).optional(),
});
export type TQuotaInput = z.infer<typeof ZQuotaInput>;

/** A budget: the annual pay of a county's workers (from the pay engine) and their number. */
export const ZBudgetInput = z.strictObject({
  /** The county-level district the cost-sharing table names (e.g. 兴庆区). */
  district: z.string().optional(),
  /** Workers counted for per-person items. */
  headcount: ZNonNegInt,
  /** Annual pay total in fen (base, performance, allowances): the item 薪酬. */
  payFen: ZFen.min(0),
  /** Further cost items already computed by the caller (fen), split like the others. */
  items: z.record(z.string(), ZFen.min(0)).optional(),
});
export type TBudgetInput = z.infer<typeof ZBudgetInput>;

/** What a workflow asks of a pack: optionally the post (a category or a registry title). */
export const ZWorkflowInput = z.strictObject({ post: z.string().min(1).optional() });
export type TWorkflowInput = z.infer<typeof ZWorkflowInput>;

/** An applicant, for recruitment eligibility. */
export const ZApplicantInput = z.strictObject({
  birthDate: ZIsoDate.optional(),
  age: ZNonNegInt.optional(),
  education: ZEducation.optional(),
  educationRecognised: z.boolean().optional(),
  certificate: ZCertificate.optional(),
  major: z.string().optional(),
  flags: z.array(z.string()).default([]),
});
export type TApplicantInput = z.input<typeof ZApplicantInput>;

/** One worker as counted for compliance of a community or street. */
export const ZComplianceWorker = z.strictObject({
  post: z.string().optional(),
  education: ZEducation.optional(),
  educationRecognised: z.boolean().optional(),
  certificate: ZCertificate.optional(),
  localResident: z.boolean().optional(),
  seconded: z.boolean().optional(),
  birthDate: ZIsoDate.optional(),
  age: ZNonNegInt.optional(),
  flags: z.array(z.string()).optional(),
});
export const ZComplianceInput = z.strictObject({
  scope: z.enum(['community', 'street']),
  workers: z.array(ZComplianceWorker),
});
export type TComplianceInput = z.infer<typeof ZComplianceInput>;

// ---- fast path -----------------------------------------------------------------------------------
// Validating a worker with zod costs tens of microseconds; batches encode millions of them. This
// check accepts only inputs that ZWorkerInput certainly accepts (unchanged); anything else goes
// to zod, which gives the Chinese message and the field. A test compares both on random inputs.

const EDU = new Set<string>(EDUCATION_LEVELS);
const CERT = new Set<string>(CERTIFICATE_LEVELS);
const GRADES = new Set<string>(ASSESSMENT_GRADES);
const DATE_KEYS = new Set([
  'serviceStart',
  'certificateOn',
  'birthDate',
  'hiredOn',
  'leftOn',
  'contractStartOn',
  'contractEndsOn',
  'termStartOn',
  'termEndsOn',
  'postStartOn',
]);
const BOOL_KEYS = new Set([
  'educationRecognised',
  'certificateApproved',
  'probation',
  'localResident',
]);
const NAT_KEYS = new Set(['years', 'grade', 'entryGrade']);
const INT_KEYS = new Set(['basePayFen', 'previousPayFen', 'pensionFen']);

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): boolean => typeof v === 'string' && isIsoDate(v);
const isNat = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isIntRecord = (v: unknown): boolean =>
  isObj(v) && Object.values(v).every((x) => Number.isSafeInteger(x));
const onlyKeys = (o: Record<string, unknown>, keys: readonly string[]): boolean =>
  Object.keys(o).every((k) => keys.includes(k));

const fastWorkerOk = (v: unknown): v is TWorkerInput => {
  if (!isObj(v)) return false;
  if (typeof v.post !== 'string' || v.post.length === 0) return false;
  for (const k in v) {
    const x = v[k];
    if (x === undefined || k === 'post') continue;
    if (DATE_KEYS.has(k)) {
      if (!isDate(x)) return false;
    } else if (BOOL_KEYS.has(k)) {
      if (typeof x !== 'boolean') return false;
    } else if (NAT_KEYS.has(k)) {
      if (!isNat(x)) return false;
    } else if (INT_KEYS.has(k)) {
      if (!Number.isSafeInteger(x)) return false;
    } else if (k === 'education') {
      if (!EDU.has(x as string)) return false;
    } else if (k === 'certificate' || k === 'certificateBefore') {
      if (!CERT.has(x as string)) return false;
    } else if (k === 'assessment') {
      if (!GRADES.has(x as string)) return false;
    } else if (k === 'stars') {
      if (!isNat(x) || (x as number) > 5) return false;
    } else if (k === 'district') {
      if (typeof x !== 'string') return false;
    } else if (k === 'statistics' || k === 'allowances') {
      if (!isIntRecord(x)) return false;
    } else if (k === 'assessments') {
      if (
        !isObj(x) ||
        !Object.entries(x).every(([y, g]) => /^\d{4}$/.test(y) && GRADES.has(g as string))
      )
        return false;
    } else if (k === 'flags') {
      if (!Array.isArray(x) || !x.every((f) => typeof f === 'string')) return false;
    } else if (k === 'servicePeriods' || k === 'secondments') {
      const keys = k === 'servicePeriods' ? ['from', 'to'] : ['from', 'to', 'approved'];
      if (!Array.isArray(x)) return false;
      for (const p of x) {
        if (!isObj(p) || !onlyKeys(p, keys) || !isDate(p.from)) return false;
        if (p.to !== undefined && p.to !== null && !isDate(p.to)) return false;
        if (p.approved !== undefined && typeof p.approved !== 'boolean') return false;
      }
    } else if (k === 'trainings') {
      if (!Array.isArray(x)) return false;
      for (const p of x) {
        if (!isObj(p) || !onlyKeys(p, ['on', 'days', 'hours']) || !isDate(p.on)) return false;
        for (const m of ['days', 'hours'] as const) {
          if (
            p[m] !== undefined &&
            (typeof p[m] !== 'number' || !Number.isFinite(p[m]) || (p[m] as number) < 0)
          )
            return false;
        }
      }
    } else if (k === 'events') {
      if (!isObj(x) || !Object.values(x).every((d) => Array.isArray(d) && d.every(isDate)))
        return false;
    } else return false;
  }
  return true;
};

/**
 * Validates a worker input: a fast check for well-formed input, zod (with its Chinese messages
 * naming the field) for everything else.
 */
export const parseWorkerInput = (
  input: unknown,
  slow: (v: unknown) => TWorkerInput,
): TWorkerInput => (fastWorkerOk(input) ? input : slow(input));

export const fastWorkerCheck = fastWorkerOk;

import { z } from 'zod';
import { checkIdNumber } from '../id-number.ts';
import {
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  POLITICAL_STATUSES,
  POST_TITLES,
  WORKER_STATUSES,
} from '../vocab.ts';
import { todayIso, ZIsoDate, ZOrgCode, ZPastDate } from './common.ts';

const oneOf = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `${label}应为：${values.join('、')}` });

export const ZIdNumber = z.string({ error: '请填写身份证号' }).transform((value, ctx) => {
  const check = checkIdNumber(value);
  if (!check.ok) {
    ctx.addIssue({ code: 'custom', message: check.message });
    return z.NEVER;
  }
  const today = todayIso();
  if (check.facts.birthDate > today) {
    ctx.addIssue({
      code: 'custom',
      message: `身份证号中的出生日期 ${check.facts.birthDate} 晚于今天（${today}）`,
    });
    return z.NEVER;
  }
  return check.value;
});

export const ZPhone = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, '手机号应为11位，以1开头');

export const ZServicePeriod = z
  .object({
    from: ZPastDate,
    to: ZPastDate,
    place: z.string().trim().min(1, '请填写工作单位（社区）').max(100),
  })
  .refine((p) => p.from <= p.to, { message: '开始日期不能晚于结束日期', path: ['to'] });

/**
 * The fields of a worker that a form or an import row sets, without defaults: an update names
 * only what changes, so a default there would silently reset the fields it leaves out.
 */
const workerFields = {
  name: z.string({ error: '请填写姓名' }).trim().min(2, '姓名至少2个字').max(30, '姓名最多30个字'),
  idNumber: ZIdNumber,
  phone: ZPhone.nullish(),
  ethnicity: z.string().trim().min(1).max(20),
  politicalStatus: oneOf(POLITICAL_STATUSES, '政治面貌'),
  educationLevel: oneOf(EDUCATION_LEVELS, '学历'),
  educationMajor: z.string().trim().max(50).nullish(),
  educationRecognised: z.boolean(),
  certificateLevel: oneOf(CERTIFICATE_LEVELS, '社工证等级'),
  certificateDate: ZPastDate.nullish(),
  veteran: z.boolean(),
  livesInCommunity: z.boolean(),
  serviceStartedOn: ZPastDate,
  priorService: z.array(ZServicePeriod).max(20),
  status: oneOf(WORKER_STATUSES, '状态'),
  communityCode: ZOrgCode,
  gridCode: ZOrgCode.nullish(),
  postTitle: oneOf(POST_TITLES, '职务'),
  hiredOn: ZPastDate.nullish(),
  probationUntil: ZIsoDate.nullish(),
};

type TCrossFields = {
  certificateLevel?: string;
  certificateDate?: string | null;
  hiredOn?: string | null;
  probationUntil?: string | null;
  serviceStartedOn?: string;
  priorService?: Array<{ from: string; to: string }>;
  status?: string;
};

/**
 * Checks between fields of a whole record, each reported on the field a user must correct. An
 * update checks the record as it will be (stored values merged with the change), not the change.
 */
export const workerRecordIssues = (
  w: TCrossFields,
): Array<{ path: PropertyKey[]; message: string }> => {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  if (w.certificateLevel && w.certificateLevel !== '无' && !w.certificateDate) {
    issues.push({ message: '持证人员请填写取证日期', path: ['certificateDate'] });
  }
  if (w.hiredOn && w.probationUntil && w.probationUntil < w.hiredOn) {
    issues.push({ message: '试用期结束日期不能早于入职日期', path: ['probationUntil'] });
  }
  if (w.status === '试用期' && w.probationUntil === null) {
    issues.push({ message: '试用期人员请填写试用期结束日期', path: ['probationUntil'] });
  }
  const periods = [...(w.priorService ?? [])].sort((a, b) => (a.from < b.from ? -1 : 1));
  periods.forEach((p, i) => {
    if (w.serviceStartedOn && p.to > w.serviceStartedOn) {
      issues.push({
        message: '此前的工作经历应在本次社区工作开始之前',
        path: ['priorService', i, 'to'],
      });
    }
    const next = periods[i + 1];
    if (next && next.from <= p.to) {
      issues.push({ message: '工作经历的时间段不能重叠', path: ['priorService', i + 1, 'from'] });
    }
  });
  return issues;
};

const crossCheck = (w: TCrossFields, ctx: z.RefinementCtx) => {
  for (const issue of workerRecordIssues(w)) ctx.addIssue({ code: 'custom', ...issue });
};

/** A new worker: the fields a form may leave empty take their usual values. */
export const ZCreateWorker = z
  .object({
    ...workerFields,
    ethnicity: workerFields.ethnicity.default('汉族'),
    politicalStatus: workerFields.politicalStatus.default('群众'),
    educationRecognised: workerFields.educationRecognised.default(true),
    certificateLevel: workerFields.certificateLevel.default('无'),
    veteran: workerFields.veteran.default(false),
    livesInCommunity: workerFields.livesInCommunity.default(false),
    priorService: workerFields.priorService.default([]),
    status: workerFields.status.default('在岗'),
  })
  .superRefine(crossCheck);
export type TCreateWorker = z.input<typeof ZCreateWorker>;
export type TCreateWorkerParsed = z.output<typeof ZCreateWorker>;

/**
 * A change to a worker: any subset of fields, the version read (optimistic lock), a date, a
 * reason. Fields left out keep their stored values; checks between fields run on the merged
 * record (`workerRecordIssues`).
 */
export const ZUpdateWorker = z.object({
  ...Object.fromEntries(
    Object.entries(workerFields).map(([k, v]) => [k, (v as z.ZodType).optional()]),
  ),
  version: z.number({ error: '缺少版本号' }).int(),
  /** When a post, community or education change takes effect (default: today). */
  effectiveOn: ZIsoDate.optional(),
  /**
   * The change corrects a wrong record rather than recording a change: a corrected education or
   * certificate applies to every month (a locked month gets arrears), not from its day.
   */
  correction: z.boolean().optional(),
  reason: z.string().trim().max(200).optional(),
});
export type TUpdateWorker = {
  [K in keyof typeof workerFields]?: z.input<(typeof workerFields)[K]>;
} & { version: number; effectiveOn?: string; correction?: boolean; reason?: string };

export const ZWorkerListQuery = z.object({
  /** Any node of the tree: its whole subtree. */
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
  status: oneOf(WORKER_STATUSES, '状态').optional(),
  postTitle: oneOf(POST_TITLES, '职务').optional(),
  educationLevel: oneOf(EDUCATION_LEVELS, '学历').optional(),
  certificateLevel: oneOf(CERTIFICATE_LEVELS, '社工证等级').optional(),
  /** Name prefix, or a full 身份证号 / mobile number. */
  q: z.string().trim().max(30).optional(),
  after: z.uuid('翻页游标无效').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
export type TWorkerListQuery = z.input<typeof ZWorkerListQuery>;

export type TWorkerView = {
  id: string;
  name: string;
  idNumber: string;
  idNumberMasked: boolean;
  birthDate: string;
  age: number;
  sex: string;
  phone: string | null;
  ethnicity: string;
  politicalStatus: string;
  educationLevel: string;
  educationMajor: string | null;
  educationRecognised: boolean;
  certificateLevel: string;
  certificateDate: string | null;
  veteran: boolean;
  livesInCommunity: boolean;
  serviceStartedOn: string;
  priorService: Array<{ from: string; to: string; place: string }>;
  serviceYears: number;
  status: string;
  communityCode: string;
  communityName: string;
  streetName: string;
  gridCode: string | null;
  postTitle: string | null;
  postCategory: string | null;
  hiredOn: string | null;
  probationUntil: string | null;
  exitedOn: string | null;
  version: number;
  updatedAt: string;
};

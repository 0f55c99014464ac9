import { BORROWER_KINDS, CONTRACT_TYPES, RECRUITMENT_STEPS } from '@shegong/shared';
import * as z from 'zod';
import {
  orRef,
  ZAssessment,
  ZCommunityKind,
  ZDuration,
  ZEducation,
  ZExpr,
  ZIsoDate,
  ZNonNegInt,
  ZPostTitle,
  ZRatio,
  ZRounding,
  ZWho,
  ZYuan,
  ZZh,
} from './common.ts';

// ---------------------------------------------------------------------------------------------
// Field schemas that an option may choose. They are exported so that the compiler can validate
// the chosen value of an option with the same schema as an inline value.
export const ZYearsRounding = z.enum(['floor', 'ceil']);
export const ZBumpCombine = z.enum(['stack', 'highest']);
export const ZWeakYear = z.enum(['delay', 'block']);
export const ZMissingAssessment = z.enum(['pass', 'fail']);
export const ZPeriod = z.enum(['month', 'year']);
export const ZBoundary = z.enum(['upper-inclusive', 'upper-exclusive']);
export const ZStepSizes = z.strictObject({
  min: z.number().int().positive(),
  max: z.number().int().positive(),
});
export const ZJoinMonth = z.enum(['full-month', 'by-days', 'none']);
export const ZLeaveMonth = z.enum(['by-days', 'full-month']);
/** A pack version starting inside a month: split the month by calendar days, or not at all. */
export const ZVersionChange = z.enum(['by-days', 'month-start']);
/** A dated change of the worker's record inside a month (a certificate obtained on the 16th). */
export const ZRecordChange = z.enum(['next-month', 'by-days']);
export const ZAllowanceMode = z.enum(['table', 'cap-of-input']);
export const ZBool = z.boolean();
export const ZRoundPair = z.strictObject({ min: ZRounding, max: ZRounding });

/** Fields every rule carries. */
const base = {
  id: z
    .string()
    .regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, { message: '规则 id 只能包含字母、数字、._-' }),
  description: ZZh,
  source: z.string().min(1),
  covers: z.array(z.string()).optional(),
  effective_from: ZIsoDate.optional(),
  effective_to: ZIsoDate.nullable().optional(),
  replaces: z.array(z.string()).optional(),
  note: z.string().optional(),
};

/** Grade numbers as keys: `18: ...`. */
const gradeKey = z.string().regex(/^\d{1,2}$/, { message: '等级应为整数' });
/** A range of years as the documents write it: `34年及以上`, `31-33年`, `3年及以下`. */
const ZYearsBand = z.string().min(1);

// ---- years of service -------------------------------------------------------------------------
export const ZServiceYearsRule = z.strictObject({
  ...base,
  shape: z.literal('service-years'),
  rounding: orRef(ZYearsRounding).default('floor'),
  excludeAssessments: z.array(ZAssessment).optional(),
  accumulate: z.boolean().default(true),
});

// ---- grade ------------------------------------------------------------------------------------
export const ZGradeByYears = z.strictObject({
  ...base,
  shape: z.literal('grade-by-years'),
  table: z.record(gradeKey, z.record(z.string(), ZYearsBand)),
});

export const ZGradeByPromotion = z.strictObject({
  ...base,
  shape: z.literal('grade-by-promotion'),
  entry: z.union([z.literal('input'), z.record(z.string(), orRef(ZNonNegInt))]),
  everyYears: orRef(z.number().int().positive()),
  passing: z.array(ZAssessment).min(1),
  onWeakYear: orRef(ZWeakYear),
  missingAssessment: orRef(ZMissingAssessment).default('pass'),
  span: z.record(z.string(), z.tuple([ZNonNegInt, ZNonNegInt])),
});

export const ZGradeByExpr = z.strictObject({
  ...base,
  shape: z.literal('grade-by-expr'),
  expr: ZExpr,
  span: z.record(z.string(), z.tuple([ZNonNegInt, ZNonNegInt])),
});

export const ZGradeBump = z.strictObject({
  ...base,
  shape: z.literal('grade-bump'),
  who: ZWho.optional(),
  by: z.enum(['education', 'certificate', 'expr']),
  levels: z.record(z.string(), orRef(ZNonNegInt)).optional(),
  expr: ZExpr.optional(),
  recognisedOnly: z.boolean().default(false),
  heldOnDate: z.boolean().default(true),
  withinSpan: orRef(ZBool).default(true),
});

export const ZGradeBumpLimits = z.strictObject({
  ...base,
  shape: z.literal('grade-bump-limits'),
  combine: orRef(ZBumpCombine).default('stack'),
  maxTotal: z.record(z.string(), orRef(ZNonNegInt)).optional(),
});

export const ZGradeCoefficients = z.strictObject({
  ...base,
  shape: z.literal('grade-coefficients'),
  table: z.record(gradeKey, orRef(ZRatio)),
  decimals: z.number().int().min(0).max(6).default(2),
});

export const ZProbation = z.strictObject({
  ...base,
  shape: z.literal('probation'),
  who: ZWho.optional(),
  months: orRef(z.number().int().positive()),
  pay: z.union([
    z.strictObject({ coefficient: orRef(ZRatio) }),
    z.strictObject({ percentOfEntry: orRef(ZRatio) }),
    z.strictObject({ full: z.literal(true) }),
  ]),
  performance: z.boolean().default(false),
  allowances: z.boolean().default(false),
});

// ---- pay --------------------------------------------------------------------------------------
const ZPayComponent = z.strictObject({
  name: ZZh,
  by: z.enum(['category', 'grade', 'years', 'education', 'certificate', 'fixed']),
  table: z.record(z.string(), orRef(ZYuan)).optional(),
  bands: z.array(z.strictObject({ from: ZNonNegInt, amount: orRef(ZYuan) })).optional(),
  amount: orRef(ZYuan).optional(),
});

const payBase = {
  ...base,
  shape: z.literal('pay-base'),
  who: ZWho.optional(),
  rounding: ZRounding.default('half-up'),
};
export const ZPayBase = z.discriminatedUnion('method', [
  z.strictObject({
    ...payBase,
    method: z.literal('coefficient-times-amount'),
    amount: orRef(ZYuan),
  }),
  z.strictObject({
    ...payBase,
    method: z.literal('coefficient-times-statistic'),
    statistic: z.string().min(1),
    multiplier: orRef(ZRatio),
    share: orRef(ZRatio).optional(),
    statisticPeriod: ZPeriod.default('year'),
  }),
  z.strictObject({
    ...payBase,
    method: z.literal('components'),
    components: z.array(ZPayComponent).min(1),
  }),
  z.strictObject({ ...payBase, method: z.literal('given') }),
  z.strictObject({ ...payBase, method: z.literal('expr'), expr: ZExpr }),
]);

const perf = {
  ...base,
  shape: z.literal('pay-performance'),
  who: ZWho.optional(),
  rounding: ZRounding.default('half-up'),
};
export const ZPayPerformance = z.discriminatedUnion('method', [
  z.strictObject({
    ...perf,
    method: z.literal('by-stars'),
    amounts: z.record(z.string().regex(/^[0-5]$/), orRef(ZYuan)),
    period: orRef(ZPeriod),
    byAssessment: z.record(z.string(), orRef(ZRatio)).optional(),
  }),
  z.strictObject({ ...perf, method: z.literal('share-of-total'), share: orRef(ZRatio) }),
  z.strictObject({ ...perf, method: z.literal('share-of-base'), share: orRef(ZRatio) }),
  z.strictObject({
    ...perf,
    method: z.literal('fixed'),
    amount: orRef(ZYuan),
    period: orRef(ZPeriod),
  }),
  z.strictObject({ ...perf, method: z.literal('expr'), expr: ZExpr, period: orRef(ZPeriod) }),
]);

export const ZPayAllowance = z.strictObject({
  ...base,
  shape: z.literal('pay-allowance'),
  who: ZWho.optional(),
  name: ZZh,
  by: z.enum(['certificate', 'education', 'category', 'grade', 'fixed', 'expr']),
  amounts: z.record(z.string(), orRef(ZYuan)).optional(),
  amount: orRef(ZYuan).optional(),
  expr: ZExpr.optional(),
  when: ZExpr.optional(),
  mode: orRef(ZAllowanceMode).default('table'),
  period: orRef(ZPeriod).default('month'),
  rounding: ZRounding.default('half-up'),
});

export const ZPayFloor = z.strictObject({
  ...base,
  shape: z.literal('pay-floor'),
  who: ZWho.optional(),
  statistic: z.string().min(1),
  statisticPeriod: ZPeriod.default('year'),
  share: orRef(ZRatio).optional(),
  byDistrict: z.record(z.string(), orRef(ZRatio)).optional(),
  rounding: ZRounding.default('ceil'),
});

export const ZPayProration = z.strictObject({
  ...base,
  shape: z.literal('pay-proration'),
  join: orRef(ZJoinMonth),
  leave: orRef(ZLeaveMonth),
  /** A version of the pack starting inside the month (default by-days: split by calendar days). */
  change: orRef(ZVersionChange).optional(),
  /**
   * A certificate obtained inside the month (the dated fact of the record): counted from the
   * next month (default, the month's facts are those of its first day) or split by days.
   */
  recordChange: orRef(ZRecordChange).optional(),
  rounding: ZRounding.default('half-up'),
});

export const ZPayProtection = z.strictObject({
  ...base,
  shape: z.literal('pay-protection'),
  who: ZWho.optional(),
  method: z.enum(['keep-previous', 'retiree-offset']),
});

// ---- quota ------------------------------------------------------------------------------------
const ZBound = z.union([ZNonNegInt, z.null()]);
const quota = {
  ...base,
  shape: z.literal('quota-line'),
  scope: z.enum(['community', 'street']),
  name: ZZh,
  kinds: z.array(ZCommunityKind).optional(),
  within: z.string().optional(),
  inTotal: z.boolean().default(true),
  reserved: z.boolean().default(false),
  cap: orRef(ZNonNegInt).optional(),
};
const ZBy = z.enum(['households', 'residents']);
export const ZQuotaLine = z.discriminatedUnion('method', [
  z.strictObject({
    ...quota,
    method: z.literal('bands'),
    by: ZBy,
    bands: z
      .array(z.strictObject({ upTo: ZNonNegInt.optional(), min: ZNonNegInt, max: ZBound }))
      .min(1),
    boundary: orRef(ZBoundary),
  }),
  z.strictObject({
    ...quota,
    method: z.literal('base-plus-steps'),
    by: ZBy,
    base: z.strictObject({ min: ZNonNegInt, max: ZBound }),
    threshold: orRef(ZNonNegInt),
    step: orRef(ZStepSizes),
    rounding: orRef(ZRounding),
  }),
  z.strictObject({
    ...quota,
    method: z.literal('per-10k'),
    by: ZBy,
    ratio: orRef(ZRatio),
    rounding: orRef(ZRounding),
    minimum: ZNonNegInt.optional(),
  }),
  z.strictObject({
    ...quota,
    method: z.literal('per-unit'),
    by: ZBy,
    size: orRef(ZStepSizes),
    rounding: orRef(ZRoundPair),
    atLeast: ZNonNegInt.default(0),
  }),
  z.strictObject({ ...quota, method: z.literal('fixed'), min: ZNonNegInt, max: ZBound }),
  z.strictObject({
    ...quota,
    method: z.literal('allocation'),
    table: z.record(z.string(), ZNonNegInt),
    total: ZNonNegInt.optional(),
  }),
  z.strictObject({
    ...quota,
    method: z.literal('sum-of-communities'),
    line: z.string().optional(),
  }),
  z.strictObject({
    ...quota,
    method: z.literal('expr'),
    expr: ZExpr.optional(),
    min: ZExpr.optional(),
    max: ZExpr.optional(),
    rounding: ZRounding.default('half-up'),
  }),
]);

// ---- eligibility ------------------------------------------------------------------------------
const crit = {
  ...base,
  shape: z.literal('criterion'),
  level: z.enum(['required', 'advisory']).default('required'),
};
const ZException = z.strictObject({ when: ZExpr, label: ZZh, max: ZNonNegInt.optional() });
export const ZCriterion = z.discriminatedUnion('test', [
  z.strictObject({
    ...crit,
    test: z.literal('age-max'),
    max: orRef(ZNonNegInt),
    exceptions: z.array(ZException).default([]),
  }),
  z.strictObject({ ...crit, test: z.literal('age-min'), min: orRef(ZNonNegInt) }),
  z.strictObject({
    ...crit,
    test: z.literal('education-min'),
    min: ZEducation,
    recognisedOnly: z.boolean().default(false),
    exceptions: z.array(ZException).default([]),
  }),
  z.strictObject({
    ...crit,
    test: z.literal('expr'),
    expr: ZExpr,
    fail: ZZh,
    pass: ZZh.optional(),
  }),
]);

export const ZPriority = z.strictObject({
  ...base,
  shape: z.literal('priority'),
  when: ZExpr,
  label: ZZh,
});

// ---- alerts -----------------------------------------------------------------------------------
export const ALERT_KINDS = [
  '培训',
  '证书',
  '合同',
  '任期',
  '试用期',
  '考核',
  '借调',
  '表彰',
  '发展',
  '疗休养',
  '服务期',
  '其他',
] as const;
const alert = {
  ...base,
  shape: z.literal('alert'),
  kind: z.enum(ALERT_KINDS),
  who: ZWho.optional(),
  when: ZExpr.optional(),
  lead: ZDuration.default({ days: 60 }),
};
export const ZDateField = z.enum([
  'hiredOn',
  'serviceStart',
  'contractStartOn',
  'contractEndsOn',
  'termStartOn',
  'termEndsOn',
  'birthDate',
  'postStartOn',
]);
export const ZAlert = z.discriminatedUnion('check', [
  z.strictObject({
    ...alert,
    check: z.literal('recurring'),
    of: z.string().min(1),
    every: ZDuration,
  }),
  z.strictObject({
    ...alert,
    check: z.literal('annual-minimum'),
    of: z.string().min(1),
    measure: z.enum(['days', 'hours', 'count']).default('count'),
    min: orRef(z.number().positive()),
  }),
  z.strictObject({
    ...alert,
    check: z.literal('deadline'),
    from: ZDateField,
    after: ZDuration,
    unless: ZExpr.optional(),
    consequence: ZZh.optional(),
    dropAfter: ZDuration.optional(),
  }),
  z.strictObject({
    ...alert,
    check: z.literal('date-field'),
    field: ZDateField,
    dropAfter: ZDuration.optional(),
  }),
  z.strictObject({
    ...alert,
    check: z.literal('consecutive'),
    results: z.array(ZAssessment).min(1),
    count: z.number().int().min(1),
    consequence: ZZh,
  }),
  z.strictObject({
    ...alert,
    check: z.literal('secondment'),
    maxMonths: orRef(z.number().int().positive()).optional(),
    maxCount: orRef(z.number().int().positive()).optional(),
  }),
  z.strictObject({
    ...alert,
    check: z.literal('milestone'),
    basis: z.enum(['continuous', 'total', 'in-post']),
    thresholds: z
      .array(
        z.strictObject({
          years: z.number().int().positive(),
          award: ZZh,
          amount: ZYuan.optional(),
        }),
      )
      .min(1),
  }),
  z.strictObject({
    ...alert,
    check: z.literal('expr'),
    message: ZZh,
    level: z.enum(['info', 'upcoming', 'due', 'overdue']),
  }),
]);

// ---- compliance -------------------------------------------------------------------------------
export const ZTarget = z.strictObject({
  ...base,
  shape: z.literal('target'),
  scope: z.enum(['community', 'street', 'any']).default('any'),
  measure: z.enum(['share-at-least', 'share-at-most', 'count-at-least', 'count-at-most']),
  where: orRef(ZExpr),
  among: ZExpr.optional(),
  value: orRef(ZRatio),
  dueBy: ZIsoDate.optional(),
  level: z.enum(['required', 'goal']).default('required'),
});

// ---- budget ------------------------------------------------------------------------------------
/** The built-in cost item of a budget: pay (base, performance, allowances) given by the caller. */
export const PAY_ITEM = '薪酬';

/** A cost per person (培训经费 ≥300元/人·年) or a share of pay (单位缴纳的社会保险), for budgets. */
export const ZBudgetItem = z.strictObject({
  ...base,
  shape: z.literal('budget-item'),
  name: z.string().min(1),
  basis: z.enum(['person', 'pay']),
  /** 元 per person per `period` (basis `person`). */
  amount: orRef(ZYuan).optional(),
  /** Share of the pay total (basis `pay`). */
  rate: orRef(ZRatio).optional(),
  period: orRef(ZPeriod).default('year'),
  /** What the document sets: the amount (`exact`), a floor (不少于, `min`) or a ceiling (不超过, `max`). */
  bound: z.enum(['exact', 'min', 'max']).default('exact'),
  rounding: ZRounding.default('half-up'),
});

/** Who pays which share of cost items, by county-level district (银川 5:5, 3:7, 本级承担). */
export const ZCostSharing = z.strictObject({
  ...base,
  shape: z.literal('cost-sharing'),
  /** Cost items the rule splits: `薪酬` and the names of budget items. */
  items: orRef(z.array(z.string().min(1)).min(1)),
  /** District (county name) → payer → share; each row adds up to 100%. */
  table: z.record(z.string(), z.record(z.string(), orRef(ZRatio))).optional(),
  /** Payers and shares of districts the table does not name. */
  default: z.record(z.string(), orRef(ZRatio)).optional(),
});

// ---- workflows ----------------------------------------------------------------------------------
// What the recruitment, contract, assessment, secondment, exit and work-item workflows take from a
// pack: procedures, lists and limits that are not figures of pay or quota.

/** 招聘: the steps of open recruitment and the reserve pool (温州 后备人才库 不高于1:1). */
export const ZRecruitmentRule = z.strictObject({
  ...base,
  shape: z.literal('recruitment'),
  /** The steps in the document's order (银川 (五): 公告、报名、资格审查、笔试、面试、体检、考察、公示、聘用). */
  procedure: z.array(z.enum(RECRUITMENT_STEPS)).min(1).optional(),
  /** At most `ratio` × those hired, kept until the next recruitment notice (`next-campaign`). */
  reservePool: z
    .strictObject({ ratio: orRef(ZRatio), until: z.literal('next-campaign') })
    .optional(),
});

/** 劳动合同 / 服务协议 of a post: its kind and length, and what forbids renewing it. */
export const ZContractRule = z.strictObject({
  ...base,
  shape: z.literal('contract'),
  who: ZWho.optional(),
  /** The contract kind the document names; absent when it says only "劳动合同". */
  type: z.enum(CONTRACT_TYPES).optional(),
  /** Length in years of a fixed-length contract (一年一签: 1). */
  years: orRef(z.number().int().positive()).optional(),
  /** Ends with the two-committee term (一届一签; 以完成本届任期的工作任务为期限). */
  endsWithTerm: z.boolean().default(false),
  /** Signed only when probation ends (银川 (九): 试用期结束后签订劳动合同). */
  afterProbation: z.boolean().default(false),
  /** Alert rules that, once overdue, forbid a renewal (温州: 3年内未取得证书的不予续签). */
  noRenewalWhen: z.array(z.string()).optional(),
});

const ZWeighted = z.strictObject({ name: z.string().min(1), weight: orRef(ZRatio).optional() });

/** 年度考核: dimensions and evaluators with their weights, a cap on 优秀, rewards by grade. */
export const ZAssessmentRule = z.strictObject({
  ...base,
  shape: z.literal('assessment'),
  /** What is assessed (银川 德、能、勤、绩、廉), with weights where the document gives them. */
  dimensions: z.array(ZWeighted).min(1),
  /** Who evaluates (群众评议, 组织考评), with weights where the document gives them. */
  evaluators: z.array(ZWeighted).optional(),
  /** Who sets what the document leaves open (weights, 评分细则), e.g. 县级民政部门制定考核细则. */
  detailsBy: ZZh.optional(),
  /** At most this share of those assessed may be 优秀. */
  excellentShareMax: orRef(ZRatio).optional(),
  /** The reward a grade brings (长春新区: 优秀 as a public institution's 优秀). */
  rewards: z.partialRecord(ZAssessment, ZZh).optional(),
});

/** 借调: who may not borrow workers and whose approval borrowing needs (003 六.17). */
export const ZBorrowingRule = z.strictObject({
  ...base,
  shape: z.literal('borrowing'),
  forbidden: z.array(z.enum(BORROWER_KINDS)).default([]),
  approval: ZZh.optional(),
});

/** 退出情形: the situations in which a worker leaves, each with the alerts that evidence it. */
export const ZExitSituations = z.strictObject({
  ...base,
  shape: z.literal('exit-situations'),
  situations: z
    .array(
      z.strictObject({
        label: ZZh,
        /** Alert rules whose overdue alert is evidence of the situation. */
        evidence: z.array(z.string()).optional(),
        /** Residents' satisfaction of the worker's grid below this share (银川: 60%). */
        satisfactionBelow: orRef(ZRatio).optional(),
        who: ZWho.optional(),
      }),
    )
    .min(1),
});

/** 社区工作事项准入清单: the work a community may be asked to do, and how an item is added. */
export const ZWorkItems = z.strictObject({
  ...base,
  shape: z.literal('work-items'),
  items: z
    .array(
      z.strictObject({
        no: z.number().int().positive(),
        category: z.string().min(1).optional(),
        departments: z.array(z.string().min(1)).min(1),
        name: ZZh,
        content: ZZh,
        note: z.string().optional(),
      }),
    )
    .min(1),
  /** How a new item is admitted (须经批准、费随事转). */
  admission: ZZh.optional(),
});

// ---- documentation only -----------------------------------------------------------------------
export const ZNote = z.strictObject({ ...base, shape: z.literal('note') });

/** Every rule shape; `shape` selects one. */
export const ZRule = z.discriminatedUnion('shape', [
  ZServiceYearsRule,
  ZGradeByYears,
  ZGradeByPromotion,
  ZGradeByExpr,
  ZGradeBump,
  ZGradeBumpLimits,
  ZGradeCoefficients,
  ZProbation,
  ZPayBase,
  ZPayPerformance,
  ZPayAllowance,
  ZPayFloor,
  ZPayProration,
  ZPayProtection,
  ZQuotaLine,
  ZCriterion,
  ZPriority,
  ZAlert,
  ZTarget,
  ZBudgetItem,
  ZCostSharing,
  ZRecruitmentRule,
  ZContractRule,
  ZAssessmentRule,
  ZBorrowingRule,
  ZExitSituations,
  ZWorkItems,
  ZNote,
]);
export type TRule = z.infer<typeof ZRule>;
export type TRuleShape = TRule['shape'];
export type TRuleOf<S extends TRuleShape> = Extract<TRule, { shape: S }>;
// ---- pack file ----------------------------------------------------------------------------------
export const ZSource = z.strictObject({
  file: z.string().min(1),
  title: ZZh,
  issuer: z.string().optional(),
  number: z.string().optional(),
  issued: ZIsoDate.optional(),
  effective: ZIsoDate.optional(),
  note: z.string().optional(),
});
export type TSourceDef = z.infer<typeof ZSource>;

export const ZOptionChoice = z.union([
  ZZh,
  z.strictObject({ description: ZZh, value: z.unknown().optional() }),
]);
export const ZOption = z.union([
  z.strictObject({
    description: ZZh,
    source: z.string().min(1),
    choices: z.record(z.string(), ZOptionChoice),
    chosen: z.string(),
    reason: ZZh,
  }),
  // A child pack (or a draft) choosing another reading of an option of its parent.
  z.strictObject({ chosen: z.string(), reason: ZZh }),
]);
export type TOptionDef = z.infer<typeof ZOption>;

export const ZParamVersion = z.strictObject({
  effective_from: ZIsoDate,
  effective_to: ZIsoDate.nullable().optional(),
  value: z.union([z.number(), z.string(), z.boolean()]),
  source: z.string().optional(),
  note: z.string().optional(),
});
export const ZParameter = z.strictObject({
  description: ZZh,
  source: z.string().min(1),
  unit: z.string().min(1),
  replaces: z.boolean().optional(),
  values: z.array(ZParamVersion),
});
export type TParameterDef = z.infer<typeof ZParameter>;

export const ZPost = z.strictObject({
  category: z.string().min(1),
  titles: z.array(ZPostTitle),
  description: ZZh,
  source: z.string().min(1),
});

export const ZFlag = z.strictObject({ name: z.string().min(1), description: ZZh });

export const ZPackBody = {
  options: z.record(z.string(), ZOption).optional(),
  parameters: z.record(z.string(), ZParameter).optional(),
  statistics: z.record(z.string(), ZParameter).optional(),
  rules: z.array(ZRule).optional(),
};

export const ZPackFile = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: '包 id 只能包含小写字母、数字和连字符' }),
  name: ZZh,
  jurisdiction: z.strictObject({
    name: ZZh,
    level: z.enum(['national', 'province', 'city', 'county', 'district', 'street']),
    code: z.string().optional(),
  }),
  status: z.enum(['施行', '试行', '征求意见稿', '示例', '草稿']).default('施行'),
  extends: z.string().optional(),
  effective_from: ZIsoDate,
  effective_to: ZIsoDate.nullable().optional(),
  /**
   * Why the pack starts on `effective_from` (the clause, e.g. the document's date when it names
   * no other): quoted when a month has days before it, which no pack governs (无适用政策).
   */
  effective_basis: z.strictObject({ source: z.string().min(1), description: ZZh }).optional(),
  description: z.string().optional(),
  sources: z.record(z.string(), ZSource).default({}),
  include: z.array(z.string()).optional(),
  posts: z.array(ZPost).optional(),
  districts: z.array(z.string()).optional(),
  applicantFlags: z.array(ZFlag).optional(),
  ...ZPackBody,
});
export type TPackFile = z.infer<typeof ZPackFile>;

/** A file listed under `include:` holds more parameters, statistics and rules. */
export const ZIncludeFile = z.strictObject(ZPackBody);
export type TIncludeFile = z.infer<typeof ZIncludeFile>;

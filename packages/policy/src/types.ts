import type { TAssessmentGrade } from '@shegong/shared';

/** One step of an explanation: which rule, citing which clause, read what and gave what. */
export type TTraceStep = {
  /** Rule id of the pack (or an engine step such as `input`). */
  rule: string;
  /** Seed file and clause, e.g. `004 职业化 (十七)`. */
  source: string;
  inputs: Record<string, unknown>;
  result: unknown;
  /** One Chinese sentence a user can read: "本科学历提高1级". */
  note: string;
};

/** Every evaluation returns its value and the steps that produced it. */
export type TResult<T> = { value: T; trace: TTraceStep[] };

/** The evaluations a compiled pack offers. */
export const EVALUATIONS = [
  'grade',
  'pay',
  'quota',
  'eligibility',
  'alerts',
  'compliance',
  'budget',
  'workflow',
] as const;
export type TEvaluation = (typeof EVALUATIONS)[number];

export type TGradeValue = {
  /** The pack's post category (e.g. 其他人员). */
  post: string;
  /** The registry title when one was given (e.g. 网格员). */
  title: string | null;
  /** Years of community work used. */
  years: number;
  probation: boolean;
  /** Grade number; null during a probation paid at a fixed coefficient (银川 试用期). */
  grade: number | null;
  /** Grade from years alone, before bumps. */
  baseGrade: number | null;
  /** Levels added by education and certificate after caps. */
  bumps: number;
  /** Exact coefficient as text, e.g. "1.30"; null when the pack has no coefficient table. */
  coefficient: string | null;
  /** Monthly base pay in fen when the pack defines it from the grade; null otherwise. */
  basePayFen: number | null;
};

export type TAllowanceValue = {
  rule: string;
  name: string;
  amountFen: number;
  period: 'month' | 'year';
};

export type TPayValue = TGradeValue & {
  /** Performance pay in fen for its period (月 or 年); 0 when none applies. */
  performanceFen: number;
  performancePeriod: 'month' | 'year' | null;
  allowances: TAllowanceValue[];
  /** Top-up to the pay floor (保底), monthly. */
  floorTopUpFen: number;
  /** Difference kept for transferred staff whose old pay was higher (保持不降), monthly. */
  protectedFen: number;
  /** Base pay not paid because of a pension (返聘离退休人员), monthly. */
  pensionOffsetFen: number;
  /** Every monthly item added up. */
  monthlyTotalFen: number;
  /** Items paid once a year (e.g. 银川 绩效薪酬 if read as annual). */
  annualLumpSumFen: number;
  /** `YYYY-MM` of the evaluation date. */
  month: string;
  /** Days paid in the month over days in the month (joining or leaving mid-month). */
  paidDays: number;
  monthDays: number;
  /** What is payable for the month after pro-rating. */
  payableFen: number;
  /**
   * Only from a month's evaluation (`registry.payMonth`) when a version of the pack starting
   * inside the month changes the figures, or when the pack governs only some of the worker's
   * days of the month (it starts or ends inside it): the parts, in order. The other fields are then those of
   * the first part, except `paidDays` and `payableFen`, which are the month's (the parts' sums).
   */
  parts?: TPayPart[];
};

/**
 * A difference between two parts of a month: a parameter or rule of the pack (with the clause of
 * the newer item), or a fact of the worker's record (a new post; source 人事档案).
 */
export type TVersionChange = {
  kind: 'parameter' | 'rule' | 'record';
  /** Parameter name, rule id or input field (`post`). */
  name: string;
  description: string;
  /** The value (parameters) or the first day of the version (rules) before and after; null = none. */
  before: string | null;
  after: string | null;
  source: string;
};

/** One stretch of a month under one version of the pack and one state of the record. */
export type TPayPart = {
  /** First and last day of the stretch (the first part starts on the month's first day). */
  from: string;
  to: string;
  /**
   * The version period of the pack the stretch falls in; null for days no version of the pack
   * governs (the pack starts after the month's first day or ends before its last): 无适用政策,
   * paid nothing here, `noPolicy` says why.
   */
  version: { from: string; to: string | null } | null;
  /** Only for days no version governs: how many of the worker's days, the clause and why. */
  noPolicy?: { days: number; source: string; reason: string };
  /** What changes against the previous part (empty for the first part). */
  changes: TVersionChange[];
  grade: number | null;
  coefficient: string | null;
  basePayFen: number | null;
  monthlyTotalFen: number;
  /** Days paid in the stretch. */
  paidDays: number;
  /** This part's share of the month's payable amount (the parts add up to `payableFen`). */
  payableFen: number;
};

export type TQuotaLineValue = {
  rule: string;
  name: string;
  min: number;
  /** null = no upper bound stated by the text. */
  max: number | null;
  /** The line this one is part of (e.g. 2 专职党建 posts inside 社工岗). */
  within: string | null;
  /** Counted in the total (false for lines that only inform, e.g. the number of grids). */
  inTotal: boolean;
  reserved: boolean;
};

export type TQuotaValue = {
  scope: 'community' | 'street';
  min: number;
  max: number | null;
  lines: TQuotaLineValue[];
  /** For a street: the quota of each community given. */
  communities?: { index: number; min: number; max: number | null }[];
};

export type TCriterionValue = {
  rule: string;
  description: string;
  level: 'required' | 'advisory';
  passed: boolean;
  reason: string;
  source: string;
};

export type TEligibilityValue = {
  eligible: boolean;
  criteria: TCriterionValue[];
  priorities: { rule: string; label: string; source: string }[];
};

export type TAlertLevel = 'info' | 'upcoming' | 'due' | 'overdue';

export type TAlertValue = {
  rule: string;
  kind: string;
  level: TAlertLevel;
  message: string;
  dueOn: string | null;
  source: string;
};

export type TTargetValue = {
  rule: string;
  description: string;
  measure: string;
  count: number;
  total: number;
  /** Share as text, e.g. "83.3%". */
  actual: string;
  required: string;
  met: boolean;
  status: '达标' | '未达标' | '未到期';
  dueBy: string | null;
  level: 'required' | 'goal';
  source: string;
};

export type TComplianceValue = {
  scope: 'community' | 'street';
  met: boolean;
  targets: TTargetValue[];
};

export type TBudgetItemValue = {
  name: string;
  /** The rule the item comes from; null for 薪酬 and items given in the input. */
  rule: string | null;
  basis: 'pay' | 'person' | 'input';
  /** `min`: the document sets a floor (不少于); `max`: a ceiling (不超过). */
  bound: 'exact' | 'min' | 'max';
  amountFen: number;
  source: string;
};

export type TBudgetShareValue = {
  item: string;
  /** The cost-sharing rule; null when the pack sets no split for the item. */
  rule: string | null;
  source: string;
  payers: { payer: string; share: string; amountFen: number }[];
};

export type TBudgetValue = {
  district: string | null;
  items: TBudgetItemValue[];
  totalFen: number;
  sharing: TBudgetShareValue[];
  /** Every payer's total over the items split; items without a split are not in it. */
  byPayer: { payer: string; amountFen: number }[];
  /** Items the pack sets no split for. */
  unshared: string[];
};

export type TAssessments = Readonly<Record<string, TAssessmentGrade>>;

/** A rule as a workflow cites it. */
export type TCitedRule = { rule: string; source: string; description: string };

export type TWorkflowValue = {
  /** The pack's category of the post asked about; null when no post was given. */
  post: string | null;
  /** Facts an applicant may declare (退役军人, 本社区居民 …), for eligibility and priorities. */
  applicantFlags: { name: string; description: string }[];
  /** 招聘: the procedure and the reserve pool. */
  recruitment:
    | (TCitedRule & {
        procedure: string[] | null;
        /** Ratio as text (e.g. "1") of those hired; until the next recruitment notice. */
        reservePool: { ratio: string; until: 'next-campaign' } | null;
      })
    | null;
  /** 试用期 of the post; null when none applies (or no post was given). */
  probation: (TCitedRule & { months: number }) | null;
  /** The contract of the post; null when the pack names none (or no post was given). */
  contract:
    | (TCitedRule & {
        type: string | null;
        years: number | null;
        endsWithTerm: boolean;
        afterProbation: boolean;
        noRenewalWhen: TCitedRule[];
      })
    | null;
  assessment:
    | (TCitedRule & {
        dimensions: { name: string; weight: string | null }[];
        evaluators: { name: string; weight: string | null }[];
        detailsBy: string | null;
        /** Share as text (e.g. "20%"), or null when the pack sets no cap. */
        excellentShareMax: string | null;
        rewards: { grade: string; reward: string }[];
      })
    | null;
  /** Limits of a secondment (from the pack's secondment alerts). */
  secondmentLimits: (TCitedRule & { maxMonths: number | null; maxCount: number | null })[];
  borrowing: (TCitedRule & { forbidden: string[]; approval: string | null })[];
  exitSituations: (TCitedRule & {
    label: string;
    evidence: TCitedRule[];
    /** Share as text (e.g. "60%"). */
    satisfactionBelow: string | null;
    /** Whether the situation applies to the post asked about (true when no post was given). */
    applies: boolean;
  })[];
  workItems:
    | (TCitedRule & {
        admission: string | null;
        items: {
          no: number;
          category: string | null;
          departments: string[];
          name: string;
          content: string;
          note: string | null;
        }[];
      })
    | null;
};

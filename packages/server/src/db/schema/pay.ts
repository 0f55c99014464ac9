import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const fen = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/**
 * 工资发放表: the pay sheet of one street for one month. draft → reviewed → locked; a locked
 * sheet and its lines never change again (later corrections become arrears lines of a later month).
 */
export const payRun = pgTable(
  'pay_run',
  {
    id: uuid('id').primaryKey(),
    streetCode: text('street_code').notNull(),
    /** Path of the street (scope). */
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    /** `YYYY-MM`. */
    month: text('month').notNull(),
    /** draft | reviewed | locked */
    status: text('status').notNull().default('draft'),
    workerCount: integer('worker_count').notNull().default(0),
    /** Lines whose pay the pack cannot give (未核定). */
    openCount: integer('open_count').notNull().default(0),
    /** Payable this month: regular lines plus arrears. */
    totalFen: fen('total_fen').notNull().default(0),
    arrearsFen: fen('arrears_fen').notNull().default(0),
    /** Packs and version periods used: `[{ packId, from }]`. */
    packs: jsonb('packs').$type<{ packId: string; from: string }[]>().notNull().default([]),
    /** Times computed; a review or lock names the version it saw. */
    version: integer('version').notNull().default(0),
    computedAt: at('computed_at'),
    computedBy: uuid('computed_by'),
    reviewedAt: at('reviewed_at'),
    reviewedBy: uuid('reviewed_by'),
    lockedAt: at('locked_at'),
    lockedBy: uuid('locked_by'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('pay_run_street_month_uq').on(t.streetCode, t.month),
    index('pay_run_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
  ],
);

/**
 * A line of a pay sheet: a worker's regular pay for the month, or an arrears line (补发/扣回)
 * correcting an earlier locked month (`forMonth`). The evaluated input is kept so that the
 * explanation of a locked line can be shown as it was computed.
 */
export const payLine = pgTable(
  'pay_line',
  {
    runId: uuid('run_id').notNull(),
    workerId: uuid('worker_id').notNull(),
    /** regular | arrears */
    kind: text('kind').notNull(),
    /** The month the amount is for: the run's month, or the corrected month of an arrears line. */
    forMonth: text('for_month').notNull(),
    month: text('month').notNull(),
    countyCode: text('county_code').notNull(),
    /** Path of the worker's community when computed (scope). */
    orgPath: text('org_path').notNull(),
    packId: text('pack_id'),
    /** The date evaluated (month start, or the day of joining). */
    evalOn: date('eval_on', { mode: 'string' }).notNull(),
    /** ok | open (未核定: the pack cannot give this worker's pay; `reason` says why) */
    status: text('status').notNull(),
    reason: text('reason'),
    post: text('post'),
    title: text('title'),
    years: smallint('years'),
    grade: smallint('grade'),
    coefficient: text('coefficient'),
    probation: boolean('probation').notNull().default(false),
    baseFen: fen('base_fen'),
    performanceFen: fen('performance_fen'),
    allowancesFen: fen('allowances_fen'),
    /** One-off amounts of the month (表彰奖励 of the archive). */
    oneOffFen: fen('one_off_fen').notNull().default(0),
    /** Items paid once a year (e.g. 银川 星级绩效): shown, budgeted, not in the monthly amount. */
    annualFen: fen('annual_fen'),
    monthlyFen: fen('monthly_fen'),
    paidDays: smallint('paid_days'),
    monthDays: smallint('month_days'),
    /** Payable this month; for an arrears line the difference (negative = 扣回). */
    payableFen: fen('payable_fen'),
    input: jsonb('input'),
    /**
     * The parts of a regular line's month when it was split (a pack version or a post starting
     * inside it, days no pack governs): the engine's TPayPart[], adding up to the payable amount
     * less one-off amounts. Null for a month of one part and for arrears lines.
     */
    parts: jsonb('parts'),
  },
  (t) => [
    primaryKey({ name: 'pay_line_pk', columns: [t.runId, t.workerId, t.kind, t.forMonth] }),
    index('pay_line_worker_idx').on(t.workerId, t.forMonth),
  ],
);

/**
 * 薪酬套改: moving the workers governed by a pack to its new version (a new table, a new base)
 * from a date. Computed as a job, reviewed, then approved: the new pay is written to each
 * changed worker's archive, and months already locked get arrears in the next pay sheet.
 */
export const payConversion = pgTable(
  'pay_conversion',
  {
    id: uuid('id').primaryKey(),
    packId: text('pack_id').notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    orgCode: text('org_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code'),
    title: text('title').notNull(),
    /** computing | ready | approved | failed */
    status: text('status').notNull(),
    jobId: uuid('job_id'),
    workerCount: integer('worker_count').notNull().default(0),
    raisedCount: integer('raised_count').notNull().default(0),
    loweredCount: integer('lowered_count').notNull().default(0),
    openCount: integer('open_count').notNull().default(0),
    beforeTotalFen: fen('before_total_fen').notNull().default(0),
    afterTotalFen: fen('after_total_fen').notNull().default(0),
    /** Version periods compared. */
    beforeFrom: date('before_from', { mode: 'string' }),
    afterFrom: date('after_from', { mode: 'string' }),
    createdBy: uuid('created_by').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    approvedBy: uuid('approved_by'),
    approvedAt: at('approved_at'),
  },
  (t) => [index('pay_conversion_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

/** One worker's before and after of a conversion (monthly standard figures). */
export const payConversionLine = pgTable(
  'pay_conversion_line',
  {
    conversionId: uuid('conversion_id').notNull(),
    workerId: uuid('worker_id').notNull(),
    countyCode: text('county_code').notNull(),
    orgPath: text('org_path').notNull(),
    post: text('post'),
    years: smallint('years'),
    /** ok | open */
    status: text('status').notNull(),
    reason: text('reason'),
    beforeGrade: smallint('before_grade'),
    beforeCoefficient: text('before_coefficient'),
    beforeBaseFen: fen('before_base_fen'),
    beforeMonthlyFen: fen('before_monthly_fen'),
    afterGrade: smallint('after_grade'),
    afterCoefficient: text('after_coefficient'),
    afterBaseFen: fen('after_base_fen'),
    afterMonthlyFen: fen('after_monthly_fen'),
    diffFen: fen('diff_fen'),
  },
  (t) => [primaryKey({ name: 'pay_conversion_line_pk', columns: [t.conversionId, t.workerId] })],
);

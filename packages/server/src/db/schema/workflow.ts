import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// The workflows' process records: campaigns, applications, cycles, courses, requests and
// proposals. Outcomes (contracts, assessment results, trainings, secondments, rewards, exits)
// stay in `archive_item`. Every table carries `org_path` (scope) and `county_code` (distribution).

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const day = (name: string) => date(name, { mode: 'string' });

/** 招聘: a recruitment campaign of a county or street, moving through the steps of the procedure. */
export const recruitmentCampaign = pgTable(
  'recruitment_campaign',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    orgCode: text('org_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code'),
    packId: text('pack_id'),
    /** The current step (公告 … 聘用). */
    step: text('step').notNull(),
    /** 进行中 | 已完成 | 已取消 */
    status: text('status').notNull().default('进行中'),
    announcedOn: day('announced_on').notNull(),
    applyUntil: day('apply_until').notNull(),
    /** Weights of the written exam and the interview in %, as the announcement states them. */
    writtenWeight: smallint('written_weight').notNull(),
    interviewWeight: smallint('interview_weight').notNull(),
    noticeFrom: day('notice_from'),
    noticeUntil: day('notice_until'),
    hiredOn: day('hired_on'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('recruitment_campaign_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

/** A post of a campaign: seats in a community, backed by its quota (职数). */
export const recruitmentPost = pgTable(
  'recruitment_post',
  {
    id: uuid('id').primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    communityCode: text('community_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    postTitle: text('post_title').notNull(),
    seats: smallint('seats').notNull(),
  },
  (t) => [index('recruitment_post_campaign_idx').on(t.campaignId)],
);

/** An application to a post: the applicant, the eligibility the pack gave, and each step's result. */
export const recruitmentApplication = pgTable(
  'recruitment_application',
  {
    id: uuid('id').primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    postId: uuid('post_id').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    idNumberCipher: text('id_number_cipher').notNull(),
    idNumberHash: text('id_number_hash').notNull(),
    idNumberMasked: text('id_number_masked').notNull(),
    birthDate: day('birth_date').notNull(),
    sex: text('sex').notNull(),
    phoneCipher: text('phone_cipher'),
    phoneMasked: text('phone_masked'),
    educationLevel: text('education_level').notNull(),
    educationRecognised: boolean('education_recognised').notNull().default(true),
    educationMajor: text('education_major'),
    certificateLevel: text('certificate_level').notNull().default('无'),
    certificateDate: day('certificate_date'),
    /** Facts declared among the pack's applicant flags (退役军人, 本社区居民 …). */
    flags: jsonb('flags').$type<string[]>().notNull().default([]),
    /** The pack's eligibility: a reason per criterion, the priorities, with clauses. */
    eligibility: jsonb('eligibility').$type<Record<string, unknown>>().notNull(),
    eligible: boolean('eligible').notNull(),
    priorityCount: smallint('priority_count').notNull().default(0),
    /** 资格审查: 待审查 | 通过 | 不通过 */
    review: text('review').notNull().default('待审查'),
    reviewNote: text('review_note'),
    /** Scores in hundredths of a point (85.5 → 8550). */
    writtenScore: integer('written_score'),
    interviewScore: integer('interview_score'),
    /** 合格 | 不合格 */
    medical: text('medical'),
    background: text('background'),
    /** 拟聘用 | 已聘用 | 后备 | 后备已到期 | 未录用 */
    outcome: text('outcome'),
    workerId: uuid('worker_id'),
    reserveFrom: day('reserve_from'),
    reserveEndedOn: day('reserve_ended_on'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('recruitment_application_person_uq').on(t.campaignId, t.idNumberHash),
    index('recruitment_application_post_idx').on(t.postId),
    index('recruitment_application_county_idx').on(t.countyCode, t.outcome),
  ],
);

/**
 * A decision that changes a person's status (退出, 转正, 等级晋升, 表彰奖励 …), proposed by a
 * workflow or a user and carried out only when someone with `workflow:approve` approves it.
 */
export const workflowProposal = pgTable(
  'workflow_proposal',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    workerId: uuid('worker_id').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    title: text('title').notNull(),
    reason: text('reason').notNull(),
    rule: text('rule'),
    ruleSource: text('rule_source'),
    /** What approval does (exit date and reason, reward title and amount, grade …). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** Where it came from, e.g. `assessment:<cycle id>`. */
    origin: text('origin'),
    /** One open proposal per situation (e.g. `exit:<worker>:yc-two-fails:2025`). */
    dedupeKey: text('dedupe_key').notNull(),
    /** 待审批 | 已批准 | 已驳回 */
    status: text('status').notNull().default('待审批'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    decidedBy: uuid('decided_by'),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    uniqueIndex('workflow_proposal_dedupe_uq').on(t.dedupeKey),
    index('workflow_proposal_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('workflow_proposal_worker_idx').on(t.workerId),
  ],
);

/** 年度考核: the cycle of one year in one street or county, with its dimensions and weights. */
export const assessmentCycle = pgTable(
  'assessment_cycle',
  {
    id: uuid('id').primaryKey(),
    year: smallint('year').notNull(),
    orgCode: text('org_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code'),
    packId: text('pack_id'),
    /** `[{ name, weight }]`, weight in % (from the pack, or set by those the pack names). */
    dimensions: jsonb('dimensions').$type<{ name: string; weight: number }[]>().notNull(),
    /** 进行中 | 已完成 */
    status: text('status').notNull().default('进行中'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('assessment_cycle_org_year_uq').on(t.orgCode, t.year),
    index('assessment_cycle_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
  ],
);

/** Dimension scores of a worker in a cycle; the grade itself is the archive's assessment item. */
export const assessmentScore = pgTable(
  'assessment_score',
  {
    cycleId: uuid('cycle_id').notNull(),
    workerId: uuid('worker_id').notNull(),
    countyCode: text('county_code').notNull(),
    /** `{ 德: 9000, … }` in hundredths of a point. */
    scores: jsonb('scores').$type<Record<string, number>>().notNull(),
    /** Weighted total in hundredths. */
    total: integer('total'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'assessment_score_pk', columns: [t.cycleId, t.workerId] })],
);

/** 培训: a course (轮训, 入职培训 …) whose attendance is written to the archive. */
export const trainingCourse = pgTable(
  'training_course',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    kind: text('kind').notNull(),
    orgCode: text('org_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code'),
    organiser: text('organiser'),
    startOn: day('start_on').notNull(),
    endOn: day('end_on').notNull(),
    hours: numeric('hours', { precision: 6, scale: 1, mode: 'number' }).notNull(),
    days: numeric('days', { precision: 5, scale: 1, mode: 'number' }).notNull(),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('training_course_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

export const trainingAttendance = pgTable(
  'training_attendance',
  {
    courseId: uuid('course_id').notNull(),
    workerId: uuid('worker_id').notNull(),
    countyCode: text('county_code').notNull(),
    archiveItemId: uuid('archive_item_id').notNull(),
    passed: boolean('passed').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'training_attendance_pk', columns: [t.courseId, t.workerId] })],
);

/** 工作案例 / 典型经验总结 submitted by a worker and reviewed by the street (温州 二(六)). */
export const caseStudy = pgTable(
  'case_study',
  {
    id: uuid('id').primaryKey(),
    workerId: uuid('worker_id').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    year: smallint('year').notNull(),
    title: text('title').notNull(),
    submittedOn: day('submitted_on').notNull(),
    /** 待审核 | 已通过 | 退回 */
    status: text('status').notNull().default('待审核'),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: at('reviewed_at'),
    note: text('note'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('case_study_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('case_study_worker_idx').on(t.workerId, t.year),
  ],
);

/** 借调 / 挂职锻炼: a request checked against the pack's limits, then approved or refused. */
export const secondmentRequest = pgTable(
  'secondment_request',
  {
    id: uuid('id').primaryKey(),
    workerId: uuid('worker_id').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    streetCode: text('street_code').notNull(),
    kind: text('kind').notNull(),
    borrower: text('borrower').notNull(),
    borrowerKind: text('borrower_kind').notNull(),
    purpose: text('purpose').notNull(),
    fromOn: day('from_on').notNull(),
    toOn: day('to_on').notNull(),
    /** 待审批 | 已批准 | 已驳回 | 已归岗 */
    status: text('status').notNull().default('待审批'),
    /** The rules checked when requested, each with its clause and result. */
    checks: jsonb('checks').$type<Record<string, unknown>[]>().notNull().default([]),
    archiveItemId: uuid('archive_item_id'),
    returnedOn: day('returned_on'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    decidedBy: uuid('decided_by'),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    index('secondment_request_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('secondment_request_street_idx').on(t.streetCode, t.fromOn),
    index('secondment_request_worker_idx').on(t.workerId),
  ],
);

/** 准入清单: a request to add a community work item (费随事转), approved or refused. */
export const workItemRequest = pgTable(
  'work_item_request',
  {
    id: uuid('id').primaryKey(),
    orgCode: text('org_code').notNull(),
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code'),
    name: text('name').notNull(),
    departments: jsonb('departments').$type<string[]>().notNull(),
    content: text('content').notNull(),
    reason: text('reason').notNull(),
    /** How the work is funded (费随事转). */
    funding: text('funding').notNull(),
    /** 待审批 | 已批准 | 已驳回 */
    status: text('status').notNull().default('待审批'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    decidedBy: uuid('decided_by'),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('work_item_request_path_idx').using('btree', t.orgPath.op('text_pattern_ops'))],
);

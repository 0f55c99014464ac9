import {
  boolean,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * An Excel import: the file checked (dry run), then possibly committed. Counts and status tell
 * what it did; `org_path` is the importer's scope, so the list of batches is scoped like people
 * data.
 */
export const importBatch = pgTable(
  'import_batch',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    fileSize: integer('file_size').notNull(),
    /** checking | checked | committing | committed | rejected | failed */
    status: text('status').notNull(),
    /** skip | stop, chosen at commit. */
    onError: text('on_error'),
    rows: integer('rows').notNull().default(0),
    valid: integer('valid').notNull().default(0),
    invalid: integer('invalid').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    errorCount: integer('error_count').notNull().default(0),
    warningCount: integer('warning_count').notNull().default(0),
    jobId: uuid('job_id'),
    createdBy: uuid('created_by').notNull(),
    createdByName: text('created_by_name').notNull(),
    orgPath: text('org_path').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    committedAt: timestamp('committed_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    index('import_batch_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('import_batch_created_idx').on(t.createdAt),
  ],
);

/**
 * The uploaded file, encrypted like other personal data (a 花名册 holds 身份证号 in clear): the
 * commit reads it again and the error report is the same file with an error column.
 */
export const importFile = pgTable('import_file', {
  batchId: uuid('batch_id').primaryKey(),
  contentCipher: text('content_cipher').notNull(),
});

/** The problems found in a batch's file, in file order. Messages hold no personal data. */
export const importIssue = pgTable(
  'import_issue',
  {
    batchId: uuid('batch_id').notNull(),
    seq: integer('seq').notNull(),
    severity: text('severity').notNull(),
    sheet: text('sheet').notNull(),
    row: integer('row').notNull(),
    columnHeader: text('column_header'),
    columnLetter: text('column_letter'),
    field: text('field'),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.seq] })],
);

/**
 * Staging of changed worker rows at a commit: rows of the file that change a registered worker
 * are COPY'd here inside the commit's transaction and applied with one set-based UPDATE, then
 * deleted in the same transaction (new workers go straight into `worker`). Only the columns the
 * file has are written to `worker`.
 */
export const importStageWorker = pgTable(
  'import_stage_worker',
  {
    batchId: uuid('batch_id').notNull(),
    /** Position in the file (rows of every sheet, in order). */
    seq: integer('seq').notNull(),
    rowNo: integer('row_no').notNull(),
    sheet: text('sheet').notNull(),
    /** Id a new worker gets. */
    id: uuid('id').notNull(),
    name: text('name'),
    idNumberCipher: text('id_number_cipher').notNull(),
    idNumberHash: text('id_number_hash').notNull(),
    idNumberMasked: text('id_number_masked').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    sex: text('sex').notNull(),
    phoneCipher: text('phone_cipher'),
    phoneHash: text('phone_hash'),
    phoneMasked: text('phone_masked'),
    ethnicity: text('ethnicity'),
    politicalStatus: text('political_status'),
    educationLevel: text('education_level'),
    educationMajor: text('education_major'),
    educationRecognised: boolean('education_recognised'),
    certificateLevel: text('certificate_level'),
    certificateDate: date('certificate_date', { mode: 'string' }),
    veteran: boolean('veteran'),
    livesInCommunity: boolean('lives_in_community'),
    serviceStartedOn: date('service_started_on', { mode: 'string' }),
    status: text('status'),
    communityCode: text('community_code'),
    gridCode: text('grid_code'),
    orgPath: text('org_path'),
    countyCode: text('county_code'),
    postTitle: text('post_title'),
    hiredOn: date('hired_on', { mode: 'string' }),
    probationUntil: date('probation_until', { mode: 'string' }),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.seq] }),
    index('import_stage_worker_hash_idx').on(t.batchId, t.idNumberHash),
  ],
);

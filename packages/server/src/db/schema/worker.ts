import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** An earlier period of community work in the same province (counted toward years of service). */
export type TServicePeriod = { from: string; to: string; place: string };

/**
 * A community worker. 身份证号 and phone are stored encrypted (`*_cipher`), found by a keyed hash
 * (`*_hash`) and shown masked (`*_masked`) to roles that may not see them.
 */
export const worker = pgTable(
  'worker',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    idNumberCipher: text('id_number_cipher').notNull(),
    idNumberHash: text('id_number_hash').notNull(),
    idNumberMasked: text('id_number_masked').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    sex: text('sex').notNull(),
    phoneCipher: text('phone_cipher'),
    phoneHash: text('phone_hash'),
    phoneMasked: text('phone_masked'),
    ethnicity: text('ethnicity').notNull().default('汉族'),
    politicalStatus: text('political_status').notNull().default('群众'),
    educationLevel: text('education_level').notNull(),
    educationMajor: text('education_major'),
    educationRecognised: boolean('education_recognised').notNull().default(true),
    certificateLevel: text('certificate_level').notNull().default('无'),
    certificateDate: date('certificate_date', { mode: 'string' }),
    veteran: boolean('veteran').notNull().default(false),
    livesInCommunity: boolean('lives_in_community').notNull().default(false),
    /** Start of community work in the current community system. */
    serviceStartedOn: date('service_started_on', { mode: 'string' }).notNull(),
    /** Earlier periods in other communities of the province (national 二.4: counted). */
    priorService: jsonb('prior_service').$type<TServicePeriod[]>().notNull().default([]),
    status: text('status').notNull().default('在岗'),
    communityCode: text('community_code').notNull(),
    gridCode: text('grid_code'),
    /** Path of the community in the org tree, kept equal to org.path of community_code. */
    orgPath: text('org_path').notNull(),
    countyCode: text('county_code').notNull(),
    /** Current post title, kept equal to the open post item of the archive. Its category depends
     * on the governing pack and is derived when read (see `postCategoryOf`). */
    postTitle: text('post_title'),
    hiredOn: date('hired_on', { mode: 'string' }),
    probationUntil: date('probation_until', { mode: 'string' }),
    exitedOn: date('exited_on', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    uniqueIndex('worker_id_number_hash_uq').on(t.idNumberHash),
    index('worker_org_path_idx').using('btree', t.orgPath.op('text_pattern_ops')),
    index('worker_community_idx').on(t.communityCode),
    // The name search (a prefix) with the list's commonest filter and the scope, so the list's
    // capped count is read from the index alone where the visibility map is set (docs/performance.md,
    // Load: the name-prefix list): it replaces the index on the name only.
    index('worker_name_status_path_idx').using(
      'btree',
      t.name.op('text_pattern_ops'),
      t.status,
      t.orgPath.op('text_pattern_ops'),
    ),
  ],
);

export const ARCHIVE_KINDS = [
  'post',
  'education',
  'certificate',
  'contract',
  'pay',
  'assessment',
  'training',
  'reward',
  'penalty',
  'secondment',
  'exit',
  'note',
] as const;

/** A dated item of the personnel archive (银川 职业化 (十五)); `data` is validated per kind. */
export const archiveItem = pgTable(
  'archive_item',
  {
    id: uuid('id').primaryKey(),
    workerId: uuid('worker_id').notNull(),
    countyCode: text('county_code').notNull(),
    kind: text('kind').notNull(),
    startOn: date('start_on', { mode: 'string' }).notNull(),
    endOn: date('end_on', { mode: 'string' }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [index('archive_worker_idx').on(t.workerId, t.kind, t.startOn)],
);

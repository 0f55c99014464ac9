import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Fixed-window counters of login attempts (per IP and per user name). Kept in the database so
 * that every server process behind a load balancer counts against the same limit.
 */
export const rateLimit = pgTable(
  'rate_limit',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/**
 * The field-encryption state of this database (one row, id = 1): which suite computed the blind
 * indexes, a check value of the master key (so a wrong key is refused at start-up instead of
 * failing on every read), and the progress of an unfinished `shegong rekey`.
 */
export const cryptoState = pgTable('crypto_state', {
  id: smallint('id').primaryKey(),
  indexSuite: text('index_suite').notNull(),
  keyCheck: text('key_check').notNull(),
  rekeyTargetSuite: text('rekey_target_suite'),
  rekeyTargetCheck: text('rekey_target_check'),
  /** `{ "<table>.<column>": "<last id done>" }` while a rekey runs; null otherwise. */
  rekeyProgress: jsonb('rekey_progress').$type<Record<string, string>>(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

/**
 * Signed checkpoints of the audit chain: `seal` records the head of the chain, `archive` the
 * last row exported by `shegong audit archive`. The signature (keyed MAC) lets the chain be
 * verified from a checkpoint once older rows have left the database, and exposes a chain
 * rewritten by someone without the key.
 */
export const auditCheckpoint = pgTable(
  'audit_checkpoint',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    throughSeq: bigint('through_seq', { mode: 'number' }).notNull(),
    throughHash: text('through_hash').notNull(),
    throughAt: timestamp('through_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** Rows covered: for an archive, the rows in its file; for a seal, the rows since genesis. */
    rowCount: bigint('row_count', { mode: 'number' }).notNull(),
    fileName: text('file_name'),
    fileSha256: text('file_sha256'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [index('audit_checkpoint_seq_idx').on(t.throughSeq)],
);

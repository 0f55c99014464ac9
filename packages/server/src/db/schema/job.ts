import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A long task (import, recomputation, export) and its progress. Progress lives in the database
 * so any server process can answer "how far is it", and a crash leaves a visible 'interrupted'.
 */
export const job = pgTable(
  'job',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    /** queued | running | succeeded | failed | interrupted */
    status: text('status').notNull(),
    title: text('title').notNull(),
    done: integer('done').notNull().default(0),
    total: integer('total'),
    message: text('message'),
    result: jsonb('result'),
    error: jsonb('error'),
    /** The process running it: `host:pid`, so a restart can tell its own dead jobs at once. */
    owner: text('owner'),
    createdBy: uuid('created_by').notNull(),
    orgPath: text('org_path').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [index('job_created_by_idx').on(t.createdBy, t.createdAt)],
);

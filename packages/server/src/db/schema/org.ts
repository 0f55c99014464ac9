import {
  date,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
};

/**
 * The org tree: country → province → city → county → street → community → grid, keyed by the
 * national division codes (GB/T 2260 for county and above, 12-digit statistical codes below,
 * community code + 3 digits for a grid). `path` is the materialised path of codes
 * ('/000000/640000/640100/640104/'), so "everything under a node" is one `LIKE prefix%`.
 */
export const org = pgTable(
  'org',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code'),
    level: text('level').notNull(),
    name: text('name').notNull(),
    path: text('path').notNull(),
    /** The policy pack governing this node; inherited from the parent when null. */
    packId: text('pack_id'),
    /** Distribution key for sharding (county-level code); null above county. */
    countyCode: text('county_code'),
    sort: integer('sort').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    index('org_path_idx').using('btree', t.path.op('text_pattern_ops')),
    index('org_parent_idx').on(t.parentCode, t.sort, t.code),
  ],
);

/** Dated moves of a node to another parent (a community to another street). */
export const orgMove = pgTable('org_move', {
  id: uuid('id').primaryKey(),
  orgCode: text('org_code').notNull(),
  fromParentCode: text('from_parent_code').notNull(),
  toParentCode: text('to_parent_code').notNull(),
  effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
  reason: text('reason'),
  recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'string' })
    .notNull()
    .defaultNow(),
});

/**
 * Facts of a community or grid by date: households (户籍 and resident kept apart), resident
 * population, kind and the star rating of the community party organisation.
 */
export const orgFact = pgTable(
  'org_fact',
  {
    id: uuid('id').primaryKey(),
    orgCode: text('org_code').notNull(),
    countyCode: text('county_code'),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    householdsRegistered: integer('households_registered'),
    householdsResident: integer('households_resident'),
    population: integer('population'),
    kind: text('kind'),
    starRating: smallint('star_rating'),
    gridSatisfaction: smallint('grid_satisfaction'),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [uniqueIndex('org_fact_org_date_uq').on(t.orgCode, t.effectiveFrom)],
);

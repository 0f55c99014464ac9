import { bigint, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * Statistics rollup: for every org node from community up to the root, counts by dimension and
 * value (`education`/`本科` → 1234), kept equal to a GROUP BY of the raw records by the use cases
 * that write them (see `modules/stats/stat-maintenance.ts`). A dashboard reads a few hundred rows
 * of one node instead of scanning its workers. `n` is a bigint so that money (fen) can be rolled
 * up the same way (pay cost by month).
 */
export const statRollup = pgTable(
  'stat_rollup',
  {
    orgCode: text('org_code').notNull(),
    dim: text('dim').notNull(),
    value: text('value').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
    /** Distribution key (county-level code) for nodes at county level and below; null above. */
    countyCode: text('county_code'),
  },
  (t) => [primaryKey({ name: 'stat_rollup_pk', columns: [t.orgCode, t.dim, t.value] })],
);

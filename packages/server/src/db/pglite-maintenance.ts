import { sql } from 'drizzle-orm';
import type { TLogger } from '../logger.ts';
import { queryRows, type TExecutor } from './client.ts';

// PGlite runs no autovacuum (one backend, no launcher): without this an embedded deployment
// never removes dead row versions (every worker change, session and job update leaves one), never
// refreshes the planner's statistics after the first ANALYZE, and never marks pages all-visible
// for index-only scans (the worker list's name-prefix count, docs/performance.md, Load). The
// server does what autovacuum would, by autovacuum's own default thresholds, on its own timer.

/** How often the server looks for tables due (PostgreSQL's autovacuum_naptime is 1 min). */
export const MAINTENANCE_MS = 10 * 60_000;

/**
 * Tables due for VACUUM (ANALYZE) by autovacuum's defaults: dead rows above 50 + 20% of the live
 * ones (autovacuum_vacuum_threshold, _scale_factor), inserts since the last vacuum above 1,000 +
 * 20% (autovacuum_vacuum_insert_threshold, _scale_factor), or changes since the last analyze above
 * 50 + 10% (autovacuum_analyze_threshold, _scale_factor). Largest backlog first.
 */
export const tablesDue = async (db: TExecutor): Promise<string[]> =>
  (
    await queryRows<{ name: string }>(
      db,
      sql`select relname as name from pg_stat_user_tables
          where schemaname = 'public'
            and (n_dead_tup > 50 + 0.2 * n_live_tup
              or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup
              or n_mod_since_analyze > 50 + 0.1 * n_live_tup)
          order by n_dead_tup + n_ins_since_vacuum + n_mod_since_analyze desc`,
    )
  ).map((r) => r.name);

/**
 * Vacuums and analyzes the tables due, one statement each (PGlite answers other requests between
 * them). Returns what it did; a failure is logged and the next table is tried.
 */
export const vacuumDue = async (
  db: TExecutor,
  log?: Pick<TLogger, 'info' | 'warn'>,
): Promise<{ table: string; ms: number }[]> => {
  const done: { table: string; ms: number }[] = [];
  for (const table of await tablesDue(db)) {
    const started = performance.now();
    try {
      await db.execute(sql`vacuum (analyze) ${sql.identifier(table)}`);
      const ms = Math.round(performance.now() - started);
      done.push({ table, ms });
      log?.info({ table, ms }, 'PGlite maintenance: vacuum (analyze)');
    } catch (error) {
      log?.warn({ table, err: error }, 'PGlite maintenance: vacuum failed');
    }
  }
  return done;
};

/**
 * Runs `vacuumDue` every `everyMs` until stopped; one run at a time (a run still going when the
 * timer fires again is not doubled). The timer does not keep the process alive.
 */
export const startPgliteMaintenance = (
  db: TExecutor,
  log?: Pick<TLogger, 'info' | 'warn'>,
  everyMs = MAINTENANCE_MS,
): { stop: () => Promise<void> } => {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= vacuumDue(db, log)
      .catch((error) => log?.warn({ err: error }, 'PGlite maintenance failed'))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};

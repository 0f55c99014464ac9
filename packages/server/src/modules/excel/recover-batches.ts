import { sql } from 'drizzle-orm';
import type { TExecutor } from '../../db/client.ts';

/**
 * After a crash: a batch left 'checking' or 'committing' by a job that is no longer running
 * (see `markInterruptedJobs`) becomes 'failed'. Its commit was one transaction, so nothing of it
 * was written; 'failed' lets the user commit it again instead of waiting forever.
 */
export const recoverInterruptedBatches = (db: TExecutor) =>
  db.execute(sql`
    update import_batch b set status = 'failed'
    where b.status in ('checking', 'committing')
      and not exists (select 1 from job j where j.id = b.job_id and j.status = 'running')`);

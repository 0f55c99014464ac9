import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { queryRows, type TExecutor } from '../client.ts';

export const CITUS_LAYOUT_FILE = path.join(import.meta.dirname, 'citus-layout.sql');

/**
 * Tables sharded by county_code, co-located with worker: the large tables and the workflows'
 * per-worker records (rows per worker and year, read with their worker).
 */
export const DISTRIBUTED_TABLES = [
  'worker',
  'archive_item',
  'org_fact',
  'recruitment_application',
  'workflow_proposal',
  'assessment_score',
  'training_attendance',
  'case_study',
  'secondment_request',
] as const;

/** Tables copied to every node: the org tree and the workflows' definitions. */
export const REFERENCE_TABLES = [
  'org',
  'org_move',
  'recruitment_campaign',
  'recruitment_post',
  'assessment_cycle',
  'training_course',
] as const;

/**
 * Tables that have a county_code column but stay on the coordinator, with the reason. A test
 * fails when a new table with county_code is in none of the three lists: decide where it belongs.
 */
export const COORDINATOR_TABLES_WITH_COUNTY: Record<string, string> = {
  import_stage_worker: 'staging rows of one import batch, short-lived, read by batch_id',
  stat_rollup: 'aggregate counts per org node (nodes × dimensions), rebuilt by the statistics job',
  pay_run: 'one pay sheet per street and month (thousands a month), read by id or month',
  pay_line:
    'pay lines, written with COPY per group of streets and read per sheet; to be distributed with pay_run once their keys carry county_code',
  pay_conversion: 'one row per pay conversion (a handful a year)',
  pay_conversion_line: 'before/after per worker of a conversion, read per conversion, short-lived',
  work_item_request:
    'requests to add an admission-list item (准入清单, a handful per county a year), never joined with worker',
};

/**
 * Applies the Citus layout (the SQL file beside this one) on the coordinator, in one
 * transaction. Refuses when the citus extension is missing or the layout is already applied.
 */
export const applyCitusLayout = async (
  db: TExecutor,
  options: { requireExtension?: boolean } = {},
): Promise<void> => {
  if (options.requireExtension !== false) {
    const ext = await queryRows<{ x: number }>(
      db,
      sql`select 1 as x from pg_extension where extname = 'citus'`,
    );
    if (ext.length === 0) {
      throw new AppError(
        'CONFIG_INVALID',
        '数据库没有安装 Citus 扩展：请在协调节点上先执行 create extension citus',
        { where: { key: 'DATABASE_URL' } },
      );
    }
  }
  const pk = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from information_schema.key_column_usage
        where table_name = 'worker' and constraint_name = 'worker_pkey' and column_name = 'county_code'`,
  );
  if (Number(pk[0]?.n ?? 0) > 0) {
    throw new AppError('CONFLICT', 'Citus 分片布局已应用过');
  }
  const text = fs.readFileSync(CITUS_LAYOUT_FILE, 'utf8');
  const statements = text
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, '').trim() !== '');
  await db.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(sql.raw(statement));
  });
};

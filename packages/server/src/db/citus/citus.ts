import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { queryRows, type TExecutor } from '../client.ts';

export const CITUS_LAYOUT_FILE = path.join(import.meta.dirname, 'citus-layout.sql');

/** Tables sharded by county_code, and tables copied to every node. */
export const DISTRIBUTED_TABLES = ['worker', 'archive_item', 'org_fact'] as const;
export const REFERENCE_TABLES = ['org', 'org_move'] as const;

/**
 * Tables that have a county_code column but stay on the coordinator, with the reason. A test
 * fails when a new table with county_code is in neither list: decide where it belongs.
 */
export const COORDINATOR_TABLES_WITH_COUNTY: Record<string, string> = {
  org: 'reference table: the whole tree is copied to every node',
  import_stage_worker: 'staging rows of one import batch, short-lived, read by batch_id',
  stat_rollup: 'aggregate counts per org node (nodes × dimensions), rebuilt by the statistics job',
  pay_run: 'one pay sheet per street and month (thousands a month), read by id or month',
  pay_line:
    'pay lines, written with COPY per group of streets and read per sheet; to be distributed with pay_run once their keys carry county_code',
  pay_conversion: 'one row per pay conversion (a handful a year)',
  pay_conversion_line: 'before/after per worker of a conversion, read per conversion, short-lived',
  // Workflow process records (招聘, 考核, 培训, 借调, 准入清单, 处理建议). Their outcomes live in
  // archive_item, which is distributed; these are read by id or per org path and joined with
  // worker by worker_id, so they stay here until their keys and joins carry county_code.
  recruitment_campaign:
    'a few campaigns per county a year; county_code is null for a street-less campaign',
  recruitment_post: 'the posts of a campaign (a handful each), read per campaign',
  recruitment_application:
    'applicants of a campaign (hundreds), read per campaign; unique per campaign and 身份证号 hash',
  workflow_proposal:
    'pending and decided proposals (a small share of workers a year), unique by dedupe_key across counties',
  assessment_cycle: 'one cycle per street or county and year',
  assessment_score:
    'dimension scores per worker and cycle, read per cycle; to be distributed with worker once its key carries county_code',
  training_course: 'courses (tens per county a year), read by id or org path',
  training_attendance:
    'attendance per course and worker, read per course; to be distributed with worker once its key carries county_code',
  case_study: 'case-study submissions (one per worker a year where a pack asks for them)',
  secondment_request: 'secondment requests (at most 5% of a street a year)',
  work_item_request: 'requests to add an admission-list item (a handful a year)',
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

import { AppError, type TConversionLineView, type TExportFormat } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { type TAuditEntry, writeAudit } from '../../audit/audit.ts';
import type { TCtx } from '../../context.ts';
import { queryRows, type TExecutor } from '../../db/client.ts';
import { startJob } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';
import { createTableWriter, type TTableColumn } from '../excel/table-writer.ts';
import { findConversionInScope } from './create-conversion.ts';
import { startFileExport } from './file-export.ts';
import { copyRows } from './pay-copy.ts';

/**
 * Approves a computed conversion (审批): in one transaction, the new monthly pay of every worker
 * whose pay changes is written to the archive (薪酬变动 from the version's date) with an audit row
 * each. Locked months on or after the date are corrected by arrears at the next pay sheet.
 */
export const approveConversion = async (ctx: TCtx, id: string) => {
  const c = await findConversionInScope(ctx, id);
  if (!c) throw new AppError('NOT_FOUND', '套改不存在');
  if (c.status !== 'ready')
    throw new AppError('CONFLICT', c.status === 'approved' ? '套改已审批' : '套改尚未计算完成');
  const db = ctx.services.database.db;
  const job = await startJob(
    ctx,
    { kind: 'pay-conversion-approve', title: `审批：${c.title}` },
    async () =>
      db.transaction(async (txDb) => {
        const tx = txDb as unknown as TExecutor;
        const state = await queryRows<{ status: string }>(
          tx,
          sql`select status from pay_conversion where id = ${id} for update`,
        );
        if (state[0]?.status !== 'ready') throw new AppError('CONFLICT', '套改已审批');
        const lines = await queryRows<{
          workerId: string;
          countyCode: string;
          orgPath: string;
          before: string;
          after: string;
        }>(
          tx,
          sql`select worker_id as "workerId", county_code as "countyCode", org_path as "orgPath",
              before_monthly_fen::text as before, after_monthly_fen::text as after
            from pay_conversion_line
            where conversion_id = ${id} and status = 'ok' and diff_fen <> 0`,
        );
        const reason = `薪酬套改：${c.title}`;
        await copyRows(
          ctx.services.database,
          tx,
          'archive_item',
          ['id', 'worker_id', 'county_code', 'kind', 'start_on', 'data', 'created_by'],
          lines.map((l) => [
            newId(),
            l.workerId,
            l.countyCode,
            'pay',
            c.effectiveOn,
            JSON.stringify({ reason: reason.slice(0, 100), monthlyFen: Number(l.after) }),
            ctx.actor.id,
          ]),
        );
        const audits: TAuditEntry[] = lines.map((l) => ({
          actorId: ctx.actor.id,
          actorName: ctx.actor.username,
          action: 'pay-conversion',
          entity: 'worker',
          entityId: l.workerId,
          orgPath: l.orgPath,
          before: { monthlyFen: Number(l.before) },
          after: { monthlyFen: Number(l.after), from: c.effectiveOn },
          reason,
        }));
        audits.push({
          actorId: ctx.actor.id,
          actorName: ctx.actor.username,
          action: 'pay-conversion-approve',
          entity: 'pay_conversion',
          entityId: id,
          orgPath: c.orgPath,
          before: { status: 'ready' },
          after: { status: 'approved', changed: lines.length, lockedMonths: c.lockedMonths },
        });
        await writeAudit(tx, audits);
        await tx.execute(
          sql`update pay_conversion set status = 'approved', approved_by = ${ctx.actor.id},
              approved_at = now() where id = ${id}`,
        );
        return { conversionId: id, changed: lines.length, lockedMonths: c.lockedMonths };
      }),
  );
  return { jobId: job.id, finished: job.finished, lockedMonths: c.lockedMonths };
};

const lineFilter = (filter: string) => {
  switch (filter) {
    case 'changed':
      return sql`and l.status = 'ok' and l.diff_fen <> 0`;
    case 'raised':
      return sql`and l.status = 'ok' and l.diff_fen > 0`;
    case 'lowered':
      return sql`and l.status = 'ok' and l.diff_fen < 0`;
    case 'open':
      return sql`and l.status = 'open'`;
    default:
      return sql``;
  }
};

type TLine = TConversionLineView & { countyName: string; streetName: string };

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const readLines = async (
  db: TExecutor,
  id: string,
  filter: string,
  offset: number,
  limit: number,
): Promise<TLine[]> =>
  (
    await queryRows<TLine>(
      db,
      sql`select l.worker_id as "workerId", coalesce(w.name, '') as name,
            coalesce(c.name, '') as "communityName", coalesce(s.name, '') as "streetName",
            coalesce(k.name, '') as "countyName", l.post, l.years, l.status, l.reason,
            l.before_grade as "beforeGrade", l.before_coefficient as "beforeCoefficient",
            l.before_base_fen::text as "beforeBaseFen", l.before_monthly_fen::text as "beforeMonthlyFen",
            l.after_grade as "afterGrade", l.after_coefficient as "afterCoefficient",
            l.after_base_fen::text as "afterBaseFen", l.after_monthly_fen::text as "afterMonthlyFen",
            l.diff_fen::text as "diffFen"
          from pay_conversion_line l
          left join worker w on w.id = l.worker_id
          left join org c on c.code = substring(l.org_path from '/([0-9]+)/$')
          left join org s on s.code = c.parent_code
          left join org k on k.code = l.county_code
          where l.conversion_id = ${id} ${lineFilter(filter)}
          order by l.org_path, w.name, l.worker_id
          offset ${offset} limit ${limit}`,
    )
  ).map((r) => ({
    ...r,
    beforeBaseFen: num(r.beforeBaseFen),
    beforeMonthlyFen: num(r.beforeMonthlyFen),
    afterBaseFen: num(r.afterBaseFen),
    afterMonthlyFen: num(r.afterMonthlyFen),
    diffFen: num(r.diffFen),
  }));

export const listConversionLines = async (
  ctx: TCtx,
  id: string,
  q: { filter: string; offset: number; limit: number },
) => {
  const c = await findConversionInScope(ctx, id);
  if (!c) throw new AppError('NOT_FOUND', '套改不存在');
  const total = (
    await queryRows<{ n: number }>(
      ctx.db,
      sql`select count(*)::int as n from pay_conversion_line l
          where l.conversion_id = ${id} ${lineFilter(q.filter)}`,
    )
  )[0]?.n;
  return {
    conversion: c,
    total: total ?? 0,
    items: await readLines(ctx.db, id, q.filter, q.offset, q.limit),
  };
};

const TABLE: TTableColumn[] = [
  { header: '县（市、区）', type: 'text' },
  { header: '街道', type: 'text', width: 14 },
  { header: '社区', type: 'text', width: 14 },
  { header: '姓名', type: 'text' },
  { header: '岗位类别', type: 'text' },
  { header: '社区工作年限', type: 'int' },
  { header: '原岗位等级', type: 'int' },
  { header: '原等级系数', type: 'text' },
  { header: '原基本薪酬', type: 'money', width: 12 },
  { header: '原月薪酬合计', type: 'money', width: 12 },
  { header: '新岗位等级', type: 'int' },
  { header: '新等级系数', type: 'text' },
  { header: '新基本薪酬', type: 'money', width: 12 },
  { header: '新月薪酬合计', type: 'money', width: 12 },
  { header: '月差额', type: 'money', width: 12 },
  { header: '说明', type: 'text', width: 40 },
];

/** 薪酬套改表 of a conversion, as a background export (rows read a page at a time). */
export const startConversionExport = async (ctx: TCtx, id: string, format: TExportFormat) => {
  const c = await findConversionInScope(ctx, id);
  if (!c) throw new AppError('NOT_FOUND', '套改不存在');
  if (c.status === 'computing' || c.status === 'failed')
    throw new AppError('CONFLICT', '套改尚未计算完成');
  const job = await startFileExport(
    ctx,
    {
      kind: 'pay-conversion',
      title: `导出薪酬套改表：${c.title}`,
      fileName: `薪酬套改表-${c.effectiveOn}.${format}`,
      format,
    },
    async (out, report) => {
      const writer = createTableWriter(out, format, '薪酬套改表', TABLE);
      const total = c.workerCount + c.openCount;
      let offset = 0;
      for (;;) {
        const page = await readLines(ctx.services.database.db, id, 'all', offset, 2000);
        if (page.length === 0) break;
        for (const l of page) {
          writer.addRow([
            l.countyName,
            l.streetName,
            l.communityName,
            l.name,
            l.post,
            l.years,
            l.beforeGrade,
            l.beforeCoefficient,
            l.beforeBaseFen,
            l.beforeMonthlyFen,
            l.afterGrade,
            l.afterCoefficient,
            l.afterBaseFen,
            l.afterMonthlyFen,
            l.diffFen,
            l.status === 'open' ? `未核定：${l.reason ?? ''}` : null,
          ]);
        }
        offset += page.length;
        await report(offset, total);
      }
      await writer.finish();
      return { rows: offset };
    },
  );
  return { jobId: job.id, finished: job.finished };
};

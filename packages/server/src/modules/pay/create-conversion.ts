import {
  NO_YEARS,
  type TCompiledPack,
  type TPayColumns,
  type TWorkerColumns,
  type TWorkerInput,
} from '@shegong/policy';
import {
  AppError,
  type TConversionCreate,
  type TConversionView,
  ZConversionCreate,
} from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import type { TCtx } from '../../context.ts';
import { queryRows, type TExecutor } from '../../db/client.ts';
import { payConversion } from '../../db/schema/index.ts';
import { startJob } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';
import { effectivePackIds, findOrgInScope } from '../org/org.repo.ts';
import { likePrefix } from '../org/org-scope.ts';
import { finalReport } from './final-report.ts';
import { listStreetsUnder, loadPayWorkers, type TStreetRow } from './pay.repo.ts';
import { copyRows, type TCopyCell } from './pay-copy.ts';
import { hiredOnOf, type TPayWorkerRow, workerPayInput } from './pay-inputs.ts';

// 薪酬套改: every worker governed by a pack, before and after one of its version dates. Both
// sides are evaluated for the same worker facts — the years of community work counted on the
// new date — so the difference is the policy's change alone.

const dayBefore = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

const CHUNK = 10_000;

const CONVERSION_LINE_COLUMNS = [
  'conversion_id',
  'worker_id',
  'county_code',
  'org_path',
  'post',
  'years',
  'status',
  'reason',
  'before_grade',
  'before_coefficient',
  'before_base_fen',
  'before_monthly_fen',
  'after_grade',
  'after_coefficient',
  'after_base_fen',
  'after_monthly_fen',
  'diff_fen',
] as const;

type TSide =
  | {
      grade: number | null;
      coefficient: string | null;
      baseFen: number | null;
      monthlyFen: number;
    }
  | { error: string };

const scaledText = (scaled: number, decimals: number) => {
  if (scaled < 0) return null;
  if (decimals === 0) return String(scaled);
  const s = String(scaled).padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
};

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Monthly standard figures of every input under a pack: batch kernel, trace evaluator for failures. */
const evaluateSide = (
  pack: TCompiledPack,
  inputs: readonly TWorkerInput[],
): { sides: TSide[]; cols: TWorkerColumns | null } => {
  const traced = (input: TWorkerInput): TSide => {
    try {
      const v = pack.pay(input).value;
      return {
        grade: v.grade,
        coefficient: v.coefficient,
        baseFen: v.basePayFen,
        monthlyFen: v.monthlyTotalFen,
      };
    } catch (error) {
      return { error: errorText(error) };
    }
  };
  let cols: TWorkerColumns;
  try {
    cols = pack.batch.workerColumns(inputs);
  } catch {
    return { sides: inputs.map(traced), cols: null };
  }
  const out: TPayColumns = pack.batch.pay(cols);
  const sides = inputs.map((input, i): TSide => {
    if (out.error[i] !== 0) return traced(input);
    const base = out.basePayFen[i] as number;
    const grade = out.grade[i] as number;
    return {
      grade: grade < 0 ? null : grade,
      coefficient: scaledText(out.coefficientScaled[i] as number, out.coefficientDecimals),
      baseFen: base < 0 ? null : base,
      monthlyFen: out.monthlyTotalFen[i] as number,
    };
  });
  return { sides, cols };
};

/** The version periods a date separates, or why the pack has no new version on it. */
const versionsAround = (ctx: TCtx, packId: string, effectiveOn: string) => {
  const { policies } = ctx.services;
  if (!policies.has(packId)) throw new AppError('NOT_FOUND', `政策包 ${packId} 不存在`);
  const summary = policies.list().find((p) => p.id === packId)!;
  const starts = summary.versions.map((v) => v.from);
  if (!starts.includes(effectiveOn) || effectiveOn === summary.effectiveFrom) {
    throw new AppError(
      'VALIDATION_FAILED',
      `政策包「${summary.name}」在 ${effectiveOn} 没有新版本；可套改的日期：${starts.slice(1).join('、') || '无'}`,
      { where: { field: 'effectiveOn' } },
    );
  }
  return {
    before: policies.at(packId, dayBefore(effectiveOn)),
    after: policies.at(packId, effectiveOn),
    name: summary.name,
  };
};

/**
 * Starts a pay conversion: a record in state 计算中 and a background job that evaluates every
 * worker governed by the pack under the node, in post on the date, before and after.
 */
export const createConversion = async (ctx: TCtx, raw: TConversionCreate) => {
  const input = ZConversionCreate.parse(raw);
  const db = ctx.services.database.db;
  const node = await findOrgInScope(db, ctx.actor.scope, input.org);
  if (!node)
    throw new AppError('NOT_FOUND', `机构 ${input.org} 不存在`, { where: { field: 'org' } });
  const { before, after, name } = versionsAround(ctx, input.packId, input.effectiveOn);
  const id = newId();
  const title = `${node.name}：${name} ${input.effectiveOn} 起薪酬套改`;
  await db.insert(payConversion).values({
    id,
    packId: input.packId,
    effectiveOn: input.effectiveOn,
    orgCode: node.code,
    orgPath: node.path,
    countyCode: node.countyCode,
    title,
    status: 'computing',
    beforeFrom: before.segment.from,
    afterFrom: after.segment.from,
    createdBy: ctx.actor.id,
  });
  const job = await startJob(ctx, { kind: 'pay-conversion', title }, async (report) => {
    try {
      return await computeConversion(ctx, id, node.path, input.packId, input.effectiveOn, report);
    } catch (error) {
      await db.execute(sql`update pay_conversion set status = 'failed' where id = ${id}`);
      throw error;
    }
  });
  await db.execute(sql`update pay_conversion set job_id = ${job.id} where id = ${id}`);
  return { id, jobId: job.id, finished: job.finished };
};

const computeConversion = async (
  ctx: TCtx,
  id: string,
  path: string,
  packId: string,
  effectiveOn: string,
  report: (done: number, total?: number, message?: string) => Promise<void>,
) => {
  const db = ctx.services.database.db;
  const month = effectiveOn.slice(0, 7);
  const { before, after } = versionsAround(ctx, packId, effectiveOn);
  const streets = await listStreetsUnder(db, ctx.actor.scope, path, month);
  const total = streets.reduce((s, x) => s + x.workers, 0);
  const countyNames = new Map(streets.map((s) => [s.countyCode, s.countyName ?? '']));
  const titles = new Set(after.posts.flatMap((p) => p.titles as readonly string[]));
  const sums = { workers: 0, raised: 0, lowered: 0, open: 0, before: 0, after: 0 };
  let done = 0;
  const chunks: TStreetRow[][] = [[]];
  let size = 0;
  for (const s of streets) {
    (chunks.at(-1) as TStreetRow[]).push(s);
    size += s.workers;
    if (size >= CHUNK) {
      chunks.push([]);
      size = 0;
    }
  }
  await db.execute(sql`delete from pay_conversion_line where conversion_id = ${id}`);
  for (const chunk of chunks.filter((c) => c.length)) {
    const all = await loadPayWorkers(
      db,
      ctx.actor.scope,
      chunk.map((s) => s.path),
      month,
    );
    const packs = await effectivePackIds(db, [...new Set(all.map((w) => w.orgPath))]);
    const workers = all.filter(
      (w) =>
        packs.get(w.orgPath) === packId &&
        hiredOnOf(w) <= effectiveOn &&
        !(w.exitedOn && w.exitedOn < effectiveOn),
    );
    const rows: TCopyCell[][] = [];
    const covered: TPayWorkerRow[] = [];
    for (const w of workers) {
      if (!w.postTitle || !titles.has(w.postTitle)) {
        sums.open++;
        rows.push(
          openRow(id, w, w.postTitle ? `政策包的岗位类别不含职务「${w.postTitle}」` : '未填写职务'),
        );
      } else covered.push(w);
    }
    const afterInputs = covered.map((w) =>
      workerPayInput(w, after, effectiveOn, countyNames.get(w.countyCode) ?? null),
    );
    const a = evaluateSide(after, afterInputs);
    // The same facts on both sides: years and probation as counted on the new date.
    const beforeInputs = afterInputs.map((input, i) => {
      const years = a.cols?.years[i];
      if (years === undefined || years === NO_YEARS) return input;
      const { serviceStart: _s, servicePeriods: _p, ...rest } = input;
      return { ...rest, years, probation: a.cols?.probation?.[i] === 1 };
    });
    const b = evaluateSide(before, beforeInputs);
    covered.forEach((w, i) => {
      const bs = b.sides[i] as TSide;
      const as = a.sides[i] as TSide;
      const years = a.cols?.years[i];
      if ('error' in bs || 'error' in as) {
        sums.open++;
        rows.push(openRow(id, w, 'error' in as ? as.error : (bs as { error: string }).error));
        return;
      }
      const diff = as.monthlyFen - bs.monthlyFen;
      sums.workers++;
      sums.before += bs.monthlyFen;
      sums.after += as.monthlyFen;
      if (diff > 0) sums.raised++;
      if (diff < 0) sums.lowered++;
      rows.push([
        id,
        w.id,
        w.countyCode,
        w.orgPath,
        after.posts.find((p) => (p.titles as readonly string[]).includes(w.postTitle as string))
          ?.category ?? null,
        years === undefined || years === NO_YEARS ? null : years,
        'ok',
        null,
        bs.grade,
        bs.coefficient,
        bs.baseFen,
        bs.monthlyFen,
        as.grade,
        as.coefficient,
        as.baseFen,
        as.monthlyFen,
        diff,
      ]);
    });
    await db.transaction(async (tx) =>
      copyRows(
        ctx.services.database,
        tx as unknown as TExecutor,
        'pay_conversion_line',
        CONVERSION_LINE_COLUMNS,
        rows,
      ),
    );
    done += chunk.reduce((s, x) => s + x.workers, 0);
    await report(done, total, `已比较 ${sums.workers + sums.open} 名工作者`);
  }
  await finalReport(report, total, total, `已比较 ${sums.workers + sums.open} 名工作者`);
  await db.transaction(async (txDb) => {
    const tx = txDb as unknown as TExecutor;
    await tx.execute(
      sql`update pay_conversion set status = 'ready', worker_count = ${sums.workers},
            raised_count = ${sums.raised}, lowered_count = ${sums.lowered},
            open_count = ${sums.open}, before_total_fen = ${sums.before},
            after_total_fen = ${sums.after}
          where id = ${id}`,
    );
    await writeAudit(tx, {
      actorId: ctx.actor.id,
      actorName: ctx.actor.username,
      action: 'pay-conversion-compute',
      entity: 'pay_conversion',
      entityId: id,
      orgPath: path,
      after: { packId, effectiveOn, ...sums },
    });
  });
  return { conversionId: id, ...sums };
};

const openRow = (id: string, w: TPayWorkerRow, reason: string): TCopyCell[] => [
  id,
  w.id,
  w.countyCode,
  w.orgPath,
  null,
  null,
  'open',
  reason,
  null,
  null,
  null,
  null,
  null,
  null,
  null,
  null,
  null,
];

type TConversionRow = Omit<TConversionView, 'lockedMonths'> & { orgPath: string };

const conversionColumns = sql`id, pack_id as "packId", effective_on::text as "effectiveOn",
  org_code as "orgCode", org_path as "orgPath", title, status, job_id as "jobId",
  worker_count as "workerCount", raised_count as "raisedCount", lowered_count as "loweredCount",
  open_count as "openCount", before_total_fen::text as "beforeTotalFen",
  after_total_fen::text as "afterTotalFen", before_from::text as "beforeFrom",
  after_from::text as "afterFrom", created_at::text as "createdAt", approved_at::text as "approvedAt"`;

const toConversion = (r: TConversionRow): TConversionRow => ({
  ...r,
  beforeTotalFen: Number(r.beforeTotalFen),
  afterTotalFen: Number(r.afterTotalFen),
});

/** Months already locked under the path on or after the date: their arrears come next. */
export const lockedMonthsFrom = async (db: TExecutor, path: string, fromMonth: string) =>
  (
    await queryRows<{ month: string }>(
      db,
      sql`select distinct month from pay_run where status = 'locked' and month >= ${fromMonth}
          and org_path like ${likePrefix(path)} order by month`,
    )
  ).map((r) => r.month);

export const findConversionInScope = async (
  ctx: TCtx,
  id: string,
): Promise<(TConversionView & { orgPath: string }) | undefined> => {
  const row = (
    await queryRows<TConversionRow>(
      ctx.db,
      sql`select ${conversionColumns} from pay_conversion
          where id = ${id} and org_path like ${likePrefix(ctx.actor.scope.path)}`,
    )
  ).map(toConversion)[0];
  if (!row) return undefined;
  return {
    ...row,
    lockedMonths: await lockedMonthsFrom(ctx.db, row.orgPath, row.effectiveOn.slice(0, 7)),
  };
};

export const listConversions = async (ctx: TCtx, path: string) =>
  (
    await queryRows<TConversionRow>(
      ctx.db,
      sql`select ${conversionColumns} from pay_conversion
          where org_path like ${likePrefix(path)}
            and org_path like ${likePrefix(ctx.actor.scope.path)}
          order by created_at desc limit 50`,
    )
  ).map((r) => ({ ...toConversion(r), lockedMonths: [] as string[] }));

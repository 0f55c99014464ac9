import type { TPolicyRegistry, TWorkerInput } from '@shegong/policy';
import { formatFen } from '@shegong/policy';
import { AppError, type TPayExplanation, type TTraceStepView } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { governingPack } from '../org/org.repo.ts';
import { computeMonthLines, postRecords, type TPayLineRow } from './compute-lines.ts';
import {
  findLine,
  findRunInScope,
  loadPayWorkersById,
  loadPayWorkerWithNodes,
} from './pay.repo.ts';
import type { TPayWorkerRow } from './pay-inputs.ts';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The trace of a line's month from the input it was computed with, under the pack's versions. */
const traceOf = (
  policies: TPolicyRegistry,
  packId: string | null,
  evalOn: string,
  input: TWorkerInput | null,
  oneOffFen: number,
  row: TPayWorkerRow | undefined,
): { value: unknown; trace: TTraceStepView[]; error: string | null; packName: string | null } => {
  if (!packId || !input) return { value: null, trace: [], error: null, packName: null };
  try {
    const pack = policies.at(packId, evalOn);
    // The month of the line, split where a version of the pack starts inside it or the worker
    // takes another post.
    const records = row ? postRecords(row, evalOn, input) : [];
    const r = policies.payMonth(packId, evalOn.slice(0, 7), input, records);
    const trace: TTraceStepView[] = [...r.trace];
    if (oneOffFen) {
      trace.push({
        rule: 'archive-reward',
        source: '人事档案：表彰奖励',
        inputs: { month: evalOn.slice(0, 7) },
        result: oneOffFen,
        note: `本月一次性奖励${formatFen(oneOffFen)}（人事档案中的表彰奖励），计入本月应发`,
      });
    }
    return { value: r.value, trace, error: null, packName: pack.name };
  } catch (error) {
    return { value: null, trace: [], error: errorText(error), packName: null };
  }
};

/**
 * The value shown: the evaluation with the parts of the month as computed for the line (stored
 * with it), so that a split month shows what was paid; lines stored before the parts were kept
 * show the parts evaluated again.
 */
const withLineParts = (value: unknown, line: Pick<TPayLineRow, 'kind' | 'parts'>): unknown =>
  value && line.kind === 'regular' && line.parts
    ? { ...(value as Record<string, unknown>), parts: line.parts }
    : value;

/** "为什么" of a line of a pay sheet, evaluated again from the input it was computed with. */
export const explainPayLine = async (
  ctx: TCtx,
  runId: string,
  workerId: string,
  forMonth: string | undefined,
): Promise<TPayExplanation> => {
  const run = await findRunInScope(ctx.db, ctx.actor.scope, runId);
  if (!run) throw new AppError('NOT_FOUND', '工资表不存在');
  const line = await findLine(ctx.db, runId, workerId, forMonth);
  if (!line) throw new AppError('NOT_FOUND', '工资表中没有该工作者');
  const [row] = await loadPayWorkersById(ctx.db, ctx.actor.scope, [workerId], line.forMonth);
  const t = traceOf(
    ctx.services.policies,
    line.packId,
    line.evalOn,
    line.input as TWorkerInput | null,
    line.oneOffFen,
    row,
  );
  const dueFen =
    line.kind === 'arrears' && t.value
      ? (t.value as { payableFen: number }).payableFen + line.oneOffFen
      : null;
  return {
    workerId: line.workerId,
    name: line.name,
    month: line.month,
    forMonth: line.forMonth,
    kind: line.kind,
    packId: line.packId,
    packName: t.packName,
    evalOn: line.evalOn,
    input: line.input,
    value: withLineParts(t.value, line),
    trace: t.trace,
    error: t.error ?? (line.status === 'open' ? line.reason : null),
    arrears:
      line.kind === 'arrears' && dueFen !== null
        ? { dueFen, paidFen: dueFen - (line.payableFen ?? 0), diffFen: line.payableFen ?? 0 }
        : null,
  };
};

/**
 * One worker's pay for a month as the pay sheet would compute it now, with its explanation (the
 * worker page's 薪酬 tab). Nothing is written.
 */
export const workerPayForMonth = async (
  ctx: TCtx,
  workerId: string,
  month: string,
): Promise<{ line: TPayLineRow; explanation: TPayExplanation }> => {
  // loadPayWorkersById applies the scope's subtree; a self-service scope is also one worker.
  const { scope } = ctx.actor;
  if (scope.kind === 'self' && scope.workerId !== workerId)
    throw new AppError('NOT_FOUND', '工作者不存在');
  // The worker with its path's nodes and county: the governing pack and the county's name (pay
  // floors by district), in one statement.
  const found = await loadPayWorkerWithNodes(ctx.db, scope, workerId, month);
  if (!found) throw new AppError('NOT_FOUND', '工作者不存在');
  const { row, nodes } = found;
  const packId = governingPack((code) => nodes.get(code)?.packId, row.orgPath);
  const county = nodes.get(row.countyCode)?.name ?? null;
  const [line] = computeMonthLines(ctx.services.policies, month, [row], {
    packOf: () => packId,
    districtOf: () => county,
  }) as [TPayLineRow];
  const t = traceOf(
    ctx.services.policies,
    line.packId,
    line.evalOn,
    line.input,
    line.oneOffFen,
    row,
  );
  return {
    line,
    explanation: {
      workerId,
      name: row.name,
      month,
      forMonth: month,
      kind: 'regular',
      packId: line.packId,
      packName: t.packName,
      evalOn: line.evalOn,
      input: line.input,
      value: withLineParts(t.value, line),
      trace: t.trace,
      error: t.error ?? (line.status === 'open' ? line.reason : null),
      arrears: null,
    },
  };
};

import { AppError } from '@shegong/shared';
import type { TPayColumns } from '../batch/batch.ts';
import type { TPolicyFile } from '../registry/pack-node.ts';
import type { TCompiledPack, TPolicyRegistry } from '../registry/registry.ts';
import { parseYamlSource, validateSource } from '../schema/yaml-source.ts';
import type { TEvaluation, TGradeValue, TPayPart, TPayValue, TQuotaValue } from '../types.ts';
import { type TCase, ZCaseFile } from './case-schema.ts';

/** One case, ready to run: where it is written and what it asks. */
export type TPackCase = {
  file: string;
  line: number;
  pack: string;
  eval: TEvaluation;
  date: string;
  case: TCase;
};

export type TCaseResult = {
  case: TPackCase;
  passed: boolean;
  /** Why it failed (Chinese), empty when passed. */
  failures: string[];
  /** Rule ids in the trace (for coverage). */
  rules: string[];
  /** Whether the batch kernels agreed with the trace evaluator; n/a for evaluations without one. */
  batch: 'agree' | 'disagree' | 'n/a';
  value?: unknown;
};

const packOfPath = (path: string): string => {
  const parts = path.split('/');
  const i = parts.lastIndexOf('tests');
  return i > 0 ? (parts[i - 1] as string) : '';
};

/**
 * Reads the test files of packs (`policies/<pack>/tests/*.yaml`) into cases.
 * @example readPackCases(registry.testFiles('yinchuan-2018')).length // 93
 * @throws AppError POLICY_INVALID naming file, line and key of a malformed case
 */
export const readPackCases = (files: readonly TPolicyFile[]): TPackCase[] =>
  files.flatMap((f) => {
    const src = parseYamlSource(f.path, f.text);
    const file = validateSource(src, ZCaseFile);
    return file.cases.map((c, i) => {
      const ev = c.eval ?? file.defaults?.eval;
      const date = c.date ?? (c.month ? `${c.month}-01` : file.defaults?.date);
      if (!ev)
        throw new AppError('POLICY_INVALID', '测试用例缺少 eval', {
          where: { file: f.path, line: src.lineOf(['cases', i]), key: `cases[${i}].eval` },
        });
      if ((c.month || c.records) && (ev !== 'pay' || !c.month))
        throw new AppError(
          'POLICY_INVALID',
          '按月用例（month、records）只用于 eval: pay，且须写 month',
          {
            where: { file: f.path, line: src.lineOf(['cases', i]), key: `cases[${i}].month` },
          },
        );
      if (!date)
        throw new AppError('POLICY_INVALID', '测试用例缺少 date', {
          where: { file: f.path, line: src.lineOf(['cases', i]), key: `cases[${i}].date` },
        });
      return {
        file: f.path,
        line: src.lineOf(['cases', i]),
        pack: file.pack ?? packOfPath(f.path),
        eval: ev,
        date,
        case: c,
      };
    });
  });

/**
 * Does `actual` contain everything `expected` states? Objects: listed keys; arrays: same length.
 * Returns the differences in Chinese, empty when it matches.
 * @example partialMatch({ grade: 4 }, { grade: 4, coefficient: '1.30' }) // []
 */
export const partialMatch = (expected: unknown, actual: unknown, path = ''): string[] => {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(expected, actual)
      ? []
      : [`${path || '值'}：期望 ${JSON.stringify(expected)}，实际 ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}：期望列表，实际 ${JSON.stringify(actual)}`];
    if (expected.length !== actual.length)
      return [
        `${path}：期望 ${expected.length} 项，实际 ${actual.length} 项 ${JSON.stringify(actual)}`,
      ];
    return expected.flatMap((e, i) => partialMatch(e, actual[i], `${path}[${i}]`));
  }
  if (actual === null || typeof actual !== 'object')
    return [`${path}：期望对象，实际 ${JSON.stringify(actual)}`];
  return Object.entries(expected).flatMap(([k, v]) =>
    partialMatch(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
  );
};

/** Compares a trace-evaluator value with the batch kernels on the same single input. */
export const batchDisagreements = (
  pack: TCompiledPack,
  ev: TEvaluation,
  input: unknown,
  value: unknown,
  failed: boolean,
): string[] | null => {
  if (ev === 'grade' || ev === 'pay') {
    let cols: ReturnType<TCompiledPack['batch']['workerColumns']>;
    try {
      cols = pack.batch.workerColumns([input]);
    } catch {
      return failed ? [] : ['批量编码失败'];
    }
    const out = ev === 'grade' ? pack.batch.grade(cols) : pack.batch.pay(cols);
    if (failed) return out.error[0] !== 0 ? [] : ['逐条计算报错，但批量计算未报错'];
    if (out.error[0] !== 0) return [`批量计算报错（代码${out.error[0]}），逐条计算未报错`];
    const v = value as TGradeValue;
    const diffs: string[] = [];
    const cmp = (name: string, a: unknown, b: unknown): void => {
      if (!Object.is(a, b))
        diffs.push(`${name}：逐条 ${JSON.stringify(a)}，批量 ${JSON.stringify(b)}`);
    };
    cmp('grade', v.grade ?? -1, out.grade[0]);
    cmp(
      'coefficient',
      v.coefficient === null
        ? -1
        : Math.round(Number(v.coefficient) * 10 ** out.coefficientDecimals),
      out.coefficientScaled[0],
    );
    cmp('basePayFen', v.basePayFen ?? -1, out.basePayFen[0]);
    cmp('probation', v.probation ? 1 : 0, out.probation[0]);
    if (ev === 'pay') {
      const p = value as TPayValue;
      const o = out as TPayColumns;
      cmp('performanceFen', p.performanceFen, o.performanceFen[0]);
      cmp(
        'performancePeriod',
        p.performancePeriod === 'month' ? 1 : p.performancePeriod === 'year' ? 2 : 0,
        o.performancePeriod[0],
      );
      cmp(
        'monthlyAllowancesFen',
        p.allowances.filter((a) => a.period === 'month').reduce((s, a) => s + a.amountFen, 0),
        o.monthlyAllowancesFen[0],
      );
      cmp('annualLumpSumFen', p.annualLumpSumFen, o.annualLumpSumFen[0]);
      cmp('floorTopUpFen', p.floorTopUpFen, o.floorTopUpFen[0]);
      cmp('protectedFen', p.protectedFen, o.protectedFen[0]);
      cmp('pensionOffsetFen', p.pensionOffsetFen, o.pensionOffsetFen[0]);
      cmp('monthlyTotalFen', p.monthlyTotalFen, o.monthlyTotalFen[0]);
      cmp('paidDays', p.paidDays, o.paidDays[0]);
      cmp('monthDays', p.monthDays, o.monthDays);
      cmp('payableFen', p.payableFen, o.payableFen[0]);
    }
    return diffs;
  }
  if (ev === 'quota') {
    const q = input as Record<string, unknown>;
    if (
      q.scope === 'street' ||
      q.communities !== undefined ||
      (q.households === undefined && q.residents !== undefined && q.scope !== 'community')
    )
      return null;
    let cols: ReturnType<TCompiledPack['batch']['communityColumns']>;
    try {
      const { scope: _s, ...community } = q;
      cols = pack.batch.communityColumns([community]);
    } catch {
      return failed ? [] : ['批量编码失败'];
    }
    const out = pack.batch.quota(cols);
    if (failed) return out.error[0] !== 0 ? [] : ['逐条计算报错，但批量计算未报错'];
    if (out.error[0] !== 0) return ['批量计算报错，逐条计算未报错'];
    const v = value as TQuotaValue;
    const diffs: string[] = [];
    if (v.min !== out.min[0]) diffs.push(`min：逐条 ${v.min}，批量 ${out.min[0]}`);
    if ((v.max ?? -1) !== out.max[0]) diffs.push(`max：逐条 ${v.max}，批量 ${out.max[0]}`);
    for (const line of v.lines) {
      const j = out.rules.indexOf(line.rule);
      const lo = out.lineMin[j]?.[0];
      const hi = out.lineMax[j]?.[0];
      if (lo !== line.min || hi !== (line.max ?? -1))
        diffs.push(`${line.name}：逐条 ${line.min}–${line.max}，批量 ${lo}–${hi}`);
    }
    return diffs;
  }
  return null;
};

/**
 * Runs one case through the trace evaluator and, where a batch kernel exists, through the batch
 * kernel too; both must agree.
 * @example readPackCases(registry.testFiles()).map((c) => runPackCase(registry, c)).every((r) => r.passed)
 */
export const runPackCase = (registry: TPolicyRegistry, pc: TPackCase): TCaseResult => {
  const c = pc.case;
  let reg = registry;
  if (c.draft) reg = registry.draft(pc.pack, { id: `${pc.pack}-case-draft`, ...c.draft });
  const packId = c.draft ? `${pc.pack}-case-draft` : pc.pack;
  if (c.month) return runMonthCase(reg, packId, pc, c.month);
  let pack: TCompiledPack;
  try {
    pack = reg.at(packId, pc.date);
  } catch (e) {
    const message = (e as Error).message;
    const ok = c.expectError !== undefined && message.includes(c.expectError);
    return {
      case: pc,
      passed: ok,
      failures: ok ? [] : [`无法取得政策包：${message}`],
      rules: [],
      batch: 'n/a',
    };
  }
  const run = evaluateCase(c, () => pack[pc.eval](c.input));
  const diffs = batchDisagreements(pack, pc.eval, c.input, run.value, run.error !== undefined);
  return caseResult(pc, run, diffs);
};

type TCaseRun = { value: unknown; rules: string[]; error?: Error; failures: string[] };

/** Evaluates a case and checks what it expects: value, error and rules in the trace. */
const evaluateCase = (
  c: TCase,
  evaluate: () => { value: unknown; trace: readonly { rule: string }[] },
): TCaseRun => {
  const failures: string[] = [];
  let value: unknown;
  let rules: string[] = [];
  let error: Error | undefined;
  try {
    const r = evaluate();
    value = r.value;
    rules = [...new Set(r.trace.map((s) => s.rule))];
  } catch (e) {
    error = e as Error;
  }
  if (c.expectError !== undefined) {
    if (!error) failures.push(`期望报错“${c.expectError}”，实际得出 ${JSON.stringify(value)}`);
    else if (!error.message.includes(c.expectError))
      failures.push(`期望报错包含“${c.expectError}”，实际：${error.message}`);
  } else if (error) {
    failures.push(`计算报错：${error.message}`);
  } else if (c.expect !== undefined) {
    failures.push(...partialMatch(c.expect, value));
  }
  for (const r of c.expectRules ?? [])
    if (!rules.includes(r)) failures.push(`轨迹中没有规则「${r}」（有：${rules.join('、')}）`);
  return { value, rules, error, failures };
};

const caseResult = (pc: TPackCase, run: TCaseRun, diffs: string[] | null): TCaseResult => {
  const failures = [...run.failures, ...(diffs ?? []).map((d) => `批量与逐条不一致：${d}`)];
  const batch = diffs === null ? 'n/a' : diffs.length === 0 ? 'agree' : 'disagree';
  return {
    case: pc,
    passed: failures.length === 0,
    failures,
    rules: run.rules,
    batch,
    value: run.value,
  };
};

/**
 * A whole month of pay (`month:`): the registry's payMonth, and, without records inside the
 * month, the batch's batchPayMonth for the same row — month total, days and every part.
 */
const runMonthCase = (
  reg: TPolicyRegistry,
  packId: string,
  pc: TPackCase,
  month: string,
): TCaseResult => {
  const c = pc.case;
  const run = evaluateCase(c, () => reg.payMonth(packId, month, c.input, c.records));
  if (c.records?.length) return caseResult(pc, run, null);
  let out: ReturnType<TPolicyRegistry['batchPayMonth']>['out'];
  try {
    out = reg.batchPayMonth(packId, month, [c.input]).out;
  } catch (e) {
    const failed = run.error !== undefined;
    return caseResult(pc, run, failed ? [] : [`批量计算报错：${(e as Error).message}`]);
  }
  if (run.error)
    return caseResult(pc, run, out.error[0] !== 0 ? [] : ['逐条计算报错，但批量计算未报错']);
  const v = run.value as TPayValue;
  const diffs: string[] = [];
  const cmp = (name: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      diffs.push(`${name}：逐条 ${JSON.stringify(a)}，批量 ${JSON.stringify(b)}`);
  };
  if (out.error[0] !== 0) diffs.push(`批量计算报错（代码${out.error[0]}），逐条计算未报错`);
  cmp('paidDays', v.paidDays, out.paidDays[0]);
  cmp('payableFen', v.payableFen, out.payableFen[0]);
  cmp('parts', v.parts?.length ?? 1, out.parts[0]);
  const part = (p: TPayPart) => [p.from, p.to, p.paidDays, p.payableFen];
  cmp('parts[]', v.parts?.map(part), out.partList[0]?.map(part));
  return caseResult(pc, run, diffs);
};

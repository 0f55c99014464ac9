import type { TCompiledExpr } from '../expr/compile.ts';
import { type TComplianceInput, ZComplianceInput } from '../inputs.ts';
import { ZExpr, ZRatio } from '../schema/common.ts';
import type { TComplianceValue, TTargetValue } from '../types.ts';
import { ageOn } from '../util/dates.ts';
import { formatShare, type TRatio } from '../util/decimal.ts';
import {
  inputError,
  parseInput,
  resolvePost,
  type TCompileCtx,
  type TRuleEntryOf,
} from './context.ts';
import { step, type TTraceSink } from './trace.ts';

export type TComplianceProgram = {
  ctx: TCompileCtx;
  targets: {
    entry: TRuleEntryOf<'target'>;
    where: TCompiledExpr;
    among: TCompiledExpr | null;
    value: TRatio;
  }[];
};

/** Names a compliance expression may read about each worker. */
export const COMPLIANCE_EXPR_NAMES = [
  'education',
  'educationRecognised',
  'certificate',
  '持证',
  'category',
  'title',
  'localResident',
  'seconded',
  'age',
];

/** Compiles the targets (达标要求) of communities and streets. */
export const compileCompliance = (ctx: TCompileCtx): TComplianceProgram => ({
  ctx,
  targets: ctx.rules('target').map((e) => ({
    entry: e,
    where: ctx.expr(
      e,
      ['where'],
      ctx.ref(e, ['where'], e.rule.where, ZExpr, null),
      COMPLIANCE_EXPR_NAMES,
    ),
    among: e.rule.among ? ctx.expr(e, ['among'], e.rule.among, COMPLIANCE_EXPR_NAMES) : null,
    value: ctx.ref(e, ['value'], e.rule.value, ZRatio, 'ratio'),
  })),
});

const pct = (n: number, d: number): string =>
  d === 0 ? '—' : `${Math.round((n * 1000) / d) / 10}%`;

/** Compliance of a community or street with the pack's targets on the compiled date. */
export const evaluateCompliance = (
  prog: TComplianceProgram,
  raw: unknown,
  date: string,
  t: TTraceSink,
): TComplianceValue => {
  const input: TComplianceInput = parseInput(ZComplianceInput, raw);
  const ctx = prog.ctx;
  const targets = prog.targets.filter(
    (x) => x.entry.rule.scope === 'any' || x.entry.rule.scope === input.scope,
  );
  if (targets.length === 0)
    throw inputError(
      'scope',
      `政策包「${ctx.pack.id}」在 ${date} 没有对${input.scope === 'community' ? '社区' : '街道'}的达标要求`,
    );
  const envs = input.workers.map((w, i) => {
    let category: string | null = null;
    let title: string | null = null;
    if (w.post) {
      try {
        const p = resolvePost(ctx.pack, w.post);
        category = p.category;
        title = p.title;
      } catch {
        throw inputError(
          `workers[${i}].post`,
          `第${i + 1}人的岗位「${w.post}」不是本政策包的岗位类别或职务`,
        );
      }
    }
    return {
      education: w.education ?? null,
      educationRecognised: w.educationRecognised ?? true,
      certificate: w.certificate ?? '无',
      持证: (w.certificate ?? '无') !== '无',
      category,
      title,
      localResident: w.localResident ?? false,
      seconded: w.seconded ?? false,
      age: w.age ?? (w.birthDate ? ageOn(w.birthDate, date) : null),
    };
  });
  const values: TTargetValue[] = targets.map(({ entry, where, among, value }) => {
    const r = entry.rule;
    const pop = among ? envs.filter((e) => among.run(e) === true) : envs;
    const count = pop.filter((e) => {
      const v = where.run(e);
      return v === true;
    }).length;
    const total = pop.length;
    let met: boolean;
    let required: string;
    const isShare = r.measure.startsWith('share');
    if (isShare) {
      // count / total ≥ num / den, compared exactly in integers.
      const lhs = count * value.den;
      const rhs = total * value.num;
      met = r.measure === 'share-at-least' ? total > 0 && lhs >= rhs : lhs <= rhs;
      required = `${r.measure === 'share-at-least' ? '不低于' : '不超过'}${formatShare(value)}`;
    } else {
      const n = value.num / value.den;
      met = r.measure === 'count-at-least' ? count >= n : count <= n;
      required = `${r.measure === 'count-at-least' ? '不少于' : '不超过'}${n}人`;
    }
    const pending = !met && r.dueBy !== undefined && date <= r.dueBy;
    const status = met ? '达标' : pending ? '未到期' : '未达标';
    const actual = isShare ? pct(count, total) : `${count}人`;
    step(
      t,
      entry,
      { count, total, where: where.src, among: r.among ?? null },
      status,
      `${r.description}：${isShare ? `${count}/${total} = ${actual}` : actual}，要求${required}${r.dueBy ? `（${r.dueBy}前）` : ''}，${status}`,
    );
    return {
      rule: r.id,
      description: r.description,
      measure: r.measure,
      count,
      total,
      actual,
      required,
      met,
      status,
      dueBy: r.dueBy ?? null,
      level: r.level,
      source: r.source,
    };
  });
  return {
    scope: input.scope,
    met: values.every((v) => v.met || v.status === '未到期' || v.level === 'goal'),
    targets: values,
  };
};

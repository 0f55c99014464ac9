import { EDUCATION_LEVELS } from '@shegong/shared';
import type { TCompiledExpr } from '../expr/compile.ts';
import { type TApplicantInput, ZApplicantInput } from '../inputs.ts';
import { ZNonNegInt } from '../schema/common.ts';
import type { TCriterionValue, TEligibilityValue } from '../types.ts';
import { ageOn } from '../util/dates.ts';
import { inputError, parseInput, type TCompileCtx, type TRuleEntryOf } from './context.ts';
import { step, type TTraceSink } from './trace.ts';

type TException = { when: TCompiledExpr; label: string; max: number | undefined };
type TCriterion = { entry: TRuleEntryOf<'criterion'> } & (
  | { test: 'age-max'; max: number; exceptions: TException[] }
  | { test: 'age-min'; min: number }
  | { test: 'education-min'; min: string; recognisedOnly: boolean; exceptions: TException[] }
  | { test: 'expr'; expr: TCompiledExpr; fail: string; pass: string | undefined }
);

export type TEligibilityProgram = {
  ctx: TCompileCtx;
  flags: readonly string[];
  criteria: TCriterion[];
  priorities: { entry: TRuleEntryOf<'priority'>; when: TCompiledExpr }[];
};

/** Names an eligibility expression may read, besides the pack's declared applicant flags. */
export const APPLICANT_EXPR_NAMES = [
  'age',
  'education',
  'educationRecognised',
  'certificate',
  'major',
  '持证',
];

/** Compiles recruitment criteria and priorities. */
export const compileEligibility = (ctx: TCompileCtx): TEligibilityProgram => {
  const flags = ctx.pack.flags.map((f) => f.name);
  const names = [...APPLICANT_EXPR_NAMES, ...flags];
  const exceptions = (
    e: TRuleEntryOf<'criterion'>,
    list: { when: string; label: string; max?: number | undefined }[],
  ): TException[] =>
    list.map((x, i) => ({
      when: ctx.expr(e, ['exceptions', i, 'when'], x.when, names),
      label: x.label,
      max: x.max,
    }));
  const compileCriterion = (e: TRuleEntryOf<'criterion'>): TCriterion => {
    const r = e.rule;
    switch (r.test) {
      case 'age-max':
        return {
          entry: e,
          test: r.test,
          max: ctx.ref(e, ['max'], r.max, ZNonNegInt, 'number'),
          exceptions: exceptions(e, r.exceptions),
        };
      case 'age-min':
        return { entry: e, test: r.test, min: ctx.ref(e, ['min'], r.min, ZNonNegInt, 'number') };
      case 'education-min':
        return {
          entry: e,
          test: r.test,
          min: r.min,
          recognisedOnly: r.recognisedOnly,
          exceptions: exceptions(e, r.exceptions),
        };
      case 'expr':
        return {
          entry: e,
          test: r.test,
          expr: ctx.expr(e, ['expr'], r.expr, names),
          fail: r.fail,
          pass: r.pass,
        };
    }
  };
  const criteria = ctx.rules('criterion').map(compileCriterion);
  const priorities = ctx
    .rules('priority')
    .map((e) => ({ entry: e, when: ctx.expr(e, ['when'], e.rule.when, names) }));
  return { ctx, flags, criteria, priorities };
};

const matchedExceptions = (xs: TException[], env: Record<string, unknown>): TException[] =>
  xs.filter((x) => x.when.run(env as never) === true);

/** Recruitment eligibility of an applicant, with a reason for each criterion. */
export const evaluateEligibility = (
  prog: TEligibilityProgram,
  raw: unknown,
  date: string,
  t: TTraceSink,
): TEligibilityValue => {
  const input: TApplicantInput & { flags: string[] } = parseInput(ZApplicantInput, raw);
  const ctx = prog.ctx;
  if (prog.criteria.length === 0 && prog.priorities.length === 0) {
    throw inputError('eligibility', `政策包「${ctx.pack.id}」在 ${date} 没有规定招聘条件`);
  }
  for (const f of input.flags) {
    if (!prog.flags.includes(f))
      throw inputError(
        'flags',
        `「${f}」不是本政策包认可的身份（${prog.flags.join('、') || '无'}）`,
      );
  }
  const age = input.age ?? (input.birthDate ? ageOn(input.birthDate, date) : undefined);
  const env: Record<string, number | string | boolean | null> = {
    age: age ?? null,
    education: input.education ?? null,
    educationRecognised: input.educationRecognised ?? true,
    certificate: input.certificate ?? '无',
    major: input.major ?? null,
    持证: (input.certificate ?? '无') !== '无',
  };
  for (const f of prog.flags) env[f] = input.flags.includes(f);

  const criteria: TCriterionValue[] = prog.criteria.map((c) => {
    const r = c.entry.rule;
    let passed = false;
    let reason: string;
    switch (c.test) {
      case 'age-max': {
        const ex = matchedExceptions(c.exceptions, env).filter((x) => x.max !== undefined);
        const best = ex.sort((a, b) => (b.max as number) - (a.max as number))[0];
        const max = Math.max(c.max, best?.max ?? 0);
        if (age === undefined) reason = '缺少出生日期或年龄，无法判断';
        else {
          passed = age <= max;
          reason =
            `${age}周岁，${passed ? '不超过' : '超过'}${max}周岁` +
            (best && (best.max as number) > c.max
              ? `（属于“${best.label}”，由${c.max}周岁放宽至${best.max}周岁）`
              : '');
        }
        break;
      }
      case 'age-min':
        if (age === undefined) reason = '缺少出生日期或年龄，无法判断';
        else {
          passed = age >= c.min;
          reason = `${age}周岁，${passed ? '已满' : '未满'}${c.min}周岁`;
        }
        break;
      case 'education-min': {
        const edu = input.education;
        const ex = matchedExceptions(c.exceptions, env);
        if (!edu) reason = '缺少学历，无法判断';
        else {
          const ok =
            EDUCATION_LEVELS.indexOf(edu) >=
            EDUCATION_LEVELS.indexOf(c.min as (typeof EDUCATION_LEVELS)[number]);
          const recognised = !c.recognisedOnly || input.educationRecognised !== false;
          passed = (ok && recognised) || ex.length > 0;
          reason = ok
            ? recognised
              ? `${edu}学历，达到${c.min}及以上`
              : `${edu}学历未经国家认可`
            : `${edu}学历，低于${c.min}` +
              (ex.length ? `，但属于“${ex.map((x) => x.label).join('、')}”，可放宽` : '');
        }
        break;
      }
      case 'expr': {
        const v = c.expr.run(env);
        passed = v === true;
        reason = passed ? (c.pass ?? `符合：${r.description}`) : c.fail;
        break;
      }
    }
    step(
      t,
      c.entry,
      { age: age ?? null, education: input.education ?? null, flags: input.flags },
      passed,
      `${r.description}：${reason}${r.level === 'advisory' ? '（原则性要求）' : ''}`,
    );
    return {
      rule: r.id,
      description: r.description,
      level: r.level,
      passed,
      reason,
      source: r.source,
    };
  });
  const priorities = prog.priorities
    .filter((p) => p.when.run(env) === true)
    .map((p) => {
      step(
        t,
        p.entry,
        { flags: input.flags, certificate: input.certificate ?? '无' },
        true,
        `同等条件下优先：${p.entry.rule.label}`,
      );
      return { rule: p.entry.rule.id, label: p.entry.rule.label, source: p.entry.rule.source };
    });
  const eligible = criteria.every((c) => c.passed || c.level === 'advisory');
  return { eligible, criteria, priorities };
};

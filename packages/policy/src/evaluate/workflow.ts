import * as z from 'zod';
import { type TWorkflowInput, ZWorkflowInput } from '../inputs.ts';
import type { TRuleEntry } from '../registry/pack-node.ts';
import { ZRatio } from '../schema/common.ts';
import type { TCitedRule, TWorkflowValue } from '../types.ts';
import { formatShare, type TRatio } from '../util/decimal.ts';
import {
  inputError,
  parseInput,
  resolvePost,
  single,
  type TCompileCtx,
  type TPostRef,
  type TRuleEntryOf,
} from './context.ts';
import type { TGradeProgram } from './grade.ts';
import { step, type TTraceSink } from './trace.ts';

type TWeighted = { name: string; weight: TRatio | null };

export type TWorkflowProgram = {
  ctx: TCompileCtx;
  grade: TGradeProgram;
  recruitment: { entry: TRuleEntryOf<'recruitment'>; reserveRatio: TRatio | null } | undefined;
  contracts: {
    entry: TRuleEntryOf<'contract'>;
    applies: (p: TPostRef) => boolean;
    years: number | null;
    noRenewalWhen: TRuleEntry[];
  }[];
  assessment:
    | {
        entry: TRuleEntryOf<'assessment'>;
        dimensions: TWeighted[];
        evaluators: TWeighted[];
        excellentShareMax: TRatio | null;
      }
    | undefined;
  secondmentLimits: { entry: TRuleEntry; maxMonths: number | null; maxCount: number | null }[];
  borrowing: TRuleEntryOf<'borrowing'>[];
  exitSituations: {
    entry: TRuleEntryOf<'exit-situations'>;
    label: string;
    evidence: TRuleEntry[];
    satisfactionBelow: TRatio | null;
    applies: (p: TPostRef) => boolean;
  }[];
  workItems: TRuleEntryOf<'work-items'> | undefined;
};

const cite = (e: TRuleEntry): TCitedRule => ({
  rule: e.rule.id,
  source: e.rule.source,
  description: e.rule.description,
});

/** Compiles what the workflows take from the pack; references to alert rules are checked here. */
export const compileWorkflow = (ctx: TCompileCtx, grade: TGradeProgram): TWorkflowProgram => {
  const alerts = new Map(ctx.rules('alert').map((e) => [e.rule.id, e as TRuleEntry]));
  const alertRef = (e: TRuleEntry, key: PropertyKey[], id: string): TRuleEntry => {
    const a = alerts.get(id);
    if (!a)
      throw ctx.fail(
        e,
        key,
        `引用的提醒规则「${id}」在 ${ctx.date} 不存在（可用：${[...alerts.keys()].join('、') || '无'}）`,
      );
    return a;
  };
  const weighted = (
    e: TRuleEntry,
    key: string,
    list: readonly { name: string; weight?: unknown }[],
  ): TWeighted[] =>
    list.map((x, i) => ({
      name: x.name,
      weight:
        x.weight === undefined
          ? null
          : ctx.ref(e, [key, i, 'weight'], x.weight as never, ZRatio, 'ratio'),
    }));

  const rec = single(ctx, ctx.rules('recruitment'), '招聘程序');
  const asm = single(ctx, ctx.rules('assessment'), '年度考核');
  return {
    ctx,
    grade,
    recruitment: rec && {
      entry: rec,
      reserveRatio: rec.rule.reservePool
        ? ctx.ref(rec, ['reservePool', 'ratio'], rec.rule.reservePool.ratio, ZRatio, 'ratio')
        : null,
    },
    contracts: ctx.rules('contract').map((e) => ({
      entry: e,
      applies: ctx.who(e, e.rule.who),
      years:
        e.rule.years === undefined
          ? null
          : ctx.ref(e, ['years'], e.rule.years, z.number().int().positive(), 'number'),
      noRenewalWhen: (e.rule.noRenewalWhen ?? []).map((id, i) =>
        alertRef(e, ['noRenewalWhen', i], id),
      ),
    })),
    assessment: asm && {
      entry: asm,
      dimensions: weighted(asm, 'dimensions', asm.rule.dimensions),
      evaluators: weighted(asm, 'evaluators', asm.rule.evaluators ?? []),
      excellentShareMax:
        asm.rule.excellentShareMax === undefined
          ? null
          : ctx.ref(asm, ['excellentShareMax'], asm.rule.excellentShareMax, ZRatio, 'ratio'),
    },
    secondmentLimits: ctx
      .rules('alert')
      .filter((e) => e.rule.check === 'secondment')
      .map((e) => {
        const r = e.rule as Extract<typeof e.rule, { check: 'secondment' }>;
        const num = (key: 'maxMonths' | 'maxCount') =>
          r[key] === undefined
            ? null
            : ctx.ref(e, [key], r[key], z.number().int().positive(), 'number');
        return { entry: e, maxMonths: num('maxMonths'), maxCount: num('maxCount') };
      })
      // A secondment alert without limits (e.g. only "须经批准") sets nothing to enforce.
      .filter((s) => s.maxMonths !== null || s.maxCount !== null),
    borrowing: ctx.rules('borrowing'),
    exitSituations: ctx.rules('exit-situations').flatMap((e) =>
      e.rule.situations.map((s, i) => ({
        entry: e,
        label: s.label,
        evidence: (s.evidence ?? []).map((id, j) =>
          alertRef(e, ['situations', i, 'evidence', j], id),
        ),
        satisfactionBelow:
          s.satisfactionBelow === undefined
            ? null
            : ctx.ref(
                e,
                ['situations', i, 'satisfactionBelow'],
                s.satisfactionBelow,
                ZRatio,
                'ratio',
              ),
        applies: ctx.who(e, s.who),
      })),
    ),
    workItems: single(ctx, ctx.rules('work-items'), '社区工作事项准入清单'),
  };
};

const weights = (list: TWeighted[]) =>
  list.map((d) => ({ name: d.name, weight: d.weight ? formatShare(d.weight) : null }));

/**
 * What the workflows take from the pack on the date: the recruitment procedure and reserve pool,
 * the probation and contract of a post, the assessment's dimensions, secondment limits, who may
 * borrow, the exit situations and the admission list of community work items.
 */
export const evaluateWorkflow = (
  prog: TWorkflowProgram,
  raw: unknown,
  t: TTraceSink,
): TWorkflowValue => {
  const input: TWorkflowInput = parseInput(ZWorkflowInput, raw);
  const post = input.post ? resolvePost(prog.ctx.pack, input.post) : null;
  const postText = post ? (post.title ? `${post.title}（${post.category}）` : post.category) : '';

  let recruitment: TWorkflowValue['recruitment'] = null;
  if (prog.recruitment) {
    const { entry, reserveRatio } = prog.recruitment;
    recruitment = {
      ...cite(entry),
      procedure: entry.rule.procedure ? [...entry.rule.procedure] : null,
      reservePool: reserveRatio
        ? { ratio: formatShare(reserveRatio), until: 'next-campaign' }
        : null,
    };
    step(
      t,
      entry,
      {},
      recruitment,
      `${entry.rule.procedure ? `招聘程序：${entry.rule.procedure.join('、')}` : '招聘'}${
        reserveRatio
          ? `；后备人才库不超过录用人数的${formatShare(reserveRatio)}，储备至下一次招聘公告发布`
          : ''
      }`,
    );
  }

  let probation: TWorkflowValue['probation'] = null;
  let contract: TWorkflowValue['contract'] = null;
  if (post) {
    const p = prog.grade.probation.find((x) => x.applies(post));
    if (p) {
      probation = { ...cite(p.entry), months: p.months };
      step(
        t,
        p.entry,
        { post: postText },
        { months: p.months },
        `${postText}试用期${p.months}个月`,
      );
    }
    const cs = prog.contracts.filter((c) => c.applies(post));
    if (cs.length > 1)
      throw inputError(
        'post',
        `规则「${cs[0]?.entry.rule.id}」与「${cs[1]?.entry.rule.id}」同时适用于${postText}，合同规则只能有一条`,
      );
    const c = cs[0];
    if (c) {
      const r = c.entry.rule;
      contract = {
        ...cite(c.entry),
        type: r.type ?? null,
        years: c.years,
        endsWithTerm: r.endsWithTerm,
        afterProbation: r.afterProbation,
        noRenewalWhen: c.noRenewalWhen.map(cite),
      };
      const what = [
        r.type ?? '劳动合同',
        c.years ? `每份${c.years}年` : '',
        r.endsWithTerm ? '期限与“两委”届期一致' : '',
        r.afterProbation ? '试用期结束后签订' : '',
        c.noRenewalWhen.length
          ? `${c.noRenewalWhen.map((a) => a.rule.description).join('；')}时不予续签`
          : '',
      ].filter(Boolean);
      step(t, c.entry, { post: postText }, contract, `${postText}：${what.join('，')}`);
    }
  }

  let assessment: TWorkflowValue['assessment'] = null;
  if (prog.assessment) {
    const a = prog.assessment;
    assessment = {
      ...cite(a.entry),
      dimensions: weights(a.dimensions),
      evaluators: weights(a.evaluators),
      detailsBy: a.entry.rule.detailsBy ?? null,
      excellentShareMax: a.excellentShareMax ? formatShare(a.excellentShareMax) : null,
      rewards: Object.entries(a.entry.rule.rewards ?? {}).map(([grade, reward]) => ({
        grade,
        reward: reward as string,
      })),
    };
    step(
      t,
      a.entry,
      {},
      assessment,
      `年度考核围绕${a.dimensions.map((d) => d.name).join('、')}${
        a.evaluators.length ? `，${a.evaluators.map((d) => d.name).join('与')}相结合` : ''
      }${a.excellentShareMax ? `，优秀不超过${formatShare(a.excellentShareMax)}` : ''}`,
    );
  }

  const secondmentLimits = prog.secondmentLimits.map((s) => {
    const v = { ...cite(s.entry), maxMonths: s.maxMonths, maxCount: s.maxCount };
    step(
      t,
      s.entry,
      {},
      { maxMonths: s.maxMonths, maxCount: s.maxCount },
      [
        s.maxMonths ? `每次不超过${s.maxMonths}个月` : '',
        s.maxCount ? `每人累计不超过${s.maxCount}次` : '',
      ]
        .filter(Boolean)
        .join('，') || s.entry.rule.description,
    );
    return v;
  });

  const borrowing = prog.borrowing.map((e) => {
    step(t, e, {}, { forbidden: e.rule.forbidden }, e.rule.description);
    return { ...cite(e), forbidden: [...e.rule.forbidden], approval: e.rule.approval ?? null };
  });

  const exitSituations = prog.exitSituations.map((s) => ({
    ...cite(s.entry),
    label: s.label,
    evidence: s.evidence.map(cite),
    satisfactionBelow: s.satisfactionBelow ? formatShare(s.satisfactionBelow) : null,
    applies: post ? s.applies(post) : true,
  }));
  const exitRules = [...new Set(prog.exitSituations.map((s) => s.entry))];
  for (const e of exitRules)
    step(
      t,
      e,
      {},
      exitSituations.filter((s) => s.rule === e.rule.id).map((s) => s.label),
      `${e.rule.description}：共${e.rule.situations.length}种情形`,
    );

  let workItems: TWorkflowValue['workItems'] = null;
  if (prog.workItems) {
    const e = prog.workItems;
    workItems = {
      ...cite(e),
      admission: e.rule.admission ?? null,
      items: e.rule.items.map((i) => ({
        no: i.no,
        category: i.category ?? null,
        departments: [...i.departments],
        name: i.name,
        content: i.content,
        note: i.note ?? null,
      })),
    };
    step(
      t,
      e,
      {},
      { items: e.rule.items.length },
      `${e.rule.description}：共${e.rule.items.length}项`,
    );
  }

  const value: TWorkflowValue = {
    post: post?.category ?? null,
    applicantFlags: prog.ctx.pack.flags.map((f) => ({ name: f.name, description: f.description })),
    recruitment,
    probation,
    contract,
    assessment,
    secondmentLimits,
    borrowing,
    exitSituations,
    workItems,
  };
  if (t && t.length === 0)
    step(
      t,
      { id: 'workflow', source: prog.ctx.pack.node.file.name },
      {},
      null,
      '本政策包没有流程规定',
    );
  return value;
};

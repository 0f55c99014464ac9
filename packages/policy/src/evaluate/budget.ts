import * as z from 'zod';
import { type TBudgetInput, ZBudgetInput } from '../inputs.ts';
import { ZRatio, ZYuan } from '../schema/common.ts';
import { PAY_ITEM, ZPeriod } from '../schema/pack-schema.ts';
import type { TBudgetItemValue, TBudgetShareValue, TBudgetValue } from '../types.ts';
import {
  compareRatios,
  formatFen,
  formatShare,
  mulRatio,
  ratio,
  type TRatio,
  type TRounding,
} from '../util/decimal.ts';
import { parseInput, type TCompileCtx, type TRuleEntryOf } from './context.ts';
import { step, type TTraceSink } from './trace.ts';

type TItem = {
  entry: TRuleEntryOf<'budget-item'>;
  name: string;
  basis: 'person' | 'pay';
  amountFen: number | null;
  rate: TRatio | null;
  period: 'month' | 'year';
  bound: 'exact' | 'min' | 'max';
  rounding: TRounding;
};

type TShares = { payer: string; share: TRatio }[];

type TSharing = {
  entry: TRuleEntryOf<'cost-sharing'>;
  items: readonly string[];
  table: Map<string, TShares>;
  fallback: TShares | null;
};

export type TBudgetProgram = { ctx: TCompileCtx; items: TItem[]; sharing: TSharing[] };

const ZItems = z.array(z.string().min(1)).min(1);
const ONE = ratio(1);

/** Compiles budget items and cost-sharing rules; shares must add up to 100% per district. */
export const compileBudget = (ctx: TCompileCtx): TBudgetProgram => {
  const items: TItem[] = ctx.rules('budget-item').map((e) => {
    const r = e.rule;
    if (r.name === PAY_ITEM)
      throw ctx.fail(e, ['name'], `「${PAY_ITEM}」由薪酬计算给出，不能作为预算项目`);
    if (r.basis === 'person' && r.amount === undefined)
      throw ctx.fail(e, ['amount'], '按人计算的预算项目需要 amount（元/人）');
    if (r.basis === 'pay' && r.rate === undefined)
      throw ctx.fail(e, ['rate'], '按薪酬计算的预算项目需要 rate（比例）');
    return {
      entry: e,
      name: r.name,
      basis: r.basis,
      amountFen: r.amount === undefined ? null : ctx.ref(e, ['amount'], r.amount, ZYuan, 'money'),
      rate: r.rate === undefined ? null : ctx.ref(e, ['rate'], r.rate, ZRatio, 'ratio'),
      period: ctx.ref(e, ['period'], r.period, ZPeriod, null),
      bound: r.bound,
      rounding: r.rounding,
    };
  });
  const seen = new Map<string, string>();
  for (const it of items) {
    const other = seen.get(it.name);
    if (other)
      throw ctx.fail(
        it.entry,
        ['name'],
        `与规则「${other}」同时生效，预算项目「${it.name}」只能有一条规则`,
      );
    seen.set(it.name, it.entry.rule.id);
  }
  const shares = (
    e: TRuleEntryOf<'cost-sharing'>,
    key: PropertyKey[],
    row: Record<string, unknown>,
  ) => {
    const list: TShares = Object.entries(row).map(([payer, v]) => ({
      payer,
      share: ctx.ref(e, [...key, payer], v as never, ZRatio, 'ratio'),
    }));
    const sum = list.reduce(
      (s, p) => ratio(s.num * p.share.den + p.share.num * s.den, s.den * p.share.den),
      ratio(0),
    );
    if (compareRatios(sum, ONE) !== 0)
      throw ctx.fail(e, key, `各方分担比例合计应为100%，实际为${formatShare(sum)}`);
    return list;
  };
  const owner = new Map<string, string>();
  const sharing: TSharing[] = ctx.rules('cost-sharing').map((e) => {
    const r = e.rule;
    const itemNames = ctx.ref(e, ['items'], r.items, ZItems, null);
    for (const name of itemNames) {
      const other = owner.get(name);
      if (other)
        throw ctx.fail(
          e,
          ['items'],
          `与规则「${other}」同时生效，「${name}」的经费分担只能有一条规则`,
        );
      owner.set(name, r.id);
    }
    if (!r.table && !r.default) throw ctx.fail(e, ['table'], '需要 table 或 default');
    const table = new Map<string, TShares>();
    for (const [district, row] of Object.entries(r.table ?? {})) {
      table.set(district, shares(e, ['table', district], row));
    }
    return {
      entry: e,
      items: itemNames,
      table,
      fallback: r.default ? shares(e, ['default'], r.default) : null,
    };
  });
  return { ctx, items, sharing };
};

const BOUND_WORD = { exact: '', min: '（不少于）', max: '（不超过）' } as const;

/** Splits an amount by exact shares; the last payer takes the rounding remainder. */
const split = (amountFen: number, shares: TShares) => {
  let left = amountFen;
  return shares.map((s, i) => {
    const part = i === shares.length - 1 ? left : mulRatio(amountFen, s.share, 'half-up');
    left -= part;
    return { payer: s.payer, share: formatShare(s.share), amountFen: part };
  });
};

/**
 * The annual cost of a district's workers: pay (given), the pack's budget items (per person or
 * as a share of pay), and each item split among its payers by the pack's cost-sharing rules.
 */
export const evaluateBudget = (prog: TBudgetProgram, raw: unknown, t: TTraceSink): TBudgetValue => {
  const input: TBudgetInput = parseInput(ZBudgetInput, raw);
  const packName = prog.ctx.pack.node.file.name;
  const items: TBudgetItemValue[] = [
    {
      name: PAY_ITEM,
      rule: null,
      basis: 'input',
      bound: 'exact',
      amountFen: input.payFen,
      source: '输入',
    },
  ];
  step(
    t,
    { id: 'input', source: '输入' },
    { payFen: input.payFen, headcount: input.headcount },
    input.payFen,
    `${input.headcount}人年度薪酬合计${formatFen(input.payFen)}`,
  );
  for (const [name, amountFen] of Object.entries(input.items ?? {})) {
    items.push({ name, rule: null, basis: 'input', bound: 'exact', amountFen, source: '输入' });
  }
  for (const it of prog.items) {
    let amountFen: number;
    let note: string;
    if (it.basis === 'person') {
      const per = (it.amountFen ?? 0) * (it.period === 'month' ? 12 : 1);
      amountFen = per * input.headcount;
      note = `${it.name}${BOUND_WORD[it.bound]}每人每${it.period === 'month' ? '月' : '年'}${formatFen(it.amountFen ?? 0)}，${input.headcount}人合计${formatFen(amountFen)}`;
    } else {
      const rate = it.rate ?? ratio(0);
      amountFen = mulRatio(input.payFen, rate, it.rounding);
      note = `${it.name}${BOUND_WORD[it.bound]}按薪酬的${formatShare(rate)}计，${formatFen(amountFen)}`;
    }
    step(t, it.entry, { headcount: input.headcount, payFen: input.payFen }, amountFen, note);
    items.push({
      name: it.name,
      rule: it.entry.rule.id,
      basis: it.basis,
      bound: it.bound,
      amountFen,
      source: it.entry.rule.source,
    });
  }
  const sharing: TBudgetShareValue[] = [];
  const byPayer = new Map<string, number>();
  const unshared: string[] = [];
  for (const item of items) {
    const rule = prog.sharing.find((s) => s.items.includes(item.name));
    const shares = rule
      ? ((input.district ? rule.table.get(input.district) : undefined) ?? rule.fallback)
      : null;
    if (!rule || !shares) {
      unshared.push(item.name);
      step(
        t,
        rule?.entry ?? { id: 'cost-sharing', source: packName },
        { item: item.name, district: input.district ?? null },
        null,
        rule
          ? `「${item.name}」：本政策包未规定${input.district ?? '该地'}的分担比例`
          : `「${item.name}」：本政策包未规定经费分担`,
      );
      sharing.push({
        item: item.name,
        rule: rule?.entry.rule.id ?? null,
        source: rule?.entry.rule.source ?? '',
        payers: [],
      });
      continue;
    }
    const payers = split(item.amountFen, shares);
    for (const p of payers) byPayer.set(p.payer, (byPayer.get(p.payer) ?? 0) + p.amountFen);
    step(
      t,
      rule.entry,
      { item: item.name, district: input.district ?? null, amountFen: item.amountFen },
      payers,
      `「${item.name}」${formatFen(item.amountFen)}：${payers.map((p) => `${p.payer}${p.share}（${formatFen(p.amountFen)}）`).join('，')}`,
    );
    sharing.push({
      item: item.name,
      rule: rule.entry.rule.id,
      source: rule.entry.rule.source,
      payers,
    });
  }
  return {
    district: input.district ?? null,
    items,
    totalFen: items.reduce((s, i) => s + i.amountFen, 0),
    sharing,
    byPayer: [...byPayer].map(([payer, amountFen]) => ({ payer, amountFen })),
    unshared,
  };
};

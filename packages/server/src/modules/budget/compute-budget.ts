import { parseRatio, type TPolicyRegistry } from '@shegong/policy';
import {
  AppError,
  type TBudgetAssumptions,
  type TBudgetCounty,
  type TBudgetView,
  yuanText,
  ZBudgetAssumptions,
} from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import type { TJobReporter } from '../../jobs/jobs.ts';
import { effectivePackIds, findOrgInScope } from '../org/org.repo.ts';
import { finalReport } from '../pay/final-report.ts';
import { computeYearPay, type TYearPay } from './year-pay.ts';

// 经费测算: a year of pay per county (batch engine), the pack's budget items (培训经费 per person,
// 疗休养), assumptions the documents do not give (employer social insurance and housing fund
// rates) labelled as such, and every item split by the pack's cost-sharing rule.

export const SOCIAL_INSURANCE = '社会保险';
export const HOUSING_FUND = '住房公积金';

/** Fen × a percentage written as text ("16%"), rounded half up, exactly. */
const share = (fen: number, rate: string): number => {
  const r = parseRatio(rate);
  if (!r) throw new AppError('VALIDATION_FAILED', `费率「${rate}」无法识别`);
  const num = BigInt(fen) * BigInt(r.num) * 2n + BigInt(r.den);
  return Number(num / (2n * BigInt(r.den)));
};

export const describeAssumptions = (a: TBudgetAssumptions): string[] => [
  ...(a.socialInsuranceRate
    ? [`单位缴纳社会保险按薪酬的${a.socialInsuranceRate}测算（文件未规定费率，为测算假设）`]
    : ['单位缴纳社会保险未计入：文件未规定费率，可在测算假设中填写']),
  ...(a.housingFundRate
    ? [`住房公积金按薪酬的${a.housingFundRate}测算（文件未规定比例，为测算假设）`]
    : ['住房公积金未计入：文件未规定缴存比例，可在测算假设中填写']),
  ...Object.entries(a.statistics ?? {}).map(
    ([name, fen]) => `统计数据「${name}」按${yuanText(fen)}测算（测算假设）`,
  ),
];

/**
 * The budget view of a year's pay: per county the pack's budget evaluation (items and cost
 * shares), summed for the node.
 */
export const budgetViewOf = async (
  ctx: TCtx,
  node: { code: string; name: string },
  year: number,
  yp: TYearPay,
  policies: TPolicyRegistry,
  remap: ((packId: string) => string) | undefined,
  assumptions: TBudgetAssumptions,
): Promise<TBudgetView> => {
  const db = ctx.services.database.db;
  const packs = await effectivePackIds(db, [...yp.countyPaths.values()]);
  const onDate = `${year}-07-01`;
  const notes: string[] = [];
  const counties: TBudgetCounty[] = [];
  for (const c of [...yp.counties.values()].sort((a, b) =>
    a.countyCode < b.countyCode ? -1 : 1,
  )) {
    const original = packs.get(yp.countyPaths.get(c.countyCode) ?? '') ?? null;
    const packId = original && remap ? remap(original) : original;
    const extra: Record<string, number> = {};
    if (assumptions.socialInsuranceRate)
      extra[SOCIAL_INSURANCE] = share(c.payFen, assumptions.socialInsuranceRate);
    if (assumptions.housingFundRate)
      extra[HOUSING_FUND] = share(c.payFen, assumptions.housingFundRate);
    const row: TBudgetCounty = {
      countyCode: c.countyCode,
      countyName: c.countyName,
      packId: original,
      headcount: c.headcount,
      openCount: c.openCount,
      openReasons: [...c.openReasons]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([r, n]) => `${r}（${n}人）`),
      baseFen: c.baseFen,
      performanceFen: c.performanceFen,
      allowancesFen: c.allowancesFen,
      annualFen: c.annualFen,
      payFen: c.payFen,
      items: [],
      totalFen: c.payFen + Object.values(extra).reduce((s, v) => s + v, 0),
      byPayer: [],
      unshared: [],
    };
    try {
      if (!packId || !policies.has(packId)) throw new Error(`${c.countyName}未设置适用的政策包`);
      const b = policies.at(packId, onDate).budget({
        district: c.countyName,
        headcount: c.headcount,
        payFen: c.payFen,
        items: extra,
      }).value;
      row.items = b.items.map((i) => ({
        name: i.name,
        basis: i.basis,
        bound: i.bound,
        amountFen: i.amountFen,
        source: i.source,
        assumed: i.name in extra,
      }));
      row.totalFen = b.totalFen;
      row.byPayer = b.byPayer;
      row.unshared = b.unshared;
    } catch (error) {
      notes.push(`${c.countyName}：${error instanceof Error ? error.message : String(error)}`);
      row.items = [
        {
          name: '薪酬',
          basis: 'input',
          bound: 'exact',
          amountFen: c.payFen,
          source: '',
          assumed: false,
        },
        ...Object.entries(extra).map(([name, amountFen]) => ({
          name,
          basis: 'input' as const,
          bound: 'exact' as const,
          amountFen,
          source: '',
          assumed: true,
        })),
      ];
      row.unshared = row.items.map((i) => i.name);
    }
    counties.push(row);
  }
  const byPayer = new Map<string, number>();
  for (const c of counties)
    for (const p of c.byPayer) byPayer.set(p.payer, (byPayer.get(p.payer) ?? 0) + p.amountFen);
  const open = counties.reduce((s, c) => s + c.openCount, 0);
  if (open > 0)
    notes.push(`${open}名工作者的薪酬政策包无法核定（未核定），未计入金额，原因见各县明细`);
  return {
    year: String(year),
    orgCode: node.code,
    orgName: node.name,
    counties,
    totalFen: counties.reduce((s, c) => s + c.totalFen, 0),
    byPayer: [...byPayer].map(([payer, amountFen]) => ({ payer, amountFen })),
    assumptions: describeAssumptions(assumptions),
    notes,
  };
};

/** 年度经费测算 of the workforce under a node with the loaded packs. */
export const computeBudget = async (
  ctx: TCtx,
  input: { org: string; year: number } & TBudgetAssumptions,
  report?: TJobReporter,
) => {
  const assumptions = ZBudgetAssumptions.parse(input);
  const node = await findOrgInScope(ctx.services.database.db, ctx.actor.scope, input.org);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${input.org} 不存在`);
  const yp = await computeYearPay(ctx, node.path, input.year, {
    policies: ctx.services.policies,
    ...(assumptions.statistics ? { statistics: assumptions.statistics } : {}),
    ...(report ? { report } : {}),
  });
  const view = await budgetViewOf(
    ctx,
    node,
    input.year,
    yp,
    ctx.services.policies,
    undefined,
    assumptions,
  );
  if (report) await finalReport(report, 100, 100, '完成');
  return { view, yp };
};

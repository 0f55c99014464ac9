import type { TPolicyRegistry } from '@shegong/policy';
import {
  AppError,
  type TBudgetAssumptions,
  type TWhatIfRequest,
  type TWhatIfView,
  ZBudgetAssumptions,
  ZWhatIfRequest,
} from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import type { TJobReporter } from '../../jobs/jobs.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { finalReport } from '../pay/final-report.ts';
import { computeCommunityFigures, countyNamesUnder } from '../quota/get-quota-view.ts';
import { budgetViewOf } from './compute-budget.ts';
import { computeYearPay, type TYearPay } from './year-pay.ts';

// 测算 (what-if): a draft of a pack — an edited copy with a new base amount, another table or
// quota formula — evaluated against the real workforce beside the pack as it stands: total and
// county cost, how many workers' pay rises or falls and by how much, and quota changes.

export type TWhatIfDraft = {
  registry: TPolicyRegistry;
  packId: string;
  draftId: string;
  draftName: string;
  edits: string[];
};

/** Builds the draft registry (the engine checks the edits and names what is wrong). */
export const prepareWhatIf = (ctx: TCtx, raw: TWhatIfRequest): TWhatIfDraft => {
  const req = ZWhatIfRequest.parse(raw);
  const { policies } = ctx.services;
  if (!policies.has(req.packId)) throw new AppError('NOT_FOUND', `政策包 ${req.packId} 不存在`);
  const from = req.from ?? `${req.year}-01-01`;
  const current = policies.describe(req.packId, from);
  const draftId = `${req.packId}-what-if`;
  const draftName = `${current.name}（测算草稿）`;
  const edits: string[] = [];
  const parameters: Record<string, { value: number | string | boolean; from: string }> = {};
  for (const [name, value] of Object.entries(req.parameters ?? {})) {
    const p = current.parameters.find((x) => x.name === name);
    if (!p)
      throw new AppError('VALIDATION_FAILED', `政策包没有参数「${name}」`, {
        where: { field: `parameters.${name}` },
      });
    parameters[name] = { value, from };
    edits.push(`${p.description}（${name}）：${p.value ?? '—'} → ${value}${p.unit}，自${from}起`);
  }
  const options: Record<string, { chosen: string; reason: string }> = {};
  for (const [name, chosen] of Object.entries(req.options ?? {})) {
    const o = current.options.find((x) => x.name === name);
    if (!o)
      throw new AppError('VALIDATION_FAILED', `政策包没有选项「${name}」`, {
        where: { field: `options.${name}` },
      });
    options[name] = { chosen, reason: '测算：改用另一种理解' };
    edits.push(`${o.description}：${o.chosen} → ${chosen}`);
  }
  for (const r of req.rules ?? []) {
    edits.push(`规则「${String(r.id ?? '')}」：${String(r.description ?? '按草稿替换')}`);
  }
  if (edits.length === 0) throw new AppError('VALIDATION_FAILED', '请至少修改一个参数、选项或规则');
  const registry = policies.draft(req.packId, {
    id: draftId,
    name: draftName,
    parameters,
    options,
    rules: req.rules ?? [],
  });
  return { registry, packId: req.packId, draftId, draftName, edits };
};

const BANDS: { label: string; test: (yuan: number) => boolean }[] = [
  { label: '月薪减少', test: (y) => y < 0 },
  { label: '月薪不变', test: (y) => y === 0 },
  { label: '月增100元以内', test: (y) => y > 0 && y <= 100 },
  { label: '月增100–300元', test: (y) => y > 100 && y <= 300 },
  { label: '月增300–500元', test: (y) => y > 300 && y <= 500 },
  { label: '月增500–1000元', test: (y) => y > 500 && y <= 1000 },
  { label: '月增1000元以上', test: (y) => y > 1000 },
];

export type TWorkerDiff = {
  workerId: string;
  name: string;
  countyName: string;
  beforeFen: number;
  afterFen: number;
  diffFen: number;
};

/** Per-worker differences of the year's pay, draft against current. */
export const workerDiffs = (current: TYearPay, draft: TYearPay): TWorkerDiff[] =>
  [...current.workers].map(([workerId, c]) => {
    const d = draft.workers.get(workerId);
    const countyName = current.counties.get(c.countyCode)?.countyName ?? c.countyCode;
    return {
      workerId,
      name: c.name,
      countyName,
      beforeFen: c.payFen,
      afterFen: d?.payFen ?? 0,
      diffFen: (d?.payFen ?? 0) - c.payFen,
    };
  });

/** Runs a what-if over the workforce under a node for a year (two passes of the batch engine). */
export const computeWhatIf = async (
  ctx: TCtx,
  raw: TWhatIfRequest,
  report?: TJobReporter,
): Promise<{ view: TWhatIfView; diffs: TWorkerDiff[] }> => {
  const req = ZWhatIfRequest.parse(raw);
  const assumptions: TBudgetAssumptions = ZBudgetAssumptions.parse(req);
  const draft = prepareWhatIf(ctx, raw);
  const db = ctx.services.database.db;
  const node = await findOrgInScope(db, ctx.actor.scope, req.org);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${req.org} 不存在`);
  const remap = (id: string) => (id === draft.packId ? draft.draftId : id);
  const common = {
    ...(assumptions.statistics ? { statistics: assumptions.statistics } : {}),
    ...(report ? { report } : {}),
  };
  const current = await computeYearPay(ctx, node.path, req.year, {
    policies: ctx.services.policies,
    ...common,
    progress: { offset: 0, scale: 0.45 },
  });
  const changed = await computeYearPay(ctx, node.path, req.year, {
    policies: draft.registry,
    remap,
    ...common,
    progress: { offset: 45, scale: 0.45 },
  });
  const currentView = await budgetViewOf(
    ctx,
    node,
    req.year,
    current,
    ctx.services.policies,
    undefined,
    assumptions,
  );
  const draftView = await budgetViewOf(
    ctx,
    node,
    req.year,
    changed,
    draft.registry,
    remap,
    assumptions,
  );
  const diffs = workerDiffs(current, changed);
  const monthlyDiff = (id: string) =>
    ((changed.workers.get(id)?.monthlyFen ?? 0) - (current.workers.get(id)?.monthlyFen ?? 0)) / 100;
  // Quotas on 1 July under both: the draft may replace a quota line.
  const onDate = `${req.year}-07-01`;
  const names = await countyNamesUnder(ctx, node.path);
  const before = await computeCommunityFigures(ctx, node.path, onDate, names);
  const after = await computeCommunityFigures(ctx, node.path, onDate, names, {
    policies: draft.registry,
    remap,
  });
  const quotaOf = (figures: typeof before.figures) => {
    const m = new Map<string, { min: number; max: number | null } | null>();
    for (const f of figures) {
      const code = f.row.countyCode ?? '';
      const prev = m.get(code) ?? null;
      if ('note' in f.quota) {
        if (!m.has(code)) m.set(code, null);
        continue;
      }
      m.set(code, {
        min: (prev?.min ?? 0) + f.quota.min,
        max:
          prev && prev.max === null
            ? null
            : f.quota.max === null
              ? null
              : (prev?.max ?? 0) + f.quota.max,
      });
    }
    return m;
  };
  const qb = quotaOf(before.figures);
  const qa = quotaOf(after.figures);
  if (report) await finalReport(report, 100, 100, '完成');
  return {
    diffs,
    view: {
      year: String(req.year),
      packId: req.packId,
      draftName: draft.draftName,
      edits: draft.edits,
      current: currentView,
      draft: draftView,
      raised: diffs.filter((d) => d.diffFen > 0).length,
      lowered: diffs.filter((d) => d.diffFen < 0).length,
      unchanged: diffs.filter((d) => d.diffFen === 0).length,
      diffFen: diffs.reduce((s, d) => s + d.diffFen, 0),
      diffBands: BANDS.map((b) => ({
        label: b.label,
        count: diffs.filter((d) => b.test(monthlyDiff(d.workerId))).length,
      })),
      largest: [...diffs]
        .filter((d) => d.diffFen !== 0)
        .sort((a, b) => Math.abs(b.diffFen) - Math.abs(a.diffFen))
        .slice(0, 10),
      quota: [...new Set([...qb.keys(), ...qa.keys()])].sort().map((code) => ({
        countyCode: code,
        countyName: names.get(code) ?? code,
        current: qb.get(code) ?? null,
        draft: qa.get(code) ?? null,
      })),
    },
  };
};

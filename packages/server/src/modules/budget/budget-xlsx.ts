import type { Writable } from 'node:stream';
import type { TBudgetView, TWhatIfView } from '@shegong/shared';
import { createTableWriter, type TTableColumn, type TTableWriter } from '../excel/table-writer.ts';
import type { TWorkerDiff } from './what-if.ts';

// Budget and what-if workbooks: money in 元 from integer fen, assumptions written beside the
// figures they produce.

const COUNTY: TTableColumn[] = [
  { header: '县（市、区）', type: 'text', width: 14 },
  { header: '政策包', type: 'text', width: 16 },
  { header: '人数', type: 'int' },
  { header: '未核定人数', type: 'int' },
  { header: '基本薪酬', type: 'money', width: 14 },
  { header: '绩效（按月）', type: 'money', width: 14 },
  { header: '津贴', type: 'money', width: 14 },
  { header: '按年发放项目', type: 'money', width: 14 },
  { header: '薪酬合计', type: 'money', width: 14 },
  { header: '经费合计', type: 'money', width: 14 },
  { header: '说明', type: 'text', width: 40 },
];

const ITEM: TTableColumn[] = [
  { header: '县（市、区）', type: 'text', width: 14 },
  { header: '项目', type: 'text', width: 16 },
  { header: '金额', type: 'money', width: 14 },
  { header: '口径', type: 'text', width: 16 },
  { header: '依据', type: 'text', width: 22 },
];

const PAYER: TTableColumn[] = [
  { header: '县（市、区）', type: 'text', width: 14 },
  { header: '承担方', type: 'text', width: 16 },
  { header: '金额', type: 'money', width: 14 },
];

const BOUND = { exact: '', min: '下限（不少于）', max: '上限（不超过）' } as const;

const writeBudget = (w: TTableWriter, v: TBudgetView) => {
  for (const c of v.counties) {
    w.addRow([
      c.countyName,
      c.packId,
      c.headcount,
      c.openCount,
      c.baseFen,
      c.performanceFen,
      c.allowancesFen,
      c.annualFen,
      c.payFen,
      c.totalFen,
      c.openReasons.join('；') || null,
    ]);
  }
  w.addRow([
    `合计（${v.orgName} ${v.year}年）`,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    v.totalFen,
    v.assumptions.join('；'),
  ]);
  w.addSheet('经费项目', ITEM);
  for (const c of v.counties) {
    for (const i of c.items) {
      w.addRow([
        c.countyName,
        i.name,
        i.amountFen,
        `${BOUND[i.bound]}${i.assumed ? '测算假设' : ''}`,
        i.source,
      ]);
    }
  }
  w.addSheet('经费分担', PAYER);
  for (const c of v.counties) {
    for (const p of c.byPayer) w.addRow([c.countyName, p.payer, p.amountFen]);
    if (c.unshared.length) w.addRow([c.countyName, `未规定分担：${c.unshared.join('、')}`, null]);
  }
};

/** 年度经费测算 workbook. */
export const writeBudgetWorkbook = async (out: Writable, v: TBudgetView) => {
  const w = createTableWriter(out, 'xlsx', '经费测算', COUNTY);
  writeBudget(w, v);
  await w.finish();
  return { rows: w.rows() };
};

const COMPARE: TTableColumn[] = [
  { header: '县（市、区）', type: 'text', width: 14 },
  { header: '现行薪酬合计', type: 'money', width: 14 },
  { header: '测算薪酬合计', type: 'money', width: 14 },
  { header: '薪酬差额', type: 'money', width: 14 },
  { header: '现行经费合计', type: 'money', width: 14 },
  { header: '测算经费合计', type: 'money', width: 14 },
  { header: '现行核定职数', type: 'text', width: 12 },
  { header: '测算核定职数', type: 'text', width: 12 },
];

const PERSON: TTableColumn[] = [
  { header: '县（市、区）', type: 'text', width: 14 },
  { header: '姓名', type: 'text' },
  { header: '现行年薪酬', type: 'money', width: 14 },
  { header: '测算年薪酬', type: 'money', width: 14 },
  { header: '差额', type: 'money', width: 14 },
];

const range = (r: { min: number; max: number | null } | null | undefined) =>
  r
    ? r.max === null
      ? `${r.min}以上`
      : r.min === r.max
        ? String(r.min)
        : `${r.min}–${r.max}`
    : '未核定';

/** 测算对比 workbook: by county, every worker whose pay changes, the edits and assumptions. */
export const writeWhatIfWorkbook = async (
  out: Writable,
  v: TWhatIfView,
  diffs: readonly TWorkerDiff[],
) => {
  const w = createTableWriter(out, 'xlsx', '测算对比', COMPARE);
  for (const c of v.current.counties) {
    const d = v.draft.counties.find((x) => x.countyCode === c.countyCode);
    const q = v.quota.find((x) => x.countyCode === c.countyCode);
    w.addRow([
      c.countyName,
      c.payFen,
      d?.payFen ?? null,
      (d?.payFen ?? 0) - c.payFen,
      c.totalFen,
      d?.totalFen ?? null,
      range(q?.current),
      range(q?.draft),
    ]);
  }
  w.addRow(['合计', null, null, v.diffFen, v.current.totalFen, v.draft.totalFen, null, null]);
  w.addRow([`修改：${v.edits.join('；')}`, null, null, null, null, null, null, null]);
  w.addRow([
    `测算假设：${v.current.assumptions.join('；')}`,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
  ]);
  w.addSheet('个人差异', PERSON);
  for (const d of diffs) {
    if (d.diffFen !== 0) w.addRow([d.countyName, d.name, d.beforeFen, d.afterFen, d.diffFen]);
  }
  await w.finish();
  return { rows: w.rows() };
};

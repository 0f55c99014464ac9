import { PassThrough } from 'node:stream';
import { AppError, PAY_RUN_STATUS_LABELS, type TExportFormat } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { createTableWriter, type TTableColumn } from '../excel/table-writer.ts';
import { findRunInScope, listLines } from './pay.repo.ts';

const REGULAR: TTableColumn[] = [
  { header: '姓名', type: 'text', width: 10 },
  { header: '社区', type: 'text', width: 14 },
  { header: '职务', type: 'text', width: 12 },
  { header: '岗位类别', type: 'text', width: 10 },
  { header: '工作年限', type: 'int' },
  { header: '岗位等级', type: 'int' },
  { header: '等级系数', type: 'text' },
  { header: '试用期', type: 'bool' },
  { header: '基本薪酬', type: 'money', width: 12 },
  { header: '绩效薪酬（月）', type: 'money', width: 12 },
  { header: '津贴（月）', type: 'money', width: 12 },
  { header: '一次性奖励', type: 'money', width: 12 },
  { header: '月标准合计', type: 'money', width: 12 },
  { header: '在岗天数', type: 'int' },
  { header: '当月天数', type: 'int' },
  { header: '本月应发', type: 'money', width: 12 },
  { header: '按年发放项目（年）', type: 'money', width: 14 },
  { header: '政策包', type: 'text', width: 16 },
  { header: '说明', type: 'text', width: 40 },
];

const ARREARS: TTableColumn[] = [
  { header: '姓名', type: 'text', width: 10 },
  { header: '社区', type: 'text', width: 14 },
  { header: '所属月份', type: 'text', width: 10 },
  { header: '岗位等级', type: 'int' },
  { header: '等级系数', type: 'text' },
  { header: '补发（扣回）金额', type: 'money', width: 14 },
  { header: '政策包', type: 'text', width: 16 },
  { header: '说明', type: 'text', width: 50 },
];

/**
 * 工资发放表 of a street and month: one row per worker (未核定 rows name the reason), the
 * arrears lines on a second sheet, and a total row. Money is written in 元 from integer fen.
 */
export const exportPaySheet = async (
  ctx: TCtx,
  runId: string,
  format: TExportFormat = 'xlsx',
): Promise<{ buffer: Buffer; fileName: string }> => {
  const run = await findRunInScope(ctx.db, ctx.actor.scope, runId);
  if (!run) throw new AppError('NOT_FOUND', '工资表不存在');
  if (run.version === 0) throw new AppError('CONFLICT', '工资表尚未计算');
  const lines = await listLines(ctx.db, runId);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => out.on('end', resolve));
  const writer = createTableWriter(out, format, '工资发放表', REGULAR);
  let sum = 0;
  for (const l of lines.filter((x) => x.kind === 'regular')) {
    sum += l.payableFen ?? 0;
    writer.addRow([
      l.name,
      l.communityName,
      l.title,
      l.post,
      l.years,
      l.grade,
      l.coefficient,
      l.probation,
      l.baseFen,
      l.performanceFen,
      l.allowancesFen,
      l.oneOffFen,
      l.monthlyFen,
      l.paidDays,
      l.monthDays,
      l.payableFen,
      l.annualFen || null,
      l.packId,
      l.status === 'open' ? `未核定：${l.reason ?? ''}` : null,
    ]);
  }
  writer.addRow([
    `合计（${run.streetName} ${run.month}，${PAY_RUN_STATUS_LABELS[run.status]}）`,
    ...Array(14).fill(null),
    sum,
    null,
    null,
    null,
  ]);
  const arrears = lines.filter((x) => x.kind === 'arrears');
  if (arrears.length > 0 && format === 'xlsx') {
    writer.addSheet('补发扣回', ARREARS);
    for (const l of arrears) {
      writer.addRow([
        l.name,
        l.communityName,
        l.forMonth,
        l.grade,
        l.coefficient,
        l.payableFen,
        l.packId,
        l.reason,
      ]);
    }
  }
  await writer.finish();
  out.end();
  await done;
  return {
    buffer: Buffer.concat(chunks),
    fileName: `${run.streetName}-${run.month}-工资发放表.${format}`,
  };
};

import {
  ORG_LEVEL_LABELS,
  STAT_STRUCTURES,
  statTable,
  type TStatsDashboard,
  type TStatTable,
  type TStatTableData,
} from '@shegong/shared';
import ExcelJS from 'exceljs';

// Statistics as .xlsx: one table of the dashboard, or the periodic report of a node and its
// children (报表) that a street or county sends up the hierarchy. The rows are those of
// `statTable`, the same the page shows.

const HEADER_FILL: ExcelJS.Fill = {
  type: 'pattern',
  pattern: 'solid',
  fgColor: { argb: 'FFDCE6F1' },
};
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const NUM_FMT = { count: '#,##0', percent: '0.0%', number: '#,##0.0', text: '@' } as const;

const widthOf = (kind: string, title: string) =>
  Math.max(kind === 'text' ? 16 : 10, [...title].length * 2 + 2);

/** Writes a table at the current end of the sheet: a bold bordered header, then the rows. */
const writeTable = (
  ws: ExcelJS.Worksheet,
  table: TStatTableData,
  options: { caption?: string },
) => {
  if (options.caption) {
    const caption = ws.addRow([options.caption]);
    caption.font = { bold: true, size: 12 };
  }
  const header = ws.addRow(table.columns.map((c) => c.title));
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = THIN;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  table.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = Math.max(col.width ?? 0, widthOf(c.kind, c.title));
  });
  for (const row of table.rows) {
    const r = ws.addRow(table.columns.map((c) => row[c.key] ?? null));
    table.columns.forEach((c, i) => {
      const cell = r.getCell(i + 1);
      cell.border = THIN;
      if (c.kind !== 'text') cell.numFmt = NUM_FMT[c.kind];
    });
    if (row.label === '合计' || row.name === '合计') r.font = { bold: true };
  }
  return header.number;
};

const buffer = async (wb: ExcelJS.Workbook) => Buffer.from(await wb.xlsx.writeBuffer());

const newWorkbook = () => {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'shegong';
  wb.created = new Date();
  return wb;
};

/** One table of the dashboard as a workbook of one sheet, header frozen. */
export const tableWorkbook = async (d: TStatsDashboard, key: TStatTable): Promise<Buffer> => {
  const table = statTable(d, key);
  const wb = newWorkbook();
  const ws = wb.addWorksheet(table.title.slice(0, 31));
  const headerRow = writeTable(ws, table, {});
  ws.views = [{ state: 'frozen', ySplit: headerRow }];
  const note = ws.addRow([]);
  note.getCell(1).value = `${d.node.name}（${d.node.code}） 统计时点 ${d.asOf}`;
  note.getCell(1).font = { italic: true, color: { argb: 'FF666666' } };
  return buffer(wb);
};

/** The sum row of the children table: counts added up, shares from the parent's own figures. */
const childrenWithTotal = (d: TStatsDashboard): TStatTableData => {
  const table = statTable(d, 'children');
  const own = {
    name: '合计',
    code: d.node.code,
    headcount: d.headcount,
    perTenThousand: d.density.perTenThousand,
    quotaFill: d.quota?.fill ?? null,
    collegeShare: share(d, 'education', ['大专', '本科', '硕士', '博士']),
    certifiedShare: d.headcount > 0 ? 1 - count(d, 'certificate', ['无']) / d.headcount : null,
    socialWorkers: count(d, 'certificate', ['社会工作师', '高级社会工作师']),
    localShare: share(d, 'local', ['是']),
    partyShare: share(d, 'political', ['中共党员', '中共预备党员']),
    averageAge: d.averageAge,
    joined: d.trend.at(-1)?.joined ?? 0,
    exited: d.trend.at(-1)?.exited ?? 0,
  };
  return { ...table, rows: [...table.rows, own] };
};

const count = (
  d: TStatsDashboard,
  s: 'education' | 'certificate' | 'local' | 'political',
  keys: string[],
) => d.structures[s].filter((c) => keys.includes(c.key)).reduce((sum, c) => sum + c.count, 0);
const share = (d: TStatsDashboard, s: 'education' | 'local' | 'political', keys: string[]) =>
  d.headcount > 0 ? count(d, s, keys) / d.headcount : null;

/**
 * The statistical report of a node and its children: 基本情况, 下级单位 (with a total row),
 * 队伍结构, 目标达成, 人数变化 — formatted for printing and filing.
 */
export const reportWorkbook = async (d: TStatsDashboard): Promise<Buffer> => {
  const wb = newWorkbook();
  const title = `${d.node.name}社区工作者队伍统计报表`;

  const summary = wb.addWorksheet('基本情况');
  summary.mergeCells('A1:D1');
  summary.getCell('A1').value = title;
  summary.getCell('A1').font = { bold: true, size: 16 };
  summary.getCell('A1').alignment = { horizontal: 'center' };
  summary.getRow(1).height = 28;
  const facts: [string, string | number | null, string?][] = [
    ['统计单位', `${d.node.name}（${ORG_LEVEL_LABELS[d.node.level]}，代码 ${d.node.code}）`],
    ['统计时点', d.asOf],
    ['适用政策包', d.pack ? `${d.pack.name}（${d.pack.id}）` : '无'],
    ['在岗社区工作者（人）', d.headcount, NUM_FMT.count],
    ['街道（个）', d.orgs.streets, NUM_FMT.count],
    ['社区（个）', d.orgs.communities, NUM_FMT.count],
    ['网格（个）', d.orgs.grids, NUM_FMT.count],
    ['常住人口（人）', d.density.population, NUM_FMT.count],
    ['每万常住人口社区工作者（人）', d.density.perTenThousand, NUM_FMT.number],
    ['按配备标准应配（人）', d.density.standard?.expected ?? null, NUM_FMT.count],
    [
      '配备标准依据',
      d.density.standard ? `${d.density.standard.note}（${d.density.standard.source}）` : '—',
    ],
    [
      '核定职数（人）',
      d.quota
        ? `${d.quota.min}${d.quota.max === d.quota.min ? '' : `–${d.quota.max ?? '不限'}`}`
        : '—',
    ],
    ['职数配备率', d.quota?.fill ?? null, NUM_FMT.percent],
    ['平均年龄（岁）', d.averageAge, NUM_FMT.number],
  ];
  summary.getColumn(1).width = 30;
  summary.getColumn(2).width = 60;
  for (const [label, value, fmt] of facts) {
    const r = summary.addRow([label, value ?? '—']);
    r.getCell(1).font = { bold: true };
    r.getCell(1).fill = HEADER_FILL;
    r.eachCell((cell) => {
      cell.border = THIN;
    });
    if (fmt && typeof value === 'number') r.getCell(2).numFmt = fmt;
    r.getCell(2).alignment = { horizontal: 'left', wrapText: true };
  }
  for (const n of d.notes) summary.addRow([n]).getCell(1).font = { italic: true };

  if (d.children.length > 0) {
    const ws = wb.addWorksheet('下级单位');
    const header = writeTable(ws, childrenWithTotal(d), { caption: `${title}：下级单位对比` });
    ws.views = [{ state: 'frozen', ySplit: header, xSplit: 1 }];
  }

  const structure = wb.addWorksheet('队伍结构');
  for (const key of STAT_STRUCTURES) {
    if (d.structures[key].length === 0) continue;
    writeTable(structure, statTable(d, key), { caption: statTable(d, key).title });
    structure.addRow([]);
  }

  const targets = wb.addWorksheet('目标达成');
  if (d.targets.length > 0)
    writeTable(targets, statTable(d, 'targets'), { caption: '政策包目标达成情况' });
  else targets.addRow(['适用政策包没有目标要求']);

  const trend = wb.addWorksheet('人数变化');
  const th = writeTable(trend, statTable(d, 'trend'), {});
  trend.views = [{ state: 'frozen', ySplit: th }];

  for (const ws of wb.worksheets) {
    ws.pageSetup = {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      paperSize: 9,
    };
    ws.headerFooter = { oddFooter: `${title}  第 &P 页，共 &N 页` };
  }
  return buffer(wb);
};

/** A download response for a workbook (file name in UTF-8 per RFC 5987). */
export const xlsxResponse = (body: Buffer, fileName: string): Response =>
  new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="stats.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'Cache-Control': 'no-store',
    },
  });

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildTemplate } from './template.ts';

// The downloadable templates, read back as Excel would open them.

const load = async (file: Buffer) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
};

type TValidation = { type: string; formulae: string[]; allowBlank?: boolean };

/** The validated cells of the sheet by column letter, with the list each one offers. */
const validations = (ws: ExcelJS.Worksheet) => {
  const model = (ws as unknown as { dataValidations: { model: Record<string, TValidation> } })
    .dataValidations.model;
  const byColumn = new Map<string, { rows: number[]; lists: Set<string>; blank: Set<boolean> }>();
  for (const [address, rule] of Object.entries(model)) {
    const [, letter, row] = address.match(/^([A-Z]+)(\d+)$/)!;
    const col = byColumn.get(letter!) ?? { rows: [], lists: new Set(), blank: new Set() };
    col.rows.push(Number(row));
    col.lists.add(`${rule.type}:${rule.formulae.join('|')}`);
    col.blank.add(rule.allowBlank ?? false);
    byColumn.set(letter!, col);
  }
  return byColumn;
};

describe('import templates', () => {
  it('workers: Chinese headers, an example row, drop-down lists on rows 2–5001 of every enum', async () => {
    const ws = await load(await buildTemplate('workers'));
    expect(ws.name).toBe('社区工作者花名册');
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      '姓名',
      '身份证号',
      '手机号',
      '民族',
      '政治面貌',
      '学历',
      '所学专业',
      '国家承认学历',
      '社工证等级',
      '取证日期',
      '退役军人',
      '居住在本社区',
      '参加社区工作时间',
      '状态',
      '社区代码',
      '社区',
      '街道',
      '网格代码',
      '网格',
      '职务',
      '入职日期',
      '试用期截止日期',
    ]);
    const example = ws.getRow(2);
    expect(example.getCell(1).value).toBe('王小明');
    // 身份证号 as text in a text-formatted column: Excel keeps all 18 digits.
    expect(example.getCell(2).value).toBe('640104198801150022');
    expect(ws.getColumn(2).numFmt).toBe('@');
    expect(example.getCell(13).value).toEqual(new Date(Date.UTC(2019, 2, 1)));
    expect(ws.getColumn(13).numFmt).toBe('yyyy-mm-dd');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // Required columns in red, with a note of what the column takes.
    expect(ws.getRow(1).getCell(1).font?.color?.argb).toBe('FFC00000');
    expect(ws.getRow(1).getCell(3).font?.color?.argb).toBe('FF000000');
    expect(String(ws.getRow(1).getCell(6).note)).toContain('也可写作：文化程度、最高学历');

    const lists = validations(ws);
    expect([...lists.keys()].sort()).toEqual(['E', 'F', 'H', 'I', 'K', 'L', 'N', 'T']);
    const rows = Array.from({ length: 5000 }, (_, i) => i + 2);
    for (const col of lists.values()) expect(col.rows.sort((a, b) => a - b)).toEqual(rows);
    expect([...lists.get('F')!.lists]).toEqual(['list:"高中及以下,中专,大专,本科,硕士,博士"']);
    expect([...lists.get('E')!.lists]).toEqual([
      'list:"中共党员,中共预备党员,共青团员,民主党派,群众"',
    ]);
    expect([...lists.get('H')!.lists]).toEqual(['list:"是,否"']);
    expect([...lists.get('T')!.lists][0]).toContain('书记兼主任');
    // Blank allowed in optional columns only.
    expect([...lists.get('F')!.blank]).toEqual([false]);
    expect([...lists.get('E')!.blank]).toEqual([true]);
  });

  it('every kind has its headers, an example row and lists for its vocabularies', async () => {
    const expected = {
      communities: {
        name: '社区户数与人口',
        headers: ['社区代码', '社区名称', '所属街道代码', '统计日期', '户籍户数', '常住户数'],
        example: ['640104001001', '丽景社区'],
        lists: { H: 'list:"城市社区,农村社区,商住社区,老旧社区"' },
      },
      grids: {
        name: '网格',
        headers: ['网格代码', '网格名称', '所属社区代码', '统计日期', '户数', '人口'],
        example: ['640104001001001', '第一网格'],
        lists: {},
      },
      assessments: {
        name: '年度考核结果',
        headers: ['身份证号', '姓名', '考核年度', '考核等次', '评定日期', '备注'],
        example: ['640104198801150022', '王小明', 2025, '优秀'],
        lists: { D: 'list:"优秀,合格,基本合格,不合格"' },
      },
      trainings: {
        name: '培训记录',
        headers: [
          '身份证号',
          '姓名',
          '培训名称',
          '开始日期',
          '结束日期',
          '学时',
          '天数',
          '是否合格',
        ],
        example: ['640104198801150022', '王小明', '社区治理能力提升培训'],
        lists: { H: 'list:"是,否"' },
      },
    } as const;
    for (const [kind, e] of Object.entries(expected)) {
      const ws = await load(await buildTemplate(kind as keyof typeof expected));
      expect(ws.name, kind).toBe(e.name);
      const headers = (ws.getRow(1).values as unknown[]).slice(1);
      expect(headers.slice(0, e.headers.length), kind).toEqual(e.headers);
      expect((ws.getRow(2).values as unknown[]).slice(1, 1 + e.example.length), kind).toEqual(
        e.example,
      );
      const lists = validations(ws);
      expect(
        Object.fromEntries([...lists].map(([letter, v]) => [letter, [...v.lists][0]])),
        kind,
      ).toEqual(e.lists);
    }
  });
});

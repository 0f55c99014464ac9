import { IMPORT_SPECS, type TImportIssue, type TImportKind } from '@shegong/shared';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildXlsx, fixtureId } from './excel-fixtures.ts';
import { readRecordBatches, type TRecord, type TSheetLayout } from './parse-file.ts';
import { placeIndex, type TPlace } from './place-index.ts';
import {
  endIdleReadThread,
  readRecordBatchesInThread,
  readThreadConfig,
  readThreadStats,
} from './read-thread.ts';
import { recordChecks } from './record-checks.ts';
import { workerRowCheck } from './worker-row-check.ts';

const PLACES: TPlace[] = [
  {
    code: '640104001000',
    parentCode: '640104000000',
    level: 'street',
    name: '凤凰北街街道',
    path: '/64/6401/640104/640104001000/',
    countyCode: '640104',
  },
  {
    code: '640104001001',
    parentCode: '640104001000',
    level: 'community',
    name: '光明社区',
    path: '/64/6401/640104/640104001000/640104001001/',
    countyCode: '640104',
  },
  {
    code: '640104001001001',
    parentCode: '640104001001',
    level: 'grid',
    name: '一网格',
    path: '/64/6401/640104/640104001000/640104001001/640104001001001/',
    countyCode: '640104',
  },
];

const toFullWidth = (s: string) =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** A 花名册 as street offices keep it: a merged title, header variants, full-width digits, a
 * number that was a 身份证号, month-only dates, a total row, the template's example row, a sheet
 * without the required 职务 column, a hidden sheet and a sheet without a header. */
const messyRoster = (extraRows = 0) => {
  const header = ['序号', '姓名', '身份证号码', '联系电话', '文化程度', '社区', '现任职务'];
  const rows: unknown[][] = [
    ['2025年凤凰北街街道社区工作者花名册'],
    [],
    [...header, '参加社区工作时间', '政治面貌', '爱好', '网格'],
    [
      1,
      ' 张  三 ',
      toFullWidth(fixtureId('640104', '1990-03-07', 11)),
      '１３９ 1234 5678',
      '大学本科',
      '光明社区',
      '网格员',
      '2019/3/1',
      '党员',
      '读书',
      '一网格',
    ],
    [2, '李四', fixtureId('640104', '1985-11-30', 12).toLowerCase(), null, '大专', '光明社区'],
    [3, '王五', fixtureId('640104', '1979-01-02', 13), '13800001111', '本科', '光明社区', '委员'],
    [4, '赵六', Number('640104199001011234'), null, '本科', '光明社区', '网格员', 2019.03],
    [5, '钱七', fixtureId('640104', '1992-02-02', 15), null, '本科', '不存在的社区', '网格员'],
    [6, '孙八', '640104199001011230', null, '研究生班', '光明社区', '网格员', '2020.1'],
    [7, '王小明', '640104198801150022', null, '本科', '光明社区', '网格员', '2019-03-01'],
    [
      8,
      '周九',
      fixtureId('640104', '1993-04-04', 16),
      null,
      '本科',
      '光明社区',
      '网格员',
      '2019年3月',
      '群众',
      null,
      '二网格',
    ],
  ];
  for (let i = 0; i < extraRows; i++) {
    rows.push([
      9 + i,
      `员工${i}`,
      fixtureId('640104', '1988-05-06', 100 + i),
      `139${String(i).padStart(8, '0')}`,
      '本科',
      '光明社区',
      '网格员',
      '2019-03-01',
      '群众',
    ]);
  }
  rows.push(['合计', null, null, null, null, null, null], [], []);
  return buildXlsx([
    { name: '凤凰北街', textColumns: [3], merges: ['A1:K1'], rows },
    {
      name: '缺职务',
      rows: [
        ['姓名', '身份证号', '学历', '社区'],
        ['吴十', fixtureId('640104', '1990-01-01', 20), '本科', '光明社区'],
      ],
    },
    { name: '隐藏', state: 'hidden', rows: [header, ['x']] },
    { name: '说明', rows: [['本表由街道填报'], ['联系人：张三']] },
  ]);
};

/** What the importer sees: records, the issues in order, the layouts it was asked about. */
const readAll = async (
  file: Uint8Array,
  how: 'thread' | 'here',
  options: {
    kind?: TImportKind;
    rowCheck?: boolean;
    log?: { warn: (...a: unknown[]) => void };
    /** Called after the first batch (before asking for the next). */
    afterFirst?: () => Promise<void>;
  } = {},
) => {
  const kind = options.kind ?? 'workers';
  const spec = IMPORT_SPECS[kind];
  const issues: TImportIssue[] = [];
  const asked: TSheetLayout[] = [];
  const bytes: number[] = [];
  const records: TRecord[] = [];
  const read = {
    fileName: '花名册.xlsx',
    issues,
    onBytes: (b: number) => bytes.push(b),
    onLayout: async (layout: TSheetLayout) => {
      asked.push(layout);
      await new Promise((r) => setTimeout(r, 1));
      // As the importer does: a sheet without a required column is refused, with an issue.
      if (!layout.byField.has('postTitle')) {
        issues.push({ ...issues[0]!, sheet: layout.sheet, message: '缺少必填列“职务”' });
        return false;
      }
      return true;
    },
  };
  if (how === 'thread') {
    for await (const batch of readRecordBatchesInThread(file, spec, {
      ...read,
      kind,
      rowCheck: options.rowCheck ? { places: PLACES } : undefined,
      log: options.log,
    })) {
      if (records.length === 0) await options.afterFirst?.();
      records.push(...batch);
    }
  } else {
    // The checks the thread runs, here: what `readAndCheck` does without a thread.
    const checks = recordChecks(kind, spec);
    const layouts = new Map(asked.map((l) => [l.sheet, l]));
    const rowCheck = options.rowCheck ? workerRowCheck(placeIndex(PLACES), spec) : undefined;
    for await (const batch of readRecordBatches(file, spec, read)) {
      for (const record of batch) {
        for (const l of asked) layouts.set(l.sheet, l);
        const example = checks.isExample(record);
        if (!example) checks.markRequired(record, layouts.get(record.sheet)!);
        if (!example && rowCheck) {
          record.checked = { example, row: rowCheck(record, layouts.get(record.sheet)!) };
          record.values = {};
          record.issues = [];
          record.badFields.clear();
        } else record.checked = { example };
        records.push(record);
      }
    }
  }
  return { records, issues, asked, lastBytes: bytes.at(-1) };
};

// Each test starts a thread (tsx and zod to load: up to seconds on a busy machine).
describe('reading an import file in a worker thread', { timeout: 30_000 }, () => {
  const saved = { ...readThreadConfig };
  beforeEach(async () => {
    readThreadConfig.minBytes = 0;
    readThreadConfig.readWhileStarting = false;
    await endIdleReadThread();
  });
  afterEach(() => {
    Object.assign(readThreadConfig, saved);
  });

  it('gives the records, issues and layouts of reading in the calling thread, for a messy roster', async () => {
    const file = await messyRoster();
    const here = await readAll(file, 'here');
    const there = await readAll(file, 'thread');
    expect(there).toEqual(here);
    // The fixture is what it says: the example row found, required cells marked, a cell refused.
    expect(here.records.filter((r) => r.checked?.example).map((r) => r.row)).toEqual([10]);
    expect(here.records.find((r) => r.row === 5)!.issues.map((i) => i.message)).toContain(
      '现任职务：必填',
    );
    expect(here.asked.map((l) => l.sheet)).toEqual(['凤凰北街', '缺职务']);
    expect(here.issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        '未识别的列“爱好”（J列），已忽略',
        '缺少必填列“职务”',
        '工作表“说明”中没有找到可识别的表头，已跳过',
      ]),
    );
    expect(here.lastBytes).toBe(file.length);
  });

  it("gives the workers' row checks (place, shared schema, 身份证号) of the calling thread", async () => {
    const file = await messyRoster();
    const here = await readAll(file, 'here', { rowCheck: true });
    const there = await readAll(file, 'thread', { rowCheck: true });
    expect(there).toEqual(here);
    const byRow = new Map(
      there.records.map((r) => [
        r.row,
        r.checked?.row as { issues: TImportIssue[]; valid?: unknown },
      ]),
    );
    expect(byRow.get(4)!.valid).toMatchObject({
      w: { name: '张三', phone: '13912345678', gridCode: '640104001001001' },
      sex: '男',
    });
    expect(
      byRow
        .get(8)!
        .issues.map((i) => i.message)
        .join('；'),
    ).toContain('社区：“不存在的社区”');
    expect(
      byRow
        .get(11)!
        .issues.map((i) => i.message)
        .join('；'),
    ).toContain('二网格');
  });

  it('reads the CSV files the same way', async () => {
    const csv = Buffer.from(
      `\ufeff姓名,身份证号,学历,社区,职务,参加社区工作时间\n张三,${fixtureId('640104', '1990-03-07', 11)},本科,光明社区,网格员,2019-03-01\n李四,123,大专,光明社区,,2019年3月\n`,
    );
    const here = await readAll(csv, 'here', { rowCheck: true });
    expect(await readAll(csv, 'thread', { rowCheck: true })).toEqual(here);
    expect(here.records).toHaveLength(2);
  });

  it('hands an error of the file over unchanged: code, Chinese message, sheet and row', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('花名册');
    ws.addRow(['姓名', '身份证号']);
    ws.getCell('A1048577').value = 1;
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const error = await readAll(file, 'thread').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'AppError',
      code: 'BAD_REQUEST',
      message: '行号超出 Excel 的范围（1–1048576）：1048577',
      where: { file: '花名册.xlsx', sheet: '花名册', row: 1_048_577 },
    });
    expect(await readAll(file, 'here').catch((e: unknown) => e)).toEqual(error);
  });

  it('reads in the calling thread when the thread cannot start, and logs it', async () => {
    readThreadConfig.entry = new URL('./no-such-thread-entry.mjs', import.meta.url);
    const file = await messyRoster();
    const log = { warn: vi.fn() };
    const there = await readAll(file, 'thread', { rowCheck: true, log });
    expect(log.warn).toHaveBeenCalledTimes(1);
    // Read here: the records come without the thread's checks, which the importer then runs.
    const here = await readAll(file, 'here', { rowCheck: true });
    expect(there.issues).toEqual(here.issues);
    expect(there.asked).toEqual(here.asked);
    expect(there.records.map((r) => r.seq)).toEqual(here.records.map((r) => r.seq));
    expect(there.records.every((r) => r.checked === undefined)).toBe(true);
  });

  it('goes on in the calling thread from where a dying thread stopped, nothing twice', async () => {
    const file = await messyRoster(6000);
    const here = await readAll(file, 'here');
    readThreadConfig.failAfterBatches = 3;
    readThreadConfig.ahead = 1;
    const log = { warn: vi.fn() };
    const there = await readAll(file, 'thread', { log });
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(there.issues).toEqual(here.issues);
    expect(there.asked).toEqual(here.asked);
    expect(there.lastBytes).toBe(file.length);
    const seqs = there.records.map((r) => r.seq);
    expect(seqs).toEqual(here.records.map((r) => r.seq));
    // Some records came from the thread (checked there), the rest from here.
    const fromThread = there.records.filter((r) => r.checked !== undefined).length;
    expect(fromThread).toBeGreaterThan(0);
    expect(fromThread).toBeLessThan(there.records.length);
  });

  it('reads here while a new thread starts, then the thread goes on from there, nothing twice', async () => {
    readThreadConfig.readWhileStarting = true;
    const file = await messyRoster(6000);
    const here = await readAll(file, 'here');
    const ready = readThreadStats.ready;
    const there = await readAll(file, 'thread', {
      // The first batch is read here; the next ones are asked for once the thread is ready.
      afterFirst: async () => {
        for (let i = 0; i < 1000 && readThreadStats.ready === ready; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      },
    });
    expect(there.issues).toEqual(here.issues);
    expect(there.asked).toEqual(here.asked);
    expect(there.lastBytes).toBe(file.length);
    expect(there.records.map((r) => r.seq)).toEqual(here.records.map((r) => r.seq));
    const fromThread = there.records.filter((r) => r.checked !== undefined);
    expect(fromThread.length).toBeGreaterThan(0);
    expect(fromThread.length).toBeLessThan(there.records.length);
    // What the thread read equals what was read here, checks included.
    const bySeq = new Map(here.records.map((r) => [r.seq, r]));
    expect(fromThread).toEqual(fromThread.map((r) => bySeq.get(r.seq)));
  });
});

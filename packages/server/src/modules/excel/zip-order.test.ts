import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildXlsx } from './excel-fixtures.ts';
import { readRows } from './read-sheet.ts';
import { metadataFirst } from './zip-order.ts';

/** Names of the entries of a zip in stored order (central directory, by local header offset). */
const entryNames = (zip: Uint8Array) => {
  const buf = Buffer.from(zip);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  const entries: [number, string][] = [];
  let at = buf.readUInt32LE(end + 16);
  for (let n = 0; n < count; n++) {
    const nameLength = buf.readUInt16LE(at + 28);
    const rest = nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    entries.push([buf.readUInt32LE(at + 42), buf.toString('utf8', at + 46, at + 46 + nameLength)]);
    at += 46 + rest;
  }
  return entries.sort((a, b) => a[0] - b[0]).map(([, name]) => name);
};

describe('zip entries metadata first', () => {
  const sheets = [
    {
      name: '第一表',
      rows: [
        ['姓名', '身份证号'],
        ['张三', '640104199003070011'],
      ],
    },
    { name: '第二表', rows: [['姓名'], ['李四'], ['王五']], state: 'hidden' as const },
  ];

  it('stores workbook.xml and the shared strings before the sheets, each entry unchanged', async () => {
    const file = await buildXlsx(sheets);
    // As ExcelJS writes it: sheets before the shared strings, workbook.xml last.
    const before = entryNames(file);
    expect(before.indexOf('xl/workbook.xml')).toBe(before.length - 1);
    expect(before.indexOf('xl/sharedStrings.xml')).toBeGreaterThan(
      before.indexOf('xl/worksheets/sheet1.xml'),
    );
    const ordered = metadataFirst(file);
    expect(ordered.length).toBe(file.length);
    const after = entryNames(ordered);
    expect(after.slice(0, 6)).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
    ]);
    expect(after.slice(6, 8)).toEqual(['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']);
    expect([...after].sort()).toEqual([...before].sort());
    // The whole workbook loads the same from either.
    const load = async (bytes: Uint8Array) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      return wb.worksheets.map((ws) => [ws.name, ws.state, ws.getSheetValues()]);
    };
    expect(await load(ordered)).toEqual(await load(file));
  });

  it('gives a file without shared strings (a streaming writer, our exports) an empty table first', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
    const ws = wb.addWorksheet('花名册');
    ws.addRow(['姓名', '学历']).commit();
    ws.addRow(['张三', '本科']).commit();
    ws.commit();
    await wb.commit();
    const file = Buffer.concat(chunks);
    expect(entryNames(file)).not.toContain('xl/sharedStrings.xml');
    const ordered = metadataFirst(file);
    const names = entryNames(ordered);
    expect(names.indexOf('xl/sharedStrings.xml')).toBeLessThan(
      names.indexOf('xl/worksheets/sheet1.xml'),
    );
    // A valid zip (the full loader checks every CRC) with the same cells.
    const full = new ExcelJS.Workbook();
    await full.xlsx.load(ordered as unknown as ArrayBuffer);
    expect(full.worksheets[0]!.getRow(2).values).toEqual([undefined, '张三', '本科']);
    const rows: unknown[][] = [];
    for await (const r of readRows(file, { fileName: 'x.xlsx' })) rows.push(r.cells);
    expect(rows).toEqual([
      [
        { kind: 'text', text: '姓名' },
        { kind: 'text', text: '学历' },
      ],
      [
        { kind: 'text', text: '张三' },
        { kind: 'text', text: '本科' },
      ],
    ]);
  });

  it('leaves anything but a plain zip as it is', () => {
    const csv = new TextEncoder().encode('姓名,身份证号\n张三,640104199003070011\n');
    expect(metadataFirst(csv)).toBe(csv);
    const truncated = new Uint8Array(200).fill(0x50);
    expect(metadataFirst(truncated)).toBe(truncated);
  });

  it('reads every row of every visible sheet, many times over, without losing workbook.xml', async () => {
    const file = await buildXlsx(sheets);
    const reads = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const rows: string[] = [];
        for await (const r of readRows(file, { fileName: 'x.xlsx' })) {
          rows.push(`${r.sheet}:${r.row}`);
          // Other work between rows, as an import does.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return rows.join(' ');
      }),
    );
    expect(new Set(reads)).toEqual(new Set(['第一表:1 第一表:2']));
  });
});

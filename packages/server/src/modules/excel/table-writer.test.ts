import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readXlsx } from './excel-fixtures.ts';
import { createTableWriter, XLSX_MAX_ROWS } from './table-writer.ts';

const collect = (stream: PassThrough) => {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
};

describe('table writer', () => {
  it('starts a new sheet past the row limit, each with its header frozen', async () => {
    // Excel's limit is 1,048,576 rows with the header; the test lowers it to 3 data rows.
    expect(XLSX_MAX_ROWS).toBe(1_048_575);
    const out = new PassThrough();
    const bytes = collect(out);
    const writer = createTableWriter(
      out,
      'xlsx',
      '花名册',
      [
        { header: '姓名', type: 'text' },
        { header: '参加社区工作时间', type: 'date' },
        { header: '月薪酬（元）', type: 'money' },
      ],
      3,
    );
    for (let i = 1; i <= 7; i++) writer.addRow([`工作者${i}`, `2020-01-0${i}`, 350_000 + i]);
    await writer.finish();
    const sheets = await readXlsx(bytes());
    expect(sheets.map((s) => [s.name, s.rows.length])).toEqual([
      ['花名册', 4],
      ['花名册（2）', 4],
      ['花名册（3）', 2],
    ]);
    for (const s of sheets) {
      expect(s.rows[0]).toEqual(['姓名', '参加社区工作时间', '月薪酬（元）']);
      expect(s.ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    }
    const last = sheets[2]!;
    expect(last.rows[1]![0]).toBe('工作者7');
    expect(last.rows[1]![1]).toEqual(new Date(Date.UTC(2020, 0, 7)));
    // Money is fen in the data and yuan with two decimals in the sheet.
    expect(last.rows[1]![2]).toBe(3500.07);
    expect(last.ws.getColumn(3).numFmt).toBe('#,##0.00');
    expect(writer.rows()).toBe(7);
  });

  it('writes CSV with a BOM, CRLF lines, quoted fields where needed and yuan for money', async () => {
    const out = new PassThrough();
    const bytes = collect(out);
    const writer = createTableWriter(out, 'csv', '花名册', [
      { header: '姓名', type: 'text' },
      { header: '备注', type: 'text' },
      { header: '月薪酬（元）', type: 'money' },
      { header: '退役军人', type: 'bool' },
    ]);
    writer.addRow(['张三', '含,逗号 "引号"', 123_456, true]);
    writer.addRow(['李四', null, -5, false]);
    await writer.finish();
    expect(bytes().toString('utf8')).toBe(
      '\ufeff姓名,备注,月薪酬（元）,退役军人\r\n张三,"含,逗号 ""引号""",1234.56,是\r\n李四,,-0.05,否\r\n',
    );
  });
});

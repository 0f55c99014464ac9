import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { rawCellOf, type TRawCell } from './cells.ts';
import { buildXlsx } from './excel-fixtures.ts';
import { readRows, type TSheetRow } from './read-sheet.ts';
import { XLSX_LIMITS } from './xlsx-reader.ts';

const EMPTY: TRawCell = { kind: 'empty' };

const rowsOf = async (file: Uint8Array) => {
  const rows: TSheetRow[] = [];
  for await (const r of readRows(file, { fileName: 'x.xlsx' })) rows.push(r);
  return rows;
};

/** The cells ExcelJS's full loader reads, as raw cells (trailing empty cells dropped; a merged
 * range's value in its first cell only, as in the file). */
const loadWithExcelJs = async (file: Uint8Array) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  const rows: TSheetRow[] = [];
  for (const ws of wb.worksheets) {
    if (ws.state !== 'visible') continue;
    ws.eachRow({ includeEmpty: false }, (row, n) => {
      const cells = Array.from({ length: row.cellCount }, (_, i) => {
        const cell = row.getCell(i + 1);
        return cell.type === ExcelJS.ValueType.Merge ? EMPTY : rawCellOf(cell.value);
      });
      while (cells.length > 0 && cells.at(-1)!.kind === 'empty') cells.pop();
      rows.push({ sheet: ws.name, row: n, cells });
    });
  }
  return rows;
};

const text = (t: string): TRawCell => ({ kind: 'text', text: t });

/** A zip of the given entries, deflated or stored, in the given order. */
const zipOf = (files: [string, string, ('deflate' | 'store')?][]) => {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content, how = 'deflate'] of files) {
    const data = Buffer.from(content);
    const stored = how === 'store' ? data : zlib.deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(how === 'store' ? 0 : 8, 8);
    local.writeUInt32LE(zlib.crc32(data), 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(how === 'store' ? 0 : 8, 10);
    central.writeUInt32LE(zlib.crc32(data), 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, stored);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
};

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const rels = (list: [string, string, string][]) =>
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${list
    .map(
      ([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`,
    )
    .join('')}</Relationships>`;

/** A hand-made workbook: sheets (name, state, sheetData XML), shared strings and styles. */
const handMade = (options: {
  sheets: { name: string; state?: string; data: string; prefix?: string }[];
  sst?: string;
  styles?: string;
  date1904?: boolean;
  order?: 'sheets-first' | 'metadata-first';
  store?: boolean;
}) => {
  const how = options.store ? 'store' : 'deflate';
  const meta: [string, string, ('deflate' | 'store')?][] = [
    ['_rels/.rels', rels([['rId1', 'officeDocument', 'xl/workbook.xml']])],
    [
      'xl/_rels/workbook.xml.rels',
      rels([
        ...options.sheets.map(
          (_, i) =>
            [`rId${i + 1}`, 'worksheet', `worksheets/sheet${i + 1}.xml`] as [
              string,
              string,
              string,
            ],
        ),
        ['rIdS', 'sharedStrings', '/xl/sharedStrings.xml'],
        ['rIdT', 'styles', 'styles.xml'],
      ]),
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}">${options.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets>${options.sheets
        .map(
          (s, i) =>
            `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`,
        )
        .join('')}</sheets></workbook>`,
    ],
  ];
  if (options.sst)
    meta.push(['xl/sharedStrings.xml', `<sst xmlns="${NS}">${options.sst}</sst>`, how]);
  if (options.styles)
    meta.push(['xl/styles.xml', `<styleSheet xmlns="${NS}">${options.styles}</styleSheet>`, how]);
  const sheets = options.sheets.map(
    (s, i) =>
      [
        `xl/worksheets/sheet${i + 1}.xml`,
        s.prefix
          ? `<?xml version="1.0"?><${s.prefix}:worksheet xmlns:${s.prefix}="${NS}"><${s.prefix}:sheetData>${s.data}</${s.prefix}:sheetData></${s.prefix}:worksheet>`
          : `<?xml version="1.0"?><worksheet xmlns="${NS}"><sheetData>${s.data}</sheetData></worksheet>`,
        how,
      ] as [string, string, 'deflate' | 'store'],
  );
  return zipOf(options.order === 'metadata-first' ? [...meta, ...sheets] : [...sheets, ...meta]);
};

describe('the import reader of .xlsx files', () => {
  it('reads what ExcelJS reads from a messy roster (shared strings, numbers, dates, merged title, hidden sheet)', async () => {
    const file = await buildXlsx([
      {
        name: '花名册',
        merges: ['A1:F1'],
        dateColumns: [5],
        textColumns: [3],
        rows: [
          ['某某街道社区工作者花名册（2024年）'],
          [],
          ['序号', '姓名', '身份证号', '手机号', '参加社区工作时间', '是否退役军人'],
          [1, '张　三', '640104199003070011', 13900000001, new Date(Date.UTC(2019, 2, 1)), true],
          [
            2,
            { richText: [{ text: '李' }, { text: '四' }] },
            640104199003070000,
            '１３９００００００２',
            43525,
            false,
          ],
          [
            3,
            '王五 & <赵六>',
            { formula: '"6401"&"04"', result: '640104' },
            { error: '#N/A' },
            '2019年3月',
            '是',
          ],
          [4, '  ', null, 0.5, { formula: 'DATE(2019,3,1)', result: 43525 }],
          [],
          [],
        ],
      },
      { name: '说明', state: 'hidden', rows: [['不读这张表']] },
      { name: '第二表', rows: [['姓名'], ['钱七']] },
    ]);
    const rows = await rowsOf(file);
    expect(rows).toEqual(await loadWithExcelJs(file));
    expect(rows.map((r) => `${r.sheet}:${r.row}`)).toEqual([
      '花名册:1',
      '花名册:3',
      '花名册:4',
      '花名册:5',
      '花名册:6',
      '花名册:7',
      '第二表:1',
      '第二表:2',
    ]);
    expect(rows[2]!.cells[4]).toEqual({ kind: 'date', date: new Date(Date.UTC(2019, 2, 1)) });
    expect(rows[3]!.cells[1]).toEqual(text('李四'));
    expect(rows[3]!.cells[2]).toEqual({ kind: 'number', value: 640104199003070000 });
  });

  it('reads what ExcelJS reads from a file of its streaming writer (inline strings, no shared strings)', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    const ws = wb.addWorksheet('花名册');
    ws.columns = [
      { header: '姓名' },
      { header: '学历' },
      { header: '参加社区工作时间', style: { numFmt: 'yyyy"年"m"月"' } },
    ];
    ws.addRow(['张三', '本科', 43525]).commit();
    ws.addRow(['李四', '', 43891]).commit();
    ws.commit();
    await wb.commit();
    const file = Buffer.concat(chunks);
    const rows = await rowsOf(file);
    expect(rows).toEqual(await loadWithExcelJs(file));
    expect(rows[1]!.cells).toEqual([
      text('张三'),
      text('本科'),
      { kind: 'date', date: new Date(Date.UTC(2019, 2, 1)) },
    ]);
    expect(rows[2]!.cells).toEqual([
      text('李四'),
      EMPTY,
      { kind: 'date', date: new Date(Date.UTC(2020, 2, 1)) },
    ]);
  });

  it('takes the cells as the format defines them, whatever the writer and the order of the zip', async () => {
    const sheet = {
      name: '人员',
      data:
        // Shared strings (with a phonetic run that is not text), inline rich text, entities,
        // a formula string, booleans, errors, ISO dates (t="d"), cells and rows without r.
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>' +
        '<row r="3"><c r="A3" t="inlineStr"><is><r><t>王</t></r><r><t xml:space="preserve"> 五</t></r></is></c>' +
        '<c t="str"><f>A1&amp;"x"</f><v>A &amp; B &lt;C&gt; &#x4E2D;&#25991;</v></c><c t="b"><v>1</v></c><c t="e"><v>#REF!</v></c>' +
        '<c t="d"><v>2019-03-01T00:00:00</v></c><c s="1"><v>43525</v></c><c s="2"><v>43525.5</v></c><c><f>1+1</f></c><c t="s"><v>3</v></c></row>' +
        '<row><c><v>1.5</v></c><c t="n"><v></v></c><c><v><![CDATA[42]]></v></c></row>',
    };
    const sst =
      '<si><t>姓名</t></si><si><r><t>身份</t></r><r><t>证号</t></r></si>' +
      '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si><si><t>  </t></si>';
    const styles =
      '<numFmts count="1"><numFmt numFmtId="176" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>' +
      '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="0"/></cellXfs>';
    const expected = [
      { sheet: '人员', row: 1, cells: [text('姓名'), text('身份证号'), EMPTY, text('東京')] },
      {
        sheet: '人员',
        row: 3,
        cells: [
          text('王 五'),
          text('A & B <C> 中文'),
          { kind: 'bool', value: true },
          { kind: 'error', text: '#REF!' },
          { kind: 'date', date: new Date(Date.UTC(2019, 2, 1)) },
          { kind: 'date', date: new Date(Date.UTC(2019, 2, 1)) },
          { kind: 'number', value: 43525.5 },
        ],
      },
      {
        sheet: '人员',
        row: 4,
        cells: [{ kind: 'number', value: 1.5 }, EMPTY, { kind: 'number', value: 42 }],
      },
    ];
    for (const order of ['sheets-first', 'metadata-first'] as const) {
      for (const store of [false, true]) {
        expect(await rowsOf(handMade({ sheets: [sheet], sst, styles, order, store }))).toEqual(
          expected,
        );
      }
    }
    // Elements with a namespace prefix (x:row, x:c), as some .NET libraries write them.
    const prefixed = {
      name: 'P',
      prefix: 'x',
      data: '<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c><x:c r="C2"><x:v>7</x:v></x:c></x:row>',
    };
    expect(await rowsOf(handMade({ sheets: [prefixed] }))).toEqual([
      { sheet: 'P', row: 2, cells: [EMPTY, text('甲'), { kind: 'number', value: 7 }] },
    ]);
    // The 1904 date system (old Mac files): serial 0 is 1904-01-01.
    const mac = handMade({
      sheets: [{ name: 'M', data: '<row r="1"><c r="A1" s="1"><v>41063</v></c></row>' }],
      styles: '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
      date1904: true,
    });
    expect((await rowsOf(mac))[0]!.cells).toEqual([
      { kind: 'date', date: new Date(Date.UTC(2016, 5, 4)) },
    ]);
  });

  it('reads the sheets in the workbook order, skipping hidden ones, in any order of the zip', async () => {
    const file = handMade({
      sheets: [
        { name: '乙', data: '<row r="1"><c r="A1" t="inlineStr"><is><t>b</t></is></c></row>' },
        { name: '隐藏', state: 'veryHidden', data: '<row r="1"><c r="A1"><v>1</v></c></row>' },
        { name: '甲', data: '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>' },
      ],
    });
    expect(
      (await rowsOf(file)).map((r) => `${r.sheet}:${(r.cells[0] as { text: string }).text}`),
    ).toEqual(['乙:b', '甲:a']);
  });

  it('keeps every Chinese character whole across inflated chunks, with progress to the end', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => [
      `社区工作者${i}号`,
      '宁夏回族自治区银川市兴庆区',
    ]);
    const file = await buildXlsx([{ name: '花名册', rows }]);
    const progress: number[] = [];
    const read: string[] = [];
    for await (const r of readRows(file, {
      fileName: 'x.xlsx',
      onBytes: (n) => progress.push(n),
    })) {
      read.push(r.cells.map((c) => (c.kind === 'text' ? c.text : '')).join('|'));
    }
    expect(read).toEqual(rows.map((r) => r.join('|')));
    expect(read.join('')).not.toContain('\ufffd');
    expect(progress.at(-1)).toBe(file.length);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('refuses a damaged file in Chinese, naming it', async () => {
    const file = await buildXlsx([{ name: 'A', rows: [['x']] }]);
    for (const bad of [
      file.subarray(0, file.length - 30),
      Buffer.concat([Buffer.from('PK'), Buffer.alloc(100)]),
    ]) {
      await expect(rowsOf(bad)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining('文件无法读取'),
      });
    }
  });

  it('reads every row of every visible sheet, many reads at once', async () => {
    const file = await buildXlsx([
      {
        name: '第一表',
        rows: [
          ['姓名', '身份证号'],
          ['张三', '640104199003070011'],
        ],
      },
      { name: '第二表', rows: [['姓名'], ['李四'], ['王五']], state: 'hidden' },
    ]);
    const reads = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const rows: string[] = [];
        for await (const r of readRows(file, { fileName: 'x.xlsx' })) {
          rows.push(`${r.sheet}:${r.row}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
        return rows.join(' ');
      }),
    );
    expect(new Set(reads)).toEqual(new Set(['第一表:1 第一表:2']));
  });

  it('refuses a zip bomb and cells outside Excel, in Chinese, naming the sheet and row', async () => {
    const saved = { ...XLSX_LIMITS };
    try {
      // Shared strings that inflate past the limit (here lowered to 1 MB; 256 MB in use).
      XLSX_LIMITS.metadataBytes = 1024 ** 2;
      const bomb = handMade({
        sheets: [{ name: 'A', data: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' }],
        sst: `<si><t>${'社'.repeat(600_000)}</t></si>`,
      });
      expect(bomb.length).toBeLessThan(20_000);
      await expect(rowsOf(bomb)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining('文件解压后过大：共享字符串表超过 1 MB'),
      });
      // A sheet past its limit (lowered to 4 MB).
      XLSX_LIMITS.sheetBytes = 4 * 1024 ** 2;
      const rows = '<row><c t="inlineStr"><is><t>社区工作者</t></is></c></row>'.repeat(100_000);
      await expect(
        rowsOf(handMade({ sheets: [{ name: '花名册', data: rows }] })),
      ).rejects.toMatchObject({ message: expect.stringContaining('工作表「花名册」超过') });
    } finally {
      Object.assign(XLSX_LIMITS, saved);
    }
    // A column past XFD (16,384) and a row past 1,048,576.
    await expect(
      rowsOf(
        handMade({ sheets: [{ name: 'B', data: '<row r="3"><c r="XFE3"><v>1</v></c></row>' }] }),
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining('单元格超出 Excel 的最大列（XFD，第 16384 列）：XFE3'),
      where: { file: 'x.xlsx', sheet: 'B', row: 3 },
    });
    await expect(
      rowsOf(handMade({ sheets: [{ name: 'C', data: '<row r="1048577"><c><v>1</v></c></row>' }] })),
    ).rejects.toMatchObject({ message: expect.stringContaining('行号超出 Excel 的范围') });
    // The last cell Excel has is read.
    const edge = await rowsOf(
      handMade({
        sheets: [{ name: 'D', data: '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' }],
      }),
    );
    expect([edge[0]!.row, edge[0]!.cells.length]).toEqual([1_048_576, 16_384]);
  });

  it('refuses an entry that inflates to more than the zip directory says', async () => {
    const file = handMade({
      sheets: [
        {
          name: 'A',
          data: `<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(200_000)}</t></is></c></row>`,
        },
      ],
    });
    // The sheet is the zip's first entry: its central record is the first; state 100 bytes.
    const central = file.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(file.toString('utf8', central + 46, central + 46 + 24)).toBe('xl/worksheets/sheet1.xml');
    file.writeUInt32LE(100, central + 24);
    await expect(rowsOf(file)).rejects.toMatchObject({
      message: expect.stringContaining('文件无法读取'),
    });
  });
});

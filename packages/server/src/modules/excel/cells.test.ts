import { describe, expect, it } from 'vitest';
import {
  cleanText,
  columnLetter,
  halfWidthAlnum,
  parseBool,
  parseDate,
  parseEnum,
  parseIdNumber,
  parseInteger,
  parseName,
  parsePhone,
  serialToIso,
  type TRawCell,
} from './cells.ts';

const text = (t: string): TRawCell => ({ kind: 'text', text: t });
const num = (n: number): TRawCell => ({ kind: 'number', value: n });
const value = (r: { ok: boolean; value?: unknown; message?: string }) =>
  r.ok ? r.value : `ERR ${r.message}`;

describe('cells of real spreadsheets', () => {
  it('reads the date forms 花名册 use, a month alone as its first day', () => {
    expect(value(parseDate(text('2019-03-01')))).toBe('2019-03-01');
    expect(value(parseDate(text('2019/3/1')))).toBe('2019-03-01');
    expect(value(parseDate(text('2019.03')))).toBe('2019-03-01');
    expect(value(parseDate(text('2019年3月')))).toBe('2019-03-01');
    expect(value(parseDate(text('2019年3月5日')))).toBe('2019-03-05');
    expect(value(parseDate(text('２０１９－０３－０１')))).toBe('2019-03-01');
    expect(value(parseDate(text('20190301')))).toBe('2019-03-01');
    // 2019.03 typed into a General cell arrives as the number 2019.03.
    expect(value(parseDate(num(2019.03)))).toBe('2019-03-01');
    expect(value(parseDate({ kind: 'date', date: new Date(Date.UTC(2020, 5, 15)) }))).toBe(
      '2020-06-15',
    );
  });

  it('turns Excel serial numbers into dates (1900 system with its phantom 29 February)', () => {
    // Excel shows serial 43525 as 2019-03-01 and 1 as 1900-01-01; 61 is 1900-03-01.
    expect(serialToIso(43525)).toBe('2019-03-01');
    expect(serialToIso(1)).toBe('1900-01-01');
    expect(serialToIso(61)).toBe('1900-03-01');
    expect(value(parseDate(num(43525)))).toBe('2019-03-01');
    expect(value(parseDate(text('43525')))).toBe('2019-03-01');
  });

  it('refuses dates it would have to guess', () => {
    expect(value(parseDate(num(2019.1)))).toMatch(/^ERR .*有歧义/);
    expect(value(parseDate(text('2019.1')))).toMatch(/^ERR .*有歧义/);
    expect(value(parseDate(num(2019)))).toMatch(/^ERR 日期只有年份/);
    expect(value(parseDate(text('2019-02-30')))).toMatch(/^ERR .*不存在/);
    expect(value(parseDate(text('去年三月')))).toMatch(/^ERR 无法识别的日期/);
  });

  it('reports a 身份证号 stored as a number instead of guessing its lost digits', () => {
    expect(value(parseIdNumber(num(640104199001011200)))).toMatch(/^ERR .*末几位已丢失/);
    expect(value(parseIdNumber(text('6.40104E+17')))).toMatch(/^ERR .*末几位已丢失/);
    expect(value(parseIdNumber(text(' 11010519491231002x ')))).toBe('11010519491231002X');
    expect(value(parseIdNumber(text('１１０１０５１９４９１２３１００２Ｘ')))).toBe(
      '11010519491231002X',
    );
    expect(value(parseIdNumber(text("'110105194912310029")))).toBe('110105194912310029');
  });

  it('cleans phones, names, counts and yes/no', () => {
    expect(value(parsePhone(text('139-1234-5678')))).toBe('13912345678');
    expect(value(parsePhone(text('+86 139 1234 5678')))).toBe('13912345678');
    expect(value(parsePhone(num(13912345678)))).toBe('13912345678');
    expect(value(parseName(text(' 王  明 ')))).toBe('王明');
    expect(value(parseName(text('阿依古丽·买买提')))).toBe('阿依古丽·买买提');
    expect(value(parseInteger(text('3,100户')))).toBe(3100);
    expect(value(parseInteger(num(3100.0000000001)))).toBe(3100);
    expect(value(parseInteger(text('3.5')))).toMatch(/^ERR .*不是整数/);
    expect(value(parseBool(text('是')))).toBe(true);
    expect(value(parseBool(text('×')))).toBe(false);
  });

  it('maps the words of real files onto the vocabularies, leaving unknown words to the schema', () => {
    const edu = ['高中及以下', '中专', '大专', '本科', '硕士', '博士'];
    expect(value(parseEnum(text('大学本科'), edu))).toBe('本科');
    expect(value(parseEnum(text(' 大 专 '), edu))).toBe('大专');
    expect(value(parseEnum(text('研究生班'), edu))).toBe('研究生班');
  });

  it('names columns as Excel does', () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
  });

  it('cleans text and codes the same whether or not a cell needs it (the fast paths)', () => {
    const slowClean = (t: string) =>
      halfWidthAlnum(t)
        .replace(/[\t\r\n]+/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim();
    const samples = [
      '张三',
      '王  明',
      ' 李四',
      '赵六 ',
      '１３９００００００１',
      'ＡＢｃ',
      'a\tb',
      'x\r\ny',
      '\u3000张\u3000',
      'a\u00a0b',
      'a\u200bb',
      '\ufeff本科',
      'a\vb',
      'a\u2028b',
      '640104199003070011',
      "'640104199003070011",
      '="640104199003070011"',
      '64010419900307001x',
      '2019-03-01',
      '139-0000-0001',
      '+8613900000001',
      '（本科）',
    ];
    for (const s of samples) expect(cleanText(s), s).toBe(slowClean(s));
    // compact (through the 身份证号 and phone parsers) against NFKC done every time.
    for (const s of samples) {
      const slow = s
        .normalize('NFKC')
        .replace(/[\s\u200b\ufeff]/g, '')
        .replace(/^'/, '')
        .replace(/^="(.*)"$/, '$1');
      expect(parseIdNumber(text(s)), s).toEqual({ ok: true, value: slow.toUpperCase() });
    }
  });
});

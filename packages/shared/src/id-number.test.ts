import { describe, expect, it } from 'vitest';
import { checkIdNumber, idNumberCheckChar, maskIdNumber } from './id-number.ts';

describe('checkIdNumber (GB 11643-1999)', () => {
  // The standard's own example number: 11010519491231002X, a woman born 1949-12-31.
  it('accepts the example of GB 11643 and derives birth date and sex', () => {
    const result = checkIdNumber('11010519491231002X');
    expect(result).toEqual({
      ok: true,
      value: '11010519491231002X',
      facts: { birthDate: '1949-12-31', sex: '女', regionCode: '110105' },
    });
  });

  it('accepts a lower-case x and stray spaces', () => {
    const result = checkIdNumber(' 11010519491231002x ');
    expect(result.ok && result.value).toBe('11010519491231002X');
  });

  it('rejects a wrong check character with a Chinese message', () => {
    expect(checkIdNumber('110105194912310021')).toEqual({
      ok: false,
      message: '身份证号校验位错误',
    });
  });

  it('rejects an impossible birth date', () => {
    const first17 = '11010519490230002';
    expect(checkIdNumber(first17 + idNumberCheckChar(first17))).toEqual({
      ok: false,
      message: '身份证号中的出生日期无效',
    });
  });

  it('rejects 15-digit and non-numeric input', () => {
    expect(checkIdNumber('110105491231002').ok).toBe(false);
    expect(checkIdNumber('1101051949123100AX').ok).toBe(false);
  });

  it('derives male from an odd sequence digit', () => {
    const first17 = '64010419850612001';
    const result = checkIdNumber(first17 + idNumberCheckChar(first17));
    expect(result.ok && result.facts.sex).toBe('男');
  });

  it('masks all but the first and last four characters', () => {
    expect(maskIdNumber('64010419850612001X')).toBe('6401**********001X');
  });
});

describe('checkIdNumber’s birth date', () => {
  // A number with the date and a right check character: what is left is the date's check.
  const withDate = (date: string) => {
    const first17 = `110105${date}002`;
    return first17 + idNumberCheckChar(first17);
  };
  it('is a day of the calendar exactly when Date says so, 1900 onwards', () => {
    for (let y = 1899; y <= 2104; y++)
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++) {
          const date = `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
          const utc = new Date(Date.UTC(y, m - 1, d));
          const real =
            y >= 1900 &&
            utc.getUTCFullYear() === y &&
            utc.getUTCMonth() === m - 1 &&
            utc.getUTCDate() === d;
          const check = checkIdNumber(withDate(date));
          if (check.ok !== real) expect(`${date} ${JSON.stringify(check)}`).toBe(`${real}`);
          if (!real) expect(check).toEqual({ ok: false, message: '身份证号中的出生日期无效' });
        }
  });
});

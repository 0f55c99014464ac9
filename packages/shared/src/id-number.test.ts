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

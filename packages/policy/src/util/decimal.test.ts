import { describe, expect, it } from 'vitest';
import { divRound, formatFen, formatRatio, mulRatio, parseRatio, yuanToFen } from './decimal.ts';

describe('exact numbers', () => {
  it('parses coefficients, percentages and fractions exactly', () => {
    expect(parseRatio('1.75')).toEqual({ num: 7, den: 4 });
    expect(parseRatio(1.3)).toEqual({ num: 13, den: 10 });
    expect(parseRatio('70%')).toEqual({ num: 7, den: 10 });
    expect(parseRatio('2/5')).toEqual({ num: 2, den: 5 });
    expect(parseRatio('1.2倍')).toEqual({ num: 6, den: 5 });
    expect(parseRatio('abc')).toBeUndefined();
  });
  it('keeps money in integer fen', () => {
    expect(yuanToFen('2000')).toBe(200000);
    expect(yuanToFen('2000.5')).toBe(200050);
    expect(yuanToFen(1300)).toBe(130000);
    expect(yuanToFen('1.234')).toBeUndefined();
  });
  it('multiplies fen by a coefficient without floating point (004 附件: 2000 × 1.75 = 3500)', () => {
    expect(mulRatio(200000, parseRatio('1.75')!, 'half-up')).toBe(350000);
    expect(mulRatio(200000, parseRatio('1.15')!, 'half-up')).toBe(230000);
    // Beyond 2^53 the product is computed with BigInt.
    expect(mulRatio(9_000_000_000_000, parseRatio('1.5')!, 'half-up')).toBe(13_500_000_000_000);
  });
  it('rounds integer division explicitly', () => {
    expect(divRound(450, 500, 'floor')).toBe(0);
    expect(divRound(450, 500, 'ceil')).toBe(1);
    expect(divRound(5, 2, 'half-even')).toBe(2);
    expect(divRound(7, 2, 'half-up')).toBe(4);
    expect(divRound(-7, 2, 'floor')).toBe(-4);
  });
  it('formats for explanations', () => {
    expect(formatRatio(parseRatio('1.3')!, 2)).toBe('1.30');
    // As the pages show money (004 附件 base 2600元, 银川 (二十) 10000元 award).
    expect(formatFen(260000)).toBe('2,600.00元');
    expect(formatFen(213333)).toBe('2,133.33元');
    expect(formatFen(1000000)).toBe('10,000.00元');
  });
});

import { describe, expect, it } from 'vitest';
import { yuanDigits, yuanText } from './money.ts';

describe('money text', () => {
  it('writes fen as 元 with thousands commas and two decimals, as the tables do', () => {
    // 银川 职业化 (二十): 满20年 5000元, 满30年 10000元; 004 附件 四岗十八级 base 2600元.
    expect(yuanText(500000)).toBe('5,000.00元');
    expect(yuanText(1000000)).toBe('10,000.00元');
    expect(yuanText(260000)).toBe('2,600.00元');
    expect(yuanDigits(12345)).toBe('123.45');
    expect(yuanDigits(5)).toBe('0.05');
    expect(yuanDigits(-123456789)).toBe('-1,234,567.89');
    expect(yuanDigits(0)).toBe('0.00');
  });
});

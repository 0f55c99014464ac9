import { describe, expect, it } from 'vitest';
import { yuan, yuanText } from './pay-format.ts';

describe('money shown as 元 with two decimals', () => {
  it('keeps the fen digits, even when they are zero', () => {
    expect(yuanText(500000)).toBe('5,000.00元');
    expect(yuanText(123450)).toBe('1,234.50元');
    expect(yuan(5)).toBe('0.05');
  });

  it('keeps the sign of a deduction and shows a dash when there is no figure', () => {
    expect(yuan(-12345)).toBe('-123.45');
    expect(yuanText(null)).toBe('—');
  });
});

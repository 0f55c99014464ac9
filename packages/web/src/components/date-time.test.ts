import { afterEach, describe, expect, it } from 'vitest';
import { dateTimeText } from './date-time.ts';

describe('dateTimeText', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
  });

  it('shows an instant as YYYY-MM-DD HH:mm:ss in the local clock (Beijing: UTC+8)', () => {
    process.env.TZ = 'Asia/Shanghai';
    expect(dateTimeText('2026-12-07T01:07:05.123Z')).toBe('2026-12-07 09:07:05');
    expect(dateTimeText('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00:00');
  });

  it('shows a dash when there is no time', () => {
    expect(dateTimeText(null)).toBe('—');
    expect(dateTimeText('')).toBe('—');
  });
});

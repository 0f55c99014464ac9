import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRealDate, isRealDateByDate, todayIso, ZIsoDate, ZPastDate } from './common.ts';

describe('todayIso (China civil date, kept for the day it holds for)', () => {
  afterEach(() => vi.useRealTimers());

  it('turns at midnight in China (16:00 UTC), forwards and back', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-06T15:59:59.999Z'));
    expect(todayIso()).toBe('2026-12-06');
    vi.setSystemTime(new Date('2026-12-06T16:00:00.000Z'));
    expect(todayIso()).toBe('2026-12-07');
    vi.setSystemTime(new Date('2026-12-07T15:59:59.999Z'));
    expect(todayIso()).toBe('2026-12-07');
    // A clock set back is not answered from the kept day.
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    expect(todayIso()).toBe('2026-01-01');
  });

  it('ZPastDate refuses a date after today in China and keeps an impossible date one message', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-06T16:30:00.000Z')); // 00:30 on 7 December in China
    expect(ZPastDate.safeParse('2026-12-07').success).toBe(true);
    const late = ZPastDate.safeParse('2026-12-08');
    expect(late.error?.issues.map((i) => i.message)).toEqual(['2026-12-08 晚于今天（2026-12-07）']);
    const bad = ZPastDate.safeParse('2027-02-30');
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['日期不存在']);
  });
});

describe('isRealDate', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  it('says what Date says, for every YYYY-MM-DD of the years around the edges', () => {
    const years = [
      ...Array.from({ length: 130 }, (_, i) => i),
      ...Array.from({ length: 260 }, (_, i) => 1850 + i),
      ...[2400, 2500, 9996, 9999],
    ];
    for (const y of years)
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++) {
          const value = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          if (isRealDate(value) !== isRealDateByDate(value)) expect(value).toBe('agreed');
        }
  });

  it('says what Date says for text of other shapes', () => {
    const odd = ['2019-3-1', '2019-03-1', '20190301', '2019/03/01', ' 2019-03-01', '2019-03-01 '];
    const more = ['2019-03-01-05', '+019-03-01', '2019-0a-01', '２０１９-03-01', '', '-', '--'];
    for (const value of [...odd, ...more, '2019--3-01', '2019-03--1', '0000-00-00'])
      expect(isRealDate(value)).toBe(isRealDateByDate(value));
  });

  it('keeps the schema’s messages', () => {
    expect(ZIsoDate.safeParse('2019-02-29').error?.issues[0]?.message).toBe('日期不存在');
    expect(ZIsoDate.safeParse('2020-02-29').success).toBe(true);
    expect(ZIsoDate.safeParse('1900-02-29').error?.issues[0]?.message).toBe('日期不存在');
  });
});

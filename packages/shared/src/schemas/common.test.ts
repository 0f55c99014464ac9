import { afterEach, describe, expect, it, vi } from 'vitest';
import { todayIso, ZPastDate } from './common.ts';

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

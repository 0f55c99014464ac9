import { z } from 'zod';

/** Days of a month of the (proleptic Gregorian) calendar; `m` from 1. */
export const daysInMonth = (y: number, m: number): number =>
  m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : m === 4 || m === 6 || m === 9 || m === 11
      ? 30
      : 31;

const digitsAt = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
};

/** Whether a `YYYY-MM-DD` names a day of the calendar: read in place for that shape (several
 * dates a row of a 100,000-row import), else through `Date` as before — years 0–99, which
 * `Date.UTC` takes for 1900–1999, are not real either way (a test compares the two). */
export const isRealDate = (value: string): boolean => {
  if (value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45) {
    const y = digitsAt(value, 0, 4);
    const m = digitsAt(value, 5, 7);
    const d = digitsAt(value, 8, 10);
    if (y >= 0 && m >= 0 && d >= 0)
      return y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
  }
  return isRealDateByDate(value);
};

/** `isRealDate` of any text, through `Date` (the definition the fast path is tested against). */
export const isRealDateByDate = (value: string): boolean => {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** An ISO date `YYYY-MM-DD` that exists in the calendar. */
export const ZIsoDate = z
  .string({ error: '请填写日期（YYYY-MM-DD）' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine(isRealDate, '日期不存在');

const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;
/** The last answer of `todayIso` and the China day it holds for, in epoch milliseconds. */
const today = { iso: '', from: 0, to: 0 };

export const todayIso = (): string => {
  // Dates are civil dates in China (UTC+8), whatever the server's time zone. Kept for the day
  // it holds for: a 100,000-row import checks several dates a row.
  const now = Date.now();
  if (now < today.from || now >= today.to) {
    const day = Math.floor((now + CHINA_MS) / DAY_MS);
    today.iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
    today.from = day * DAY_MS - CHINA_MS;
    today.to = today.from + DAY_MS;
  }
  return today.iso;
};

/**
 * A date of something that has happened (参加社区工作时间, 入职日期, 取证日期): not after today,
 * China's civil date on the machine that checks it (the server's, for what is stored).
 */
export const ZPastDate = ZIsoDate.superRefine((value, ctx) => {
  const today = todayIso();
  if (value > today && isRealDate(value))
    ctx.addIssue({ code: 'custom', message: `${value} 晚于今天（${today}）` });
});

/** Integer fen (分); never a float. */
export const ZFen = z
  .number({ error: '金额应为整数（分）' })
  .int('金额应为整数（分）')
  .min(0, '金额不能为负');

/** A division code: 6 digits (county and above), 12 (street, community) or 15 (grid). */
export const ZOrgCode = z.string().regex(/^(\d{6}|\d{12}|\d{15})$/, '机构代码应为6、12或15位数字');

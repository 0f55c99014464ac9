// ISO calendar dates (`YYYY-MM-DD`) as plain strings; arithmetic through UTC day numbers so no
// time zone can move a date. The engine has no clock: every date comes from the caller.
import { daysInMonth } from '@shegong/shared';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when the text is a real calendar date in `YYYY-MM-DD` form. */
export const isIsoDate = (text: string): boolean => {
  const m = ISO.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
};

/** Parts of an ISO date (no validation; call isIsoDate first for untrusted text). */
export const dateParts = (date: string): { y: number; m: number; d: number } => ({
  y: Number(date.slice(0, 4)),
  m: Number(date.slice(5, 7)),
  d: Number(date.slice(8, 10)),
});

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Builds an ISO date from parts. */
export const makeDate = (y: number, m: number, d: number): string =>
  `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** Days in a month (1-based month): the shared schemas' (one calendar rule for the project). */
export { daysInMonth };

/** Days since 1970-01-01. */
export const dayNumber = (date: string): number => {
  const { y, m, d } = dateParts(date);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
};

/** The ISO date of a day number. */
export const fromDayNumber = (n: number): string =>
  new Date(n * 86_400_000).toISOString().slice(0, 10);

/** Adds days (negative to go back). */
export const addDays = (date: string, days: number): string =>
  fromDayNumber(dayNumber(date) + days);

/**
 * Adds calendar months; a day past the end of the target month is clamped to its last day
 * (2024-01-31 + 1 month = 2024-02-29).
 */
export const addMonths = (date: string, months: number): string => {
  const { y, m, d } = dateParts(date);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return makeDate(ny, nm, Math.min(d, daysInMonth(ny, nm)));
};

/** Adds calendar years (29 February becomes 28 February in a common year). */
export const addYears = (date: string, years: number): string => addMonths(date, years * 12);

/** Whole calendar months from `from` to `to` (0 when `to` is before the first monthiversary). */
export const completedMonths = (from: string, to: string): number => {
  if (to <= from) return 0;
  const a = dateParts(from);
  const b = dateParts(to);
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  if (addMonths(from, months) > to) months -= 1;
  return Math.max(0, months);
};

/**
 * Completed years of age on a date ("周岁"): the birthday must have been reached.
 * @example ageOn('1984-06-12', '2024-06-11') // 39
 */
export const ageOn = (birthDate: string, onDate: string): number =>
  Math.floor(completedMonths(birthDate, onDate) / 12);

/** First day of the month of a date. */
export const monthStart = (date: string): string => `${date.slice(0, 7)}-01`;

/** Last day of the month of a date. */
export const monthEnd = (date: string): string => {
  const { y, m } = dateParts(date);
  return makeDate(y, m, daysInMonth(y, m));
};

/** The later of two dates. */
export const maxDate = (a: string, b: string): string => (a > b ? a : b);

/** The earlier of two dates. */
export const minDate = (a: string, b: string): string => (a < b ? a : b);

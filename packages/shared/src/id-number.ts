import { daysInMonth } from './schemas/common.ts';

// 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
// (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character of the first 17 digits of an ID number. */
export const idNumberCheckChar = (first17: string): string => {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
};

export type TIdNumberFacts = { birthDate: string; sex: '男' | '女'; regionCode: string };

export type TIdNumberCheck =
  | { ok: true; value: string; facts: TIdNumberFacts }
  | { ok: false; message: string };

/** A day of the calendar, for a year of 1900 or later (what `Date.UTC` would say, without a
 * `Date` for each of a large import's numbers). */
const isValidDate = (y: number, m: number, d: number): boolean =>
  m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

/**
 * Validates an 18-character ID number and derives birth date and sex from it.
 * Accepts a lower-case `x` and surrounding spaces; returns the normalised value.
 * @example checkIdNumber('11010519491231002X') // { ok: true, facts: { birthDate: '1949-12-31', sex: '女', ... } }
 */
export const checkIdNumber = (input: string): TIdNumberCheck => {
  const value = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) {
    return { ok: false, message: '身份证号应为18位，前17位为数字，最后一位为数字或X' };
  }
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  if (y < 1900 || !isValidDate(y, m, d)) {
    return { ok: false, message: '身份证号中的出生日期无效' };
  }
  if (idNumberCheckChar(value.slice(0, 17)) !== value[17]) {
    return { ok: false, message: '身份证号校验位错误' };
  }
  return { ok: true, value, facts: idNumberFacts(value) };
};

/** What an ID number already checked by `checkIdNumber` (its normalised value) tells: birth
 * date, sex and region — for a caller that has the value from a schema that checked it. */
export const idNumberFacts = (value: string): TIdNumberFacts => ({
  birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
  sex: Number(value[16]) % 2 === 1 ? '男' : '女',
  regionCode: value.slice(0, 6),
});

/** Masks an ID number for lists and exports: 6401**********1234. */
export const maskIdNumber = (value: string): string =>
  value.length < 8
    ? '*'.repeat(value.length)
    : `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;

/** Masks a mobile number: 138****5678. */
export const maskPhone = (value: string): string =>
  value.length < 7 ? '*'.repeat(value.length) : `${value.slice(0, 3)}****${value.slice(-4)}`;

import { addDays, addMonths, completedMonths, dayNumber, minDate } from './util/dates.ts';

/** One period of community work; `to` is the last day worked (inclusive), open when absent. */
export type TServicePeriod = { from: string; to?: string | null | undefined };

/** The detail behind a service-years figure, for explanations. */
export type TServiceYearsDetail = {
  years: number;
  months: number;
  days: number;
  periods: { from: string; to: string | null; months: number; days: number }[];
};

/**
 * Years of community work (社区工作年限) completed on a date — the one function the engine and
 * the server use for this figure.
 *
 * Rules (003 二.4 allows periods within the province to be added up; 004 (十七) counts actual
 * years of community work):
 * - a period runs from `from` up to and including `to` (the last day worked); an open period runs
 *   up to the day before `onDate`, so the count on an anniversary already includes that year;
 * - periods after `onDate` are ignored and overlapping periods are merged, never counted twice;
 * - each period gives whole calendar months (date to same date) plus the leftover days; with
 *   several periods the leftover days are added up and every 30 days make one more month;
 * - years are whole: total months divided by 12, rounded down ("满N年").
 *
 * @example serviceYears([{ from: '2015-03-10' }], '2020-03-10') // 5
 * @example serviceYears([{ from: '2015-03-10' }], '2020-03-09') // 4
 * @example serviceYears([{ from: '2010-01-01', to: '2012-06-30' }, { from: '2014-01-01' }], '2016-07-01') // 5
 */
export const serviceYears = (periods: readonly TServicePeriod[], onDate: string): number => {
  // One open period (nearly every worker of a list): its whole months up to the date over 12 —
  // what the general path gives for it (one span, nothing to merge, leftover days not added),
  // without its spans and detail (a test compares the two).
  const only = periods.length === 1 ? periods[0]! : undefined;
  if (only && !only.to) return Math.floor(completedMonths(only.from, onDate) / 12);
  return serviceYearsDetail(periods, onDate).years;
};

/** serviceYears with its working: months, leftover days and the merged periods. */
export const serviceYearsDetail = (
  periods: readonly TServicePeriod[],
  onDate: string,
): TServiceYearsDetail => {
  // Half-open intervals [from, endExclusive), clipped to the evaluation date.
  const spans = periods
    .filter((p) => p.from < onDate)
    .map((p) => ({
      from: p.from,
      end: p.to ? minDate(addDays(p.to, 1), onDate) : onDate,
      open: !p.to,
    }))
    .filter((s) => s.end > s.from)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: { from: string; end: string; open: boolean }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.from <= last.end) {
      if (s.end > last.end) last.end = s.end;
      last.open = last.open || s.open;
    } else merged.push({ ...s });
  }
  let months = 0;
  let days = 0;
  const detail: TServiceYearsDetail['periods'] = [];
  for (const s of merged) {
    const m = completedMonths(s.from, s.end);
    const anniversary = addMonths(s.from, m);
    const d = dayNumber(s.end) - dayNumber(anniversary);
    months += m;
    days += d;
    detail.push({ from: s.from, to: s.open ? null : addDays(s.end, -1), months: m, days: d });
  }
  // Leftover days of different periods add up; every 30 of them make a month. A single period
  // keeps its anniversary meaning (its leftover is always less than a calendar month).
  if (merged.length > 1) {
    months += Math.floor(days / 30);
    days %= 30;
  }
  return { years: Math.floor(months / 12), months, days, periods: detail };
};

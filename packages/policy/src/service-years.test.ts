import { describe, expect, it } from 'vitest';
import { serviceYears, serviceYearsDetail } from './service-years.ts';

describe('serviceYears (003 二.4 累计; 004 (十七) 实际工作年限)', () => {
  it('counts completed years up to the anniversary', () => {
    expect(serviceYears([{ from: '2015-03-10' }], '2020-03-09')).toBe(4);
    expect(serviceYears([{ from: '2015-03-10' }], '2020-03-10')).toBe(5);
  });
  it('gives 0 before the first anniversary and for a start on the date', () => {
    expect(serviceYears([{ from: '2020-01-01' }], '2020-12-31')).toBe(0);
    expect(serviceYears([{ from: '2020-01-01' }], '2020-01-01')).toBe(0);
  });
  it('ignores periods that start after the date', () => {
    expect(serviceYears([{ from: '2030-01-01' }], '2024-01-01')).toBe(0);
  });
  it('adds up several periods within the province', () => {
    // 2010-01-01..2012-06-30 is 30 months; 2014-01-01..2016-06-30 is 30 months.
    expect(
      serviceYears(
        [{ from: '2010-01-01', to: '2012-06-30' }, { from: '2014-01-01' }],
        '2016-07-01',
      ),
    ).toBe(5);
  });
  it('adds the leftover days of several periods, 30 days making a month', () => {
    // 11 months 20 days + 20 days = 11 months 40 days = 12 months 10 days.
    const d = serviceYearsDetail(
      [
        { from: '2020-01-01', to: '2020-12-20' },
        { from: '2022-03-01', to: '2022-03-20' },
      ],
      '2024-01-01',
    );
    expect(d.months).toBe(12);
    expect(d.years).toBe(1);
  });
  it('does not count overlapping periods twice', () => {
    expect(
      serviceYears(
        [
          { from: '2010-01-01', to: '2015-12-31' },
          { from: '2014-01-01', to: '2016-12-31' },
        ],
        '2020-01-01',
      ),
    ).toBe(7);
  });
  it('treats 29 February as 28 February in a common year', () => {
    expect(serviceYears([{ from: '2016-02-29' }], '2017-02-28')).toBe(1);
    expect(serviceYears([{ from: '2016-02-29' }], '2017-02-27')).toBe(0);
  });
  it('explains its working', () => {
    const d = serviceYearsDetail([{ from: '2015-03-10' }], '2020-05-01');
    expect(d).toMatchObject({
      years: 5,
      months: 61,
      days: 21,
      periods: [{ from: '2015-03-10', to: null }],
    });
  });
});

const fromDay = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
const dayOf = (d: string) =>
  Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 86_400_000;

describe('serviceYears of one open period', () => {
  it('gives for one open period (its short path) what the general path gives, every start against many dates', () => {
    // Starts on every day of 1999–2001 and around leap days and month ends; dates after and before.
    const starts: string[] = [];
    for (let n = dayOf('1999-01-01'); n <= dayOf('2001-12-31'); n++) starts.push(fromDay(n));
    starts.push('2000-02-29', '2004-02-29', '2023-01-31', '2024-01-31', '2024-03-31', '2026-12-07');
    const dates = [
      '1998-12-31',
      '1999-01-01',
      '2000-02-28',
      '2000-02-29',
      '2001-02-28',
      '2001-03-01',
      '2004-02-28',
      '2004-02-29',
      '2005-02-28',
      '2005-03-01',
      '2024-02-29',
      '2025-02-28',
      '2026-12-06',
      '2026-12-07',
      '2026-12-08',
      '2026-12-31',
      '2027-01-01',
    ];
    for (let n = dayOf('2010-01-01'); n <= dayOf('2013-01-10'); n += 7) dates.push(fromDay(n));
    let checked = 0;
    for (const from of starts) {
      for (const on of dates) {
        expect(serviceYears([{ from, to: null }], on), `${from} → ${on}`).toBe(
          serviceYearsDetail([{ from, to: null }], on).years,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });
});

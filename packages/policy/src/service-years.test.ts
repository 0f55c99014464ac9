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

import { serviceYears } from '@shegong/policy';
import { describe, expect, it } from 'vitest';
import { workerServiceYears } from './worker-view.ts';

const fromDay = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
const dayOf = (d: string) =>
  Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 86_400_000;

describe('workerServiceYears', () => {
  it('equals serviceYears of the periods for one open period (the fast path), every start against many dates', () => {
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
        const row = { serviceStartedOn: from, priorService: [], exitedOn: null };
        expect(workerServiceYears(row, on), `${from} → ${on}`).toBe(
          serviceYears([{ from, to: null }], on),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  it('takes the general path with earlier periods or an exit, as before', () => {
    const prior = [{ from: '2010-01-01', to: '2012-06-30', place: '银川市' }];
    expect(
      workerServiceYears(
        { serviceStartedOn: '2014-01-01', priorService: prior, exitedOn: null },
        '2016-07-01',
      ),
    ).toBe(5);
    expect(
      workerServiceYears(
        { serviceStartedOn: '2015-03-10', priorService: [], exitedOn: '2018-03-09' },
        '2026-12-07',
      ),
    ).toBe(serviceYears([{ from: '2015-03-10', to: '2018-03-09' }], '2026-12-07'));
    expect(
      workerServiceYears(
        { serviceStartedOn: '2015-03-10', priorService: [], exitedOn: '2018-03-09' },
        '2026-12-07',
      ),
    ).toBe(3);
  });
});

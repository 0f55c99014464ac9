import { serviceYears } from '@shegong/policy';
import { describe, expect, it } from 'vitest';
import { workerServiceYears } from './worker-view.ts';

describe('workerServiceYears', () => {
  it('counts earlier periods and ends at the exit', () => {
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

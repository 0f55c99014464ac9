import { describe, expect, it } from 'vitest';
import {
  candidatesOf,
  rankApplications,
  type TRankInput,
  weightedTotal,
} from './rank-applications.ts';

const app = (
  id: string,
  w: number,
  i: number,
  p = 0,
  extra: Partial<TRankInput> = {},
): TRankInput => ({
  id,
  postId: 'P',
  review: '通过',
  writtenScore: w * 100,
  interviewScore: i * 100,
  priorityCount: p,
  medical: null,
  background: null,
  createdAt: `2026-01-0${id.length}`,
  ...extra,
});

describe('recruitment ranking', () => {
  it('weighs written and interview scores exactly (40% × 80 + 60% × 85.5 = 83.30)', () => {
    expect(weightedTotal(8000, 8550, { written: 40, interview: 60 })).toBe(8330);
    expect(weightedTotal(8000, null, { written: 40, interview: 60 })).toBeNull();
  });

  it('puts the applicant with a priority first on an equal total (银川 (五) 同等条件下优先)', () => {
    const r = rankApplications([app('a', 80, 80, 0), app('bb', 80, 80, 1), app('ccc', 90, 90)], {
      written: 50,
      interview: 50,
    });
    expect(r.get('ccc')?.rank).toBe(1);
    expect(r.get('bb')?.rank).toBe(2);
    expect(r.get('a')?.rank).toBe(3);
    expect(r.get('bb')?.tieBreak).toContain('优先条件');
  });

  it('leaves out those who failed the review and fills a seat from the next in rank', () => {
    const apps = [
      app('a', 95, 95, 0, { medical: '不合格' }),
      app('bb', 90, 90),
      app('ccc', 85, 85),
      app('dddd', 99, 99, 0, { review: '不通过' }),
    ];
    const r = rankApplications(apps, { written: 50, interview: 50 });
    expect(r.get('dddd')?.rank).toBeNull();
    expect(candidatesOf(apps, r, new Map([['P', 2]])).map((a) => a.id)).toEqual(['bb', 'ccc']);
  });
});

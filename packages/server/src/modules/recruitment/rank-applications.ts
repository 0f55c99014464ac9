// 招聘 ranking: the weighted total of the written exam and the interview; equal totals are
// ordered by the pack's priorities (银川 (五): 同等条件下优先聘用持证、本社区居民), then by
// the written score. Scores are hundredths of a point, weights whole percents: exact integers.

export type TRankInput = {
  id: string;
  postId: string;
  review: string;
  writtenScore: number | null;
  interviewScore: number | null;
  priorityCount: number;
  medical: string | null;
  background: string | null;
  createdAt: string;
};

export type TRanked = {
  id: string;
  total: number | null;
  rank: number | null;
  tieBreak: string | null;
};

/** Weighted total in hundredths, rounded half-up; null until both scores are in. */
export const weightedTotal = (
  written: number | null,
  interview: number | null,
  weights: { written: number; interview: number },
): number | null => {
  if (written === null || interview === null) return null;
  const x = written * weights.written + interview * weights.interview; // hundredths × percent
  return Math.floor((x + 50) / 100);
};

/**
 * Ranks the applications of each post that passed the qualification review and have both
 * scores: by total, then priorities, then the written score. Equal on all three share a rank.
 */
export const rankApplications = (
  apps: readonly TRankInput[],
  weights: { written: number; interview: number },
): Map<string, TRanked> => {
  const out = new Map<string, TRanked>();
  const byPost = new Map<string, (TRankInput & { total: number })[]>();
  for (const a of apps) {
    const total =
      a.review === '通过' ? weightedTotal(a.writtenScore, a.interviewScore, weights) : null;
    out.set(a.id, { id: a.id, total, rank: null, tieBreak: null });
    if (total === null) continue;
    const list = byPost.get(a.postId) ?? [];
    list.push({ ...a, total });
    byPost.set(a.postId, list);
  }
  for (const list of byPost.values()) {
    list.sort(
      (a, b) =>
        b.total - a.total ||
        b.priorityCount - a.priorityCount ||
        (b.writtenScore ?? 0) - (a.writtenScore ?? 0) ||
        a.createdAt.localeCompare(b.createdAt),
    );
    list.forEach((a, i) => {
      const prev = list[i - 1];
      const same =
        prev &&
        prev.total === a.total &&
        prev.priorityCount === a.priorityCount &&
        prev.writtenScore === a.writtenScore;
      const rank = same ? (out.get(prev.id)?.rank ?? i + 1) : i + 1;
      const tiedTotal = list.filter((b) => b.total === a.total).length > 1;
      let tieBreak: string | null = null;
      if (tiedTotal) {
        const others = list.filter((b) => b.total === a.total && b.id !== a.id);
        if (others.some((b) => b.priorityCount !== a.priorityCount))
          tieBreak = `总成绩相同，按优先条件排序（本人${a.priorityCount}项）`;
        else if (others.some((b) => b.writtenScore !== a.writtenScore))
          tieBreak = '总成绩和优先条件相同，按笔试成绩排序';
        else tieBreak = '总成绩、优先条件和笔试成绩均相同，并列';
      }
      out.set(a.id, { id: a.id, total: a.total, rank, tieBreak });
    });
  }
  return out;
};

/**
 * Who is to be hired for each post: down the ranking, skipping those who failed the medical or
 * the background check (递补), until the seats are filled.
 */
export const candidatesOf = (
  apps: readonly TRankInput[],
  ranked: ReadonlyMap<string, TRanked>,
  seats: ReadonlyMap<string, number>,
): TRankInput[] => {
  const out: TRankInput[] = [];
  for (const [postId, n] of seats) {
    const list = apps
      .filter((a) => a.postId === postId && ranked.get(a.id)?.rank != null)
      .sort((a, b) => (ranked.get(a.id)?.rank ?? 0) - (ranked.get(b.id)?.rank ?? 0));
    let taken = 0;
    for (const a of list) {
      if (taken >= n) break;
      if (a.medical === '不合格' || a.background === '不合格') continue;
      out.push(a);
      taken++;
    }
  }
  return out;
};

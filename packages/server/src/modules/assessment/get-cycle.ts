import { AppError, ASSESSMENT_GRADES } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { listProposals } from '../todo/proposals.ts';
import { findCycle, listCycleWorkers, listResults, listScores } from './assessment.repo.ts';
import { cycleRule } from './record-results.ts';

/** A cycle with its workers, their grade of the year (from the archive) and scores. */
export const getCycle = async (ctx: TCtx, id: string) => {
  const cycle = await findCycle(ctx.db, ctx.actor.scope, id);
  if (!cycle) throw new AppError('NOT_FOUND', '考核不存在');
  const workers = await listCycleWorkers(ctx.db, ctx.actor.scope, cycle);
  const ids = workers.map((w) => w.worker.id);
  const [results, scores] = await Promise.all([
    listResults(ctx.db, ids, cycle.year),
    listScores(ctx.db, cycle.id),
  ]);
  const gradeOf = new Map(
    results.map((r) => [r.workerId, r.data as { grade: string; note?: string }]),
  );
  const scoreOf = new Map(scores.map((s) => [s.workerId, s]));
  const rows = workers.map(({ worker: w, communityName, streetName }) => ({
    workerId: w.id,
    name: w.name,
    communityName: communityName ?? '',
    streetName: streetName ?? '',
    postTitle: w.postTitle,
    status: w.status,
    grade: gradeOf.get(w.id)?.grade ?? null,
    note: gradeOf.get(w.id)?.note ?? null,
    scores: scoreOf.get(w.id)?.scores ?? {},
    total: scoreOf.get(w.id)?.total ?? null,
  }));
  const counts = Object.fromEntries(
    ASSESSMENT_GRADES.map((g) => [g, rows.filter((r) => r.grade === g).length]),
  );
  const proposals = (await listProposals(ctx.db, ctx.actor.scope, { under: cycle.orgPath })).filter(
    (p) => ids.includes(p.workerId) && ['exit', 'reward', 'grade-step'].includes(p.kind),
  );
  return { cycle, rule: cycleRule(ctx, cycle), workers: rows, counts, proposals };
};

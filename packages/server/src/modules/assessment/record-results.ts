import { parseRatio } from '@shegong/policy';
import { AppError, type TFieldIssue, type ZAssessmentResults } from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import {
  findCycle,
  listCycleWorkers,
  listResults,
  type TCycleRow,
  updateArchiveData,
  upsertScore,
} from './assessment.repo.ts';

/** The pack's assessment rule of a cycle (cap on 优秀, rewards, dimensions). */
export const cycleRule = (ctx: TCtx, cycle: TCycleRow) => {
  const { policies } = ctx.services;
  if (!cycle.packId || !policies.has(cycle.packId)) return null;
  try {
    return policies.at(cycle.packId, `${cycle.year}-12-31`).workflow({}).value.assessment;
  } catch {
    // The pack is not in force in that year.
    return null;
  }
};

/** Weighted total in hundredths: Σ score × weight% (scores in hundredths). */
export const weightedScore = (
  scores: Record<string, number>,
  dimensions: readonly { name: string; weight: number }[],
): number | null => {
  if (!dimensions.every((d) => typeof scores[d.name] === 'number')) return null;
  const x = dimensions.reduce((s, d) => s + (scores[d.name] as number) * d.weight, 0);
  return Math.floor((x + 50) / 100);
};

/**
 * Records a cycle's results: dimension scores (weighted total) and the grade, which is the
 * worker's archive item of the year (one per year: a later grade corrects it, audited). A cap
 * on 优秀 in the pack is checked over the cycle's workers.
 */
export const recordResults = (
  ctx: TCtx,
  cycleId: string,
  input: z.output<typeof ZAssessmentResults>,
) =>
  inTransaction(ctx, async (tx) => {
    const cycle = await findCycle(tx.db, tx.actor.scope, cycleId);
    if (!cycle) throw new AppError('NOT_FOUND', '考核不存在');
    if (cycle.status !== '进行中') throw new AppError('CONFLICT', `该考核已${cycle.status}`);
    const workers = await listCycleWorkers(tx.db, tx.actor.scope, cycle);
    const byId = new Map(workers.map((w) => [w.worker.id, w.worker]));
    const issues: TFieldIssue[] = [];
    const names = new Set(cycle.dimensions.map((d) => d.name));
    input.results.forEach((r, i) => {
      if (!byId.has(r.workerId))
        issues.push({ field: `results.${i}.workerId`, message: '该人员不在本次考核范围内' });
      for (const k of Object.keys(r.scores ?? {}))
        if (!names.has(k))
          issues.push({ field: `results.${i}.scores.${k}`, message: `“${k}”不是本次考核的内容` });
    });
    if (issues.length)
      throw new AppError('VALIDATION_FAILED', issues[0]?.message ?? '考核结果有误', {
        where: { field: issues[0]?.field },
        issues,
      });
    const existing = new Map(
      (await listResults(tx.db, [...byId.keys()], cycle.year)).map((i) => [i.workerId, i]),
    );
    const grades = new Map(
      [...existing].map(([id, i]) => [id, (i.data as { grade?: string }).grade ?? null]),
    );
    let changed = 0;
    for (const r of input.results) {
      const w = byId.get(r.workerId);
      if (!w) continue;
      if (r.scores && Object.keys(r.scores).length) {
        const total = weightedScore(r.scores, cycle.dimensions);
        await upsertScore(tx.db, {
          cycleId,
          workerId: w.id,
          countyCode: w.countyCode,
          scores: r.scores,
          total,
        });
      }
      if (!r.grade) continue;
      const item = existing.get(w.id);
      const data = { year: cycle.year, grade: r.grade, ...(r.note ? { note: r.note } : {}) };
      grades.set(w.id, r.grade);
      if (!item) {
        await addArchiveItem(tx, w.id, {
          kind: 'assessment',
          startOn: `${cycle.year}-12-31`,
          data,
        });
        changed++;
      } else if ((item.data as { grade?: string }).grade !== r.grade) {
        await updateArchiveData(tx.db, item, { ...item.data, ...data });
        await writeAudit(tx.db, {
          actorId: tx.actor.id,
          actorName: tx.actor.username,
          action: 'archive-update',
          entity: 'worker',
          entityId: w.id,
          orgPath: w.orgPath,
          before: { itemId: item.id, data: item.data },
          after: { itemId: item.id, data: { ...item.data, ...data } },
          reason: `${cycle.year}年度考核`,
        });
        changed++;
      }
    }
    // A cap on 优秀 (if the pack sets one) over the cycle's workers.
    const rule = cycleRule(tx, cycle);
    const cap = rule?.excellentShareMax ? parseRatio(rule.excellentShareMax) : null;
    if (cap && rule) {
      const excellent = [...grades.values()].filter((g) => g === '优秀').length;
      const allowed = Math.floor((workers.length * cap.num) / cap.den);
      if (excellent > allowed)
        throw new AppError(
          'VALIDATION_FAILED',
          `优秀等次不得超过参加考核人数的${rule.excellentShareMax}：本次${workers.length}人，最多${allowed}人优秀，现为${excellent}人（${rule.source}）`,
          { where: { field: 'results' } },
        );
    }
    return { changed };
  });

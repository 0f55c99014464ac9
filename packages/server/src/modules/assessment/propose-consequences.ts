import { AppError, todayIso } from '@shegong/shared';
import { inTransaction, type TCtx } from '../../context.ts';
import { proposalTitle, proposeInTx, type TProposalRow } from '../todo/proposals.ts';
import { alertsOf, loadRecords, workerPolicyInput } from '../todo/worker-policy.ts';
import { findCycle, listCycleWorkers } from './assessment.repo.ts';
import { cycleRule } from './record-results.ts';

/**
 * 考核结果运用: from a cycle's results, the consequences the pack gives, each as a proposal an
 * approver decides: exit (or non-renewal) on consecutive 不合格 (银川 (十四), 温州 二(九)), a
 * reward for 优秀 where the pack names one (长春新区 二(九)), and a grade step where the pack's
 * years and grades give a higher grade at the end of the year than at the end of the last one.
 */
export const proposeConsequences = (ctx: TCtx, cycleId: string) =>
  inTransaction(ctx, async (tx) => {
    const cycle = await findCycle(tx.db, tx.actor.scope, cycleId);
    if (!cycle) throw new AppError('NOT_FOUND', '考核不存在');
    const { policies } = tx.services;
    if (!cycle.packId || !policies.has(cycle.packId))
      throw new AppError('VALIDATION_FAILED', '考核未设置适用的政策包');
    const yearEnd = `${cycle.year}-12-31`;
    const today = todayIso();
    const onDate = yearEnd < today ? yearEnd : today;
    const pack = policies.at(cycle.packId, onDate);
    let lastYear: ReturnType<typeof policies.at> | null = null;
    try {
      lastYear = policies.at(cycle.packId, `${cycle.year - 1}-12-31`);
    } catch {
      // The pack was not in force a year earlier: no grade to compare with.
    }
    const rule = cycleRule(tx, cycle);
    const records = await loadRecords(tx.db, await listCycleWorkers(tx.db, tx.actor.scope, cycle));
    const out: { proposal: TProposalRow; created: boolean }[] = [];
    const notes: string[] = [];
    for (const rec of records) {
      const w = rec.worker;
      if (w.status === '已退出') continue;
      const result = rec.archive.find(
        (i) => i.kind === 'assessment' && (i.data as { year?: number }).year === cycle.year,
      );
      if (!result) continue;
      const grade = (result.data as { grade: string }).grade;
      const base = { workerId: w.id, orgPath: w.orgPath, countyCode: w.countyCode };
      for (const a of alertsOf(pack, rec, onDate)) {
        if (a.kind !== '考核' || a.level !== 'overdue') continue;
        out.push(
          await proposeInTx(tx, {
            ...base,
            title: proposalTitle('exit', w.name),
            reason: a.message,
            rule: a.rule,
            ruleSource: a.source,
            payload: { kind: 'exit', exitOn: today, reason: a.message },
            origin: `assessment:${cycle.id}`,
            dedupeKey: `exit:${w.id}:${a.rule}:${cycle.year}`,
          }),
        );
      }
      const reward = rule?.rewards.find((r) => r.grade === grade);
      if (reward && rule)
        out.push(
          await proposeInTx(tx, {
            ...base,
            title: proposalTitle('reward', w.name),
            reason: `${cycle.year}年度考核为${grade}：${reward.reward}`,
            rule: rule.rule,
            ruleSource: rule.source,
            payload: {
              kind: 'reward',
              on: today,
              title: `${cycle.year}年度考核${grade}`,
              amountFen: null,
            },
            origin: `assessment:${cycle.id}`,
            dedupeKey: `reward:${w.id}:${cycle.year}`,
          }),
        );
      // A grade step: the pack's grade at this year's end against last year's end.
      if (!w.postTitle || !lastYear) continue;
      try {
        const now = pack.grade(workerPolicyInput(rec, yearEnd));
        const lastInput = workerPolicyInput(rec, `${cycle.year - 1}-12-31`);
        lastInput.assessments = Object.fromEntries(
          Object.entries(lastInput.assessments ?? {}).filter(([y]) => Number(y) < cycle.year),
        );
        const before = lastYear.grade(lastInput);
        const from = before.value.grade;
        const to = now.value.grade;
        if (from !== null && to !== null && to > from) {
          const step =
            now.trace.find((s) => s.rule !== 'input' && /grade|ladder|promotion/.test(s.rule)) ??
            now.trace[0];
          out.push(
            await proposeInTx(tx, {
              ...base,
              title: proposalTitle('grade-step', w.name),
              reason: `${cycle.year}年度考核为${grade}，岗位等级由${from}级晋升为${to}级：${step?.note ?? ''}`,
              rule: step?.rule ?? null,
              ruleSource: step?.source ?? null,
              payload: {
                kind: 'grade-step',
                year: cycle.year,
                from,
                to,
                monthlyFen: now.value.basePayFen,
              },
              origin: `assessment:${cycle.id}`,
              dedupeKey: `grade-step:${w.id}:${cycle.year}`,
            }),
          );
        }
      } catch (e) {
        notes.push(`${w.name}：无法计算岗位等级（${(e as Error).message}）`);
      }
    }
    return {
      proposals: out.map((p) => ({
        id: p.proposal.id,
        kind: p.proposal.kind,
        title: p.proposal.title,
        status: p.proposal.status,
        created: p.created,
      })),
      created: out.filter((p) => p.created).length,
      notes: notes.slice(0, 50),
    };
  });

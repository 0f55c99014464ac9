import type { TCompiledPack } from '@shegong/policy';
import type { TRuleCheck } from '@shegong/shared';
import type { TExecutor } from '../../db/client.ts';
import { addDays, addMonths } from '../todo/dates.ts';
import { streetPathOf, workflowOf } from '../todo/worker-policy.ts';
import type { TWorkerRow } from '../worker/worker.repo.ts';
import { secondmentsOf, streetWorkers } from './secondment.repo.ts';

export type TSecondmentAsk = {
  kind: string;
  borrowerKind: string;
  fromOn: string;
  toOn: string;
};

const overlapsYear = (s: { from: string; to: string | null }, year: string) =>
  s.from <= `${year}-12-31` && (s.to === null || s.to >= `${year}-01-01`);

/**
 * The pack's limits on a secondment, checked when it is requested and again when approved:
 * who may borrow (003 六.17: not organs at county level and above), the longest secondment and
 * the most per person (银川 (十一): 6个月、2次), and the street's yearly share (5%), evaluated
 * by the pack's own target with this person counted in. Each check names its rule and clause.
 */
export const checkSecondment = async (
  db: TExecutor,
  pack: TCompiledPack,
  w: TWorkerRow,
  ask: TSecondmentAsk,
  excludeRequest: { workerId: string; from: string } | null = null,
): Promise<TRuleCheck[]> => {
  const wf = workflowOf(pack, w.postTitle);
  const checks: TRuleCheck[] = [];
  for (const b of wf.borrowing) {
    const forbidden = b.forbidden.includes(ask.borrowerKind);
    checks.push({
      rule: b.rule,
      source: b.source,
      passed: !forbidden,
      message: forbidden
        ? `${ask.borrowerKind}不得借调社区工作者：${b.description}（${b.source}）`
        : b.approval
          ? `${b.approval}（${b.source}）`
          : b.description,
    });
  }
  const mine = (await secondmentsOf(db, [w.id])).filter(
    (s) =>
      !(excludeRequest && s.workerId === excludeRequest.workerId && s.from === excludeRequest.from),
  );
  for (const l of wf.secondmentLimits) {
    if (l.maxMonths !== null) {
      const last = addDays(addMonths(ask.fromOn, l.maxMonths), -1);
      const ok = ask.toOn <= last;
      checks.push({
        rule: l.rule,
        source: l.source,
        passed: ok,
        message: ok
          ? `${ask.fromOn}至${ask.toOn}，未超过${l.maxMonths}个月（${l.source}）`
          : `${l.description}：申请${ask.fromOn}至${ask.toOn}，超过${l.maxMonths}个月（最迟${last}）（${l.source}）`,
      });
    }
    if (l.maxCount !== null) {
      const count = mine.length + 1;
      const ok = count <= l.maxCount;
      checks.push({
        rule: l.rule,
        source: l.source,
        passed: ok,
        message: ok
          ? `本次为第${count}次，累计不超过${l.maxCount}次（${l.source}）`
          : `${l.description}：本人已有${mine.length}次借调（挂职），累计不得超过${l.maxCount}次（${l.source}）`,
      });
    }
  }
  // The street's yearly share, through the pack's street targets (seconded counted per year).
  const year = ask.fromOn.slice(0, 4);
  const people = await streetWorkers(db, streetPathOf(w.orgPath));
  const theirs = await secondmentsOf(
    db,
    people.map((p) => p.id),
  );
  const seconded = new Set(
    theirs
      .filter((s) => overlapsYear(s, year))
      .filter(
        (s) =>
          !(
            excludeRequest &&
            s.workerId === excludeRequest.workerId &&
            s.from === excludeRequest.from
          ),
      )
      .map((s) => s.workerId),
  );
  const input = (withThis: boolean) => ({
    scope: 'street' as const,
    workers: people.map((p) => ({
      ...(p.postTitle ? { post: p.postTitle } : {}),
      education: p.educationLevel as '本科',
      educationRecognised: p.educationRecognised,
      certificate: p.certificateLevel as '无',
      localResident: p.livesInCommunity,
      birthDate: p.birthDate,
      seconded: seconded.has(p.id) || (withThis && p.id === w.id),
    })),
  });
  try {
    const before = pack.compliance(input(false)).value.targets;
    const after = pack.compliance(input(true)).value.targets;
    for (const t of after) {
      const prev = before.find((x) => x.rule === t.rule);
      if (!prev || prev.count === t.count) continue;
      checks.push({
        rule: t.rule,
        source: t.source,
        passed: t.met || t.status === '未到期',
        message: `${t.description}：本街道实有社区工作者${t.total}人，${year}年已借调（挂职）${prev.count}人，再安排1人为${t.count}人（${t.actual}），${
          t.met ? '未超过' : '超过'
        }${t.required}（${t.source}）`,
      });
    }
  } catch {
    // The pack sets no street target: nothing to check.
  }
  return checks;
};

import { AppError } from '@shegong/shared';
import { inTransaction, type TCtx } from '../../context.ts';
import { addDays, addMonths } from '../todo/dates.ts';
import { proposalTitle, proposeInTx } from '../todo/proposals.ts';
import {
  alertsOf,
  currentContract,
  loadWorker,
  packForPath,
  workflowOf,
} from '../todo/worker-policy.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';

/**
 * Signs a contract or renews one, as the pack sets it for the post: its kind, its length
 * (一年一签: one year) or its end with the two-committee term (the term's last day given), and
 * no renewal while a rule the pack names forbids it (温州 二(六): 3年内未取得证书不予续签).
 */
export const signContract = (
  ctx: TCtx,
  workerId: string,
  input: { startOn: string; endOn?: string | null | undefined; number?: string | null | undefined },
) =>
  inTransaction(ctx, async (tx) => {
    const rec = await loadWorker(tx.db, tx.actor.scope, workerId);
    if (!rec) throw new AppError('NOT_FOUND', '工作者不存在');
    const w = rec.worker;
    if (w.status === '已退出') throw new AppError('CONFLICT', `${w.name}已退出`);
    const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, input.startOn);
    const policy = workflowOf(pack, w.postTitle).contract;
    if (!policy)
      throw new AppError('VALIDATION_FAILED', `${pack.name}未规定${w.postTitle ?? ''}的合同形式`);
    if (policy.afterProbation && w.status === '试用期')
      throw new AppError(
        'CONFLICT',
        `${policy.description}：试用期至${w.probationUntil ?? ''}，请先办理转正（${policy.source}）`,
      );
    const current = currentContract(rec.archive, input.startOn);
    if (current?.endOn && current.endOn >= input.startOn)
      throw new AppError(
        'CONFLICT',
        `现合同至${current.endOn}，续签应自${addDays(current.endOn, 1)}起`,
        { where: { field: 'startOn' } },
      );
    const isRenewal = rec.archive.some((i) => i.kind === 'contract');
    if (isRenewal && policy.noRenewalWhen.length) {
      const blocking = alertsOf(pack, rec, input.startOn).filter(
        (a) => a.level === 'overdue' && policy.noRenewalWhen.some((r) => r.rule === a.rule),
      );
      if (blocking.length)
        throw new AppError(
          'VALIDATION_FAILED',
          `不予续签：${blocking.map((a) => `${a.message}（${a.source}）`).join('；')}`,
          { where: { field: 'startOn' } },
        );
    }
    let endOn: string | null;
    if (policy.years) endOn = addDays(addMonths(input.startOn, 12 * policy.years), -1);
    else if (policy.endsWithTerm) {
      if (!input.endOn)
        throw new AppError('VALIDATION_FAILED', `请填写本届任期届满日期（${policy.description}）`, {
          where: { field: 'endOn' },
        });
      endOn = input.endOn;
    } else endOn = input.endOn ?? null;
    if (!endOn && policy.type !== '无固定期限')
      throw new AppError('VALIDATION_FAILED', '请填写合同终止日期', { where: { field: 'endOn' } });
    if (endOn && endOn < input.startOn)
      throw new AppError('VALIDATION_FAILED', '终止日期不能早于开始日期', {
        where: { field: 'endOn' },
      });
    const type = policy.type ?? (endOn ? '固定期限' : '无固定期限');
    const item = await addArchiveItem(tx, w.id, {
      kind: 'contract',
      startOn: input.startOn,
      endOn,
      data: {
        type: type as '一年一签',
        probationMonths: 0,
        ...(input.number ? { number: input.number } : {}),
      },
    });
    return { id: item.id, type, startOn: input.startOn, endOn, renewal: isRenewal };
  });

/** 试用期满: proposes that a worker on probation becomes 在岗 (decided by an approver). */
export const proposeProbationEnd = (ctx: TCtx, workerId: string, on: string) =>
  inTransaction(ctx, async (tx) => {
    const rec = await loadWorker(tx.db, tx.actor.scope, workerId);
    if (!rec) throw new AppError('NOT_FOUND', '工作者不存在');
    const w = rec.worker;
    if (w.status !== '试用期')
      throw new AppError('CONFLICT', `${w.name}当前状态为${w.status}，不在试用期`);
    const pack = await packForPath(tx.db, tx.services.policies, w.orgPath, on);
    const wf = workflowOf(pack, w.postTitle);
    const { proposal } = await proposeInTx(tx, {
      workerId: w.id,
      orgPath: w.orgPath,
      countyCode: w.countyCode,
      title: proposalTitle('probation-end', w.name),
      reason: `试用期至${w.probationUntil ?? ''}，${on}转正${
        wf.contract?.afterProbation ? `，转正后签订劳动合同（${wf.contract.source}）` : ''
      }`,
      rule: wf.probation?.rule ?? null,
      ruleSource: wf.probation?.source ?? null,
      payload: { kind: 'probation-end', on, contract: null },
      origin: 'contract',
      dedupeKey: `probation-end:${w.id}:${w.probationUntil ?? on}`,
    });
    return { id: proposal.id };
  });

import {
  AppError,
  PROPOSAL_KIND_LABELS,
  type TProposalKind,
  type TProposalStatus,
  type TProposalView,
  todayIso,
} from '@shegong/shared';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx, type TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { org, worker, workflowProposal } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { pathInScope } from '../org/org-scope.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import { updateWorker } from '../worker/update-worker.ts';
import { findWorkerInScope } from '../worker/worker.repo.ts';

// Decisions that change a person's status are proposals: a workflow (or a user) proposes, and
// someone with `workflow:approve` approves; only then is the change made, in the same
// transaction as the approval, through the worker's own use cases (archive + audit).

export type TProposalRow = typeof workflowProposal.$inferSelect;

/** What approving a proposal does, by kind. */
export type TProposalPayload =
  | { kind: 'exit'; exitOn: string; reason: string }
  | {
      kind: 'probation-end';
      on: string;
      contract: { type: string; startOn: string; endOn: string | null } | null;
    }
  | { kind: 'grade-step'; year: number; from: number; to: number; monthlyFen: number | null }
  | { kind: 'reward' | 'honour'; on: string; title: string; amountFen: number | null }
  | { kind: 'career'; on: string; text: string };

export type TNewProposal = {
  workerId: string;
  orgPath: string;
  countyCode: string;
  title: string;
  reason: string;
  rule: string | null;
  ruleSource: string | null;
  payload: TProposalPayload;
  origin: string | null;
  dedupeKey: string;
};

/**
 * Records a proposal unless one for the same situation exists (the dedupe key); returns it and
 * whether it is new. Call inside the caller's transaction.
 */
export const proposeInTx = async (
  ctx: TCtx,
  p: TNewProposal,
): Promise<{ proposal: TProposalRow; created: boolean }> => {
  const existing = (
    await ctx.db
      .select()
      .from(workflowProposal)
      .where(eq(workflowProposal.dedupeKey, p.dedupeKey))
      .limit(1)
  )[0];
  if (existing) return { proposal: existing, created: false };
  const row = {
    id: newId(),
    kind: p.payload.kind,
    workerId: p.workerId,
    orgPath: p.orgPath,
    countyCode: p.countyCode,
    title: p.title,
    reason: p.reason,
    rule: p.rule,
    ruleSource: p.ruleSource,
    payload: p.payload as Record<string, unknown>,
    origin: p.origin,
    dedupeKey: p.dedupeKey,
    createdBy: ctx.actor.id,
  };
  const [inserted] = await ctx.db.insert(workflowProposal).values(row).returning();
  await writeAudit(ctx.db, {
    actorId: ctx.actor.id,
    actorName: ctx.actor.username,
    action: 'propose',
    entity: 'workflow_proposal',
    entityId: row.id,
    orgPath: p.orgPath,
    after: {
      kind: row.kind,
      workerId: row.workerId,
      title: row.title,
      reason: row.reason,
      rule: row.rule,
      ruleSource: row.ruleSource,
      payload: row.payload,
    },
  });
  return { proposal: inserted as TProposalRow, created: true };
};

const findProposal = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(workflowProposal)
      .where(and(eq(workflowProposal.id, id), pathInScope(workflowProposal.orgPath, scope)))
      .limit(1)
  )[0];

/** Carries out an approved proposal through the worker's use cases (archive and audit). */
const carryOut = async (tx: TCtx, p: TProposalRow) => {
  const payload = p.payload as TProposalPayload;
  const current = await findWorkerInScope(tx.db, tx.actor.scope, p.workerId);
  if (!current) throw new AppError('NOT_FOUND', '工作者不存在');
  switch (payload.kind) {
    case 'exit':
      if (current.status === '已退出')
        throw new AppError('CONFLICT', `${current.name}已于${current.exitedOn ?? ''}退出`);
      await updateWorker(tx, p.workerId, {
        version: current.version,
        status: '已退出',
        effectiveOn: payload.exitOn,
        reason: `${payload.reason}（${p.ruleSource ?? '经审批'}）`,
      });
      return;
    case 'probation-end':
      if (current.status !== '试用期')
        throw new AppError('CONFLICT', `${current.name}当前状态为${current.status}，不在试用期`);
      await updateWorker(tx, p.workerId, {
        version: current.version,
        status: '在岗',
        effectiveOn: payload.on,
        reason: '试用期满，经审批转正',
      });
      if (payload.contract)
        await addArchiveItem(tx, p.workerId, {
          kind: 'contract',
          startOn: payload.contract.startOn,
          endOn: payload.contract.endOn,
          data: { type: payload.contract.type as '一年一签', probationMonths: 0 },
        });
      return;
    case 'grade-step':
      if (payload.monthlyFen !== null)
        await addArchiveItem(tx, p.workerId, {
          kind: 'pay',
          startOn: `${payload.year + 1}-01-01`,
          data: {
            reason: `${payload.year}年度考核后岗位等级由${payload.from}级晋升为${payload.to}级`,
            monthlyFen: payload.monthlyFen,
          },
        });
      else
        await addArchiveItem(tx, p.workerId, {
          kind: 'note',
          startOn: `${payload.year + 1}-01-01`,
          data: {
            text: `${payload.year}年度考核后岗位等级由${payload.from}级晋升为${payload.to}级（${p.ruleSource ?? ''}）`,
          },
        });
      return;
    case 'reward':
    case 'honour':
      await addArchiveItem(tx, p.workerId, {
        kind: 'reward',
        startOn: payload.on,
        data: {
          title: payload.title,
          ...(payload.amountFen !== null ? { amountFen: payload.amountFen } : {}),
        },
      });
      return;
    case 'career':
      await addArchiveItem(tx, p.workerId, {
        kind: 'note',
        startOn: payload.on,
        data: { text: payload.text },
      });
      return;
  }
};

/** Approves or rejects a pending proposal in scope; approval carries it out. */
export const decideProposal = (
  ctx: TCtx,
  id: string,
  decision: { approve: boolean; note?: string | undefined },
) =>
  inTransaction(ctx, async (tx) => {
    const p = await findProposal(tx.db, tx.actor.scope, id);
    if (!p) throw new AppError('NOT_FOUND', '处理建议不存在');
    if (p.status !== '待审批')
      throw new AppError('CONFLICT', `该建议已${p.status}`, { where: { field: 'status' } });
    if (decision.approve) await carryOut(tx, p);
    const status: TProposalStatus = decision.approve ? '已批准' : '已驳回';
    const decidedAt = new Date().toISOString();
    await tx.db
      .update(workflowProposal)
      .set({
        status,
        decidedBy: tx.actor.id,
        decidedAt,
        decisionNote: decision.note ?? null,
      })
      .where(and(eq(workflowProposal.id, p.id), eq(workflowProposal.countyCode, p.countyCode)));
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: decision.approve ? 'approve' : 'reject',
      entity: 'workflow_proposal',
      entityId: p.id,
      orgPath: p.orgPath,
      before: { status: p.status },
      after: { status, kind: p.kind, workerId: p.workerId, title: p.title },
      reason: decision.note ?? null,
    });
    return { id: p.id, status };
  });

/** Proposals in scope, newest first (a worker sees only their own). */
export const listProposals = async (
  db: TExecutor,
  scope: TScope,
  filters: {
    under?: string;
    status?: TProposalStatus | undefined;
    kind?: TProposalKind | undefined;
    workerId?: string | undefined;
    limit?: number;
  },
): Promise<TProposalView[]> => {
  const conditions: SQL[] = [pathInScope(workflowProposal.orgPath, scope)];
  if (scope.kind === 'self') conditions.push(eq(workflowProposal.workerId, scope.workerId));
  if (filters.under) conditions.push(sql`${workflowProposal.orgPath} like ${`${filters.under}%`}`);
  if (filters.status) conditions.push(eq(workflowProposal.status, filters.status));
  if (filters.kind) conditions.push(eq(workflowProposal.kind, filters.kind));
  if (filters.workerId) conditions.push(eq(workflowProposal.workerId, filters.workerId));
  const rows = await db
    .select({ p: workflowProposal, workerName: worker.name, communityName: org.name })
    .from(workflowProposal)
    .leftJoin(
      worker,
      and(
        eq(worker.id, workflowProposal.workerId),
        eq(worker.countyCode, workflowProposal.countyCode),
      ),
    )
    .leftJoin(org, eq(org.code, worker.communityCode))
    .where(and(...conditions))
    .orderBy(desc(workflowProposal.createdAt))
    .limit(filters.limit ?? 500);
  return rows.map(({ p, workerName, communityName }) => ({
    id: p.id,
    kind: p.kind as TProposalKind,
    workerId: p.workerId,
    workerName: workerName ?? '',
    communityName: communityName ?? '',
    title: p.title,
    reason: p.reason,
    rule: p.rule,
    ruleSource: p.ruleSource,
    payload: p.payload,
    status: p.status as TProposalStatus,
    createdAt: p.createdAt,
    decidedAt: p.decidedAt,
    decisionNote: p.decisionNote,
  }));
};

/** Pending proposals in scope. */
export const countPendingProposals = async (db: TExecutor, scope: TScope, under: string) => {
  const conditions: SQL[] = [
    pathInScope(workflowProposal.orgPath, scope),
    sql`${workflowProposal.orgPath} like ${`${under}%`}`,
    eq(workflowProposal.status, '待审批'),
  ];
  if (scope.kind === 'self') conditions.push(eq(workflowProposal.workerId, scope.workerId));
  const rows = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(workflowProposal)
    .where(and(...conditions));
  return rows[0]?.n ?? 0;
};

/** The label of a proposal kind with the worker's name, for titles. */
export const proposalTitle = (kind: TProposalKind, name: string) =>
  `${name}：${PROPOSAL_KIND_LABELS[kind]}`;

export { todayIso };

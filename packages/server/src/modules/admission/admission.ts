import { AppError, todayIso, type ZCreateWorkItemRequest } from '@shegong/shared';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { org, workItemRequest } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope, type TOrgRow } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';
import { packForPath } from '../todo/worker-policy.ts';

// 社区工作事项准入清单: the governing pack's list (银川 附件2, 24 items) and the items added on
// request (须经审核同意、费随事转) for the node's area.

const requestScope = (ctx: TCtx): SQL =>
  ctx.actor.scope.kind === 'self'
    ? sql`false`
    : pathInScope(workItemRequest.orgPath, ctx.actor.scope);

/** Requests for a node: made at it, above it (they apply to it) or below it. */
const related = (node: TOrgRow): SQL =>
  sql`(${workItemRequest.orgPath} like ${`${node.path}%`} or ${node.path} like ${workItemRequest.orgPath} || '%')`;

export const listRequests = (ctx: TCtx, node: TOrgRow, status?: string) =>
  ctx.db
    .select({ request: workItemRequest, orgName: org.name })
    .from(workItemRequest)
    .leftJoin(org, eq(org.code, workItemRequest.orgCode))
    .where(
      and(
        requestScope(ctx),
        related(node),
        status ? eq(workItemRequest.status, status) : undefined,
      ),
    )
    .orderBy(desc(workItemRequest.createdAt))
    .limit(500);

/** The admission list of a node: the pack's items and the approved additions. */
export const admissionList = async (ctx: TCtx, node: TOrgRow) => {
  let list = null;
  try {
    const pack = await packForPath(ctx.db, ctx.services.policies, node.path, todayIso());
    list = { packName: pack.name, ...(pack.workflow({}).value.workItems ?? {}) };
  } catch {
    // No pack above this node.
  }
  const added = await listRequests(ctx, node, '已批准');
  return {
    org: { code: node.code, name: node.name },
    list: list && 'items' in list ? list : null,
    added: added.map((r) => ({ ...r.request, orgName: r.orgName ?? '' })),
  };
};

/** A request to add an item; an item already on the pack's list cannot be requested again. */
export const requestWorkItem = (ctx: TCtx, input: z.output<typeof ZCreateWorkItemRequest>) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, tx.actor.scope, input.orgCode);
    if (!node || tx.actor.scope.kind === 'self')
      throw new AppError('NOT_FOUND', `机构 ${input.orgCode} 不存在`);
    const { list, added } = await admissionList(tx, node);
    const clash = [
      ...(list?.items ?? []).map((i) => `第${i.no}项“${i.name}”`),
      ...added.map((a) => `“${a.name}”`),
    ].find((x) => x.includes(`“${input.name}”`));
    if (clash) throw new AppError('CONFLICT', `准入清单已有${clash}`, { where: { field: 'name' } });
    const row = {
      id: newId(),
      orgCode: node.code,
      orgPath: node.path,
      countyCode: node.countyCode,
      name: input.name,
      departments: input.departments,
      content: input.content,
      reason: input.reason,
      funding: input.funding,
      createdBy: tx.actor.id,
    };
    await tx.db.insert(workItemRequest).values(row);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'request',
      entity: 'work_item_request',
      entityId: row.id,
      orgPath: node.path,
      after: row,
    });
    return { id: row.id };
  });

/** Approves (the item joins the list of the node's area) or refuses a request. */
export const decideWorkItem = (
  ctx: TCtx,
  id: string,
  decision: { approve: boolean; note?: string | undefined },
) =>
  inTransaction(ctx, async (tx) => {
    const r = (
      await tx.db
        .select()
        .from(workItemRequest)
        .where(and(eq(workItemRequest.id, id), requestScope(tx)))
        .limit(1)
    )[0];
    if (!r) throw new AppError('NOT_FOUND', '准入申请不存在');
    if (r.status !== '待审批') throw new AppError('CONFLICT', `该申请已${r.status}`);
    const status = decision.approve ? '已批准' : '已驳回';
    await tx.db
      .update(workItemRequest)
      .set({
        status,
        decidedBy: tx.actor.id,
        decidedAt: new Date().toISOString(),
        decisionNote: decision.note ?? null,
      })
      .where(eq(workItemRequest.id, id));
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: decision.approve ? 'approve' : 'reject',
      entity: 'work_item_request',
      entityId: id,
      orgPath: r.orgPath,
      before: { status: r.status },
      after: { status, name: r.name },
      reason: decision.note ?? null,
    });
    return { id, status };
  });

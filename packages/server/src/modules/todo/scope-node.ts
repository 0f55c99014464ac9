import { AppError } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { findOrgInScope, type TOrgRow } from '../org/org.repo.ts';

/**
 * The node a workflow request is about: `code` when given (404 outside the scope, as if it did
 * not exist), else the caller's own node.
 */
export const nodeInScope = async (ctx: TCtx, code: string | undefined): Promise<TOrgRow> => {
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, code ?? ctx.actor.scope.orgCode);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${code ?? ''} 不存在`);
  return node;
};

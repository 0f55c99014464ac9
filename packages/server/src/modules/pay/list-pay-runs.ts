import { AppError, type TPayRunDetail, type TPayStreetRow } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { findRunInScope, listLines, listRuns, listStreetsUnder } from './pay.repo.ts';
import { toLineView, toRunView } from './pay-views.ts';

/** The streets under a node with their 工资发放表 of the month (or none yet), and totals. */
export const listPayStreets = async (ctx: TCtx, org: string | undefined, month: string) => {
  const code = org ?? ctx.actor.scope.orgCode;
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, code);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
  const streets = await listStreetsUnder(ctx.db, ctx.actor.scope, node.path, month);
  const runs = new Map(
    (
      await listRuns(
        ctx.db,
        ctx.actor.scope,
        node.level === 'community' ? (streets[0]?.path ?? node.path) : node.path,
        month,
      )
    ).map((r) => [r.streetCode, toRunView(r)]),
  );
  const rows: (TPayStreetRow & { workers: number })[] = streets.map((s) => ({
    streetCode: s.code,
    streetName: s.name,
    countyName: s.countyName ?? '',
    workers: s.workers,
    run: runs.get(s.code) ?? null,
  }));
  const computed = rows.filter((r) => r.run && r.run.version > 0);
  return {
    node: { code: node.code, name: node.name, level: node.level },
    month,
    streets: rows,
    totals: {
      streets: rows.length,
      computed: computed.length,
      locked: rows.filter((r) => r.run?.status === 'locked').length,
      workers: computed.reduce((s, r) => s + (r.run?.workerCount ?? 0), 0),
      openCount: computed.reduce((s, r) => s + (r.run?.openCount ?? 0), 0),
      totalFen: computed.reduce((s, r) => s + (r.run?.totalFen ?? 0), 0),
      arrearsFen: computed.reduce((s, r) => s + (r.run?.arrearsFen ?? 0), 0),
    },
  };
};

export const getPayRun = async (ctx: TCtx, id: string): Promise<TPayRunDetail> => {
  const run = await findRunInScope(ctx.db, ctx.actor.scope, id);
  if (!run) throw new AppError('NOT_FOUND', '工资表不存在');
  return { run: toRunView(run), lines: (await listLines(ctx.db, id)).map(toLineView) };
};

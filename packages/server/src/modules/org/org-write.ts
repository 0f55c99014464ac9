import type { ZMoveOrg, ZUpdateOrg } from '@shegong/shared';
import {
  AppError,
  CHILD_LEVEL,
  codeFitsParent,
  type TCreateOrg,
  type TOrgFact,
  type TOrgLevel,
} from '@shegong/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { org, orgFact, orgMove, worker } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { applyCommunityMoveStats, refreshOrgStats } from '../stats/stat-maintenance.ts';
import { alignRecordsToWorkerCounty } from '../worker/worker.repo.ts';
import { findOrgInScope } from './org.repo.ts';

const audit = (
  ctx: TCtx,
  entry: {
    action: string;
    entityId: string;
    orgPath: string;
    before?: unknown;
    after?: unknown;
    reason?: string;
  },
) =>
  writeAudit(ctx.db, {
    actorId: ctx.actor.id,
    actorName: ctx.actor.username,
    entity: 'org',
    ...entry,
  });

/**
 * Adds a node below a node of the caller's scope. Its level is the parent's next level and its
 * code must fit the parent's (GB/T 2260 above county, 12-digit statistical codes below).
 */
export const createOrg = (ctx: TCtx, input: TCreateOrg, knownPack: (id: string) => boolean) =>
  inTransaction(ctx, async (tx) => {
    const parent = await findOrgInScope(tx.db, ctx.actor.scope, input.parentCode);
    if (!parent)
      throw new AppError('NOT_FOUND', `上级机构 ${input.parentCode} 不存在`, {
        where: { field: 'parentCode' },
      });
    const level = CHILD_LEVEL[parent.level as TOrgLevel];
    if (!level)
      throw new AppError('VALIDATION_FAILED', '网格下不能再设下级', {
        where: { field: 'parentCode' },
      });
    if (!codeFitsParent(level, input.code, parent.code)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `代码 ${input.code} 不是“${parent.name}”下的有效${levelName(level)}代码`,
        {
          where: { field: 'code' },
          issues: [{ field: 'code', message: `应以上级代码开头，${codeHint(level)}` }],
        },
      );
    }
    if (input.packId && !knownPack(input.packId)) {
      throw new AppError('VALIDATION_FAILED', `政策包 ${input.packId} 不存在`, {
        where: { field: 'packId' },
      });
    }
    const exists = await tx.db.select({ code: org.code }).from(org).where(eq(org.code, input.code));
    if (exists.length > 0)
      throw new AppError('CONFLICT', `代码 ${input.code} 已被使用`, { where: { field: 'code' } });
    const row = {
      code: input.code,
      parentCode: parent.code,
      level,
      name: input.name,
      path: `${parent.path}${input.code}/`,
      packId: input.packId ?? null,
      countyCode: level === 'county' ? input.code : parent.countyCode,
    };
    await tx.db.insert(org).values(row);
    await refreshOrgStats(tx.db, row.code);
    await audit(tx, { action: 'create', entityId: row.code, orgPath: row.path, after: row });
    return row;
  });

export const updateOrg = (
  ctx: TCtx,
  code: string,
  input: z.infer<typeof ZUpdateOrg>,
  knownPack: (id: string) => boolean,
) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, ctx.actor.scope, code);
    if (!node) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
    if (input.packId && !knownPack(input.packId)) {
      throw new AppError('VALIDATION_FAILED', `政策包 ${input.packId} 不存在`, {
        where: { field: 'packId' },
      });
    }
    const set: Partial<typeof org.$inferInsert> = {};
    if (input.name !== undefined && input.name !== node.name) set.name = input.name;
    if (input.packId !== undefined && input.packId !== node.packId) set.packId = input.packId;
    if (Object.keys(set).length === 0) return node;
    await tx.db
      .update(org)
      .set({ ...set, updatedAt: new Date().toISOString() })
      .where(eq(org.code, code));
    await refreshOrgStats(tx.db, code);
    const before = Object.fromEntries(
      Object.keys(set).map((k) => [k, node[k as keyof typeof node]]),
    );
    await audit(tx, { action: 'update', entityId: code, orgPath: node.path, before, after: set });
    return { ...node, ...set };
  });

/**
 * Moves a community to another street on a date: the community and its grids take the new
 * path, its workers follow (their org path), and the move is kept with its date and reason.
 * Both streets must be in the caller's scope.
 */
export const moveCommunity = (ctx: TCtx, code: string, input: z.infer<typeof ZMoveOrg>) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, ctx.actor.scope, code);
    if (node?.level !== 'community') throw new AppError('NOT_FOUND', `社区 ${code} 不存在`);
    const target = await findOrgInScope(tx.db, ctx.actor.scope, input.toParentCode);
    if (target?.level !== 'street') {
      throw new AppError('VALIDATION_FAILED', `目标街道 ${input.toParentCode} 不存在`, {
        where: { field: 'toParentCode' },
      });
    }
    if (target.code === node.parentCode) {
      throw new AppError('VALIDATION_FAILED', '社区已属于该街道', {
        where: { field: 'toParentCode' },
      });
    }
    const oldPath = node.path;
    const newPath = `${target.path}${node.code}/`;
    const prefix = `${oldPath}%`;
    await tx.db
      .update(org)
      .set({
        path: sql`${newPath} || substr(${org.path}, ${oldPath.length + 1})`,
        countyCode: target.countyCode,
      })
      .where(sql`${org.path} like ${prefix}`);
    await tx.db.update(org).set({ parentCode: target.code }).where(eq(org.code, node.code));
    const moved = await tx.db
      .update(worker)
      .set({
        orgPath: sql`${newPath} || substr(${worker.orgPath}, ${oldPath.length + 1})`,
        countyCode: target.countyCode ?? node.countyCode ?? '',
      })
      .where(sql`${worker.orgPath} like ${prefix}`)
      .returning({ id: worker.id });
    if ((target.countyCode ?? node.countyCode) !== node.countyCode)
      await alignRecordsToWorkerCounty(
        tx.db,
        moved.map((m) => m.id),
      );
    await applyCommunityMoveStats(tx.db, node.code, oldPath);
    await tx.db.insert(orgMove).values({
      id: newId(),
      orgCode: node.code,
      fromParentCode: node.parentCode ?? '',
      toParentCode: target.code,
      effectiveOn: input.effectiveOn,
      reason: input.reason,
    });
    await audit(tx, {
      action: 'move',
      entityId: node.code,
      orgPath: newPath,
      before: { parentCode: node.parentCode, path: oldPath },
      after: {
        parentCode: target.code,
        path: newPath,
        effectiveOn: input.effectiveOn,
        workers: moved.length,
      },
      reason: input.reason,
    });
    return { code: node.code, path: newPath, workersMoved: moved.length };
  });

/**
 * Records facts of a community or grid as of a date. A new date adds a row (history is kept);
 * the same date corrects that row. Both are audited.
 */
export const recordOrgFact = (ctx: TCtx, code: string, input: TOrgFact) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, ctx.actor.scope, code);
    if (!node || (node.level !== 'community' && node.level !== 'grid')) {
      throw new AppError('NOT_FOUND', `社区或网格 ${code} 不存在`);
    }
    const values = {
      householdsRegistered: input.householdsRegistered ?? null,
      householdsResident: input.householdsResident ?? null,
      population: input.population ?? null,
      kind: input.kind ?? null,
      starRating: input.starRating ?? null,
      gridSatisfaction: input.gridSatisfaction ?? null,
      note: input.note ?? null,
    };
    const existing = (
      await tx.db
        .select()
        .from(orgFact)
        .where(and(eq(orgFact.orgCode, code), eq(orgFact.effectiveFrom, input.effectiveFrom)))
    )[0];
    if (existing) {
      await tx.db.update(orgFact).set(values).where(eq(orgFact.id, existing.id));
    } else {
      await tx.db.insert(orgFact).values({
        id: newId(),
        orgCode: code,
        countyCode: node.countyCode,
        effectiveFrom: input.effectiveFrom,
        ...values,
      });
    }
    await refreshOrgStats(tx.db, code);
    await audit(tx, {
      action: existing ? 'fact-correct' : 'fact-add',
      entityId: code,
      orgPath: node.path,
      before: existing ? { ...existing, id: undefined, createdAt: undefined } : undefined,
      after: { effectiveFrom: input.effectiveFrom, ...values },
    });
    return { code, effectiveFrom: input.effectiveFrom };
  });

const levelName = (level: string) =>
  ({
    province: '省级',
    city: '市级',
    county: '县级',
    street: '街道',
    community: '社区',
    grid: '网格',
  })[level] ?? level;

const codeHint = (level: string) =>
  ({
    province: '省级代码为6位且以0000结尾',
    city: '市级代码为6位且以00结尾',
    county: '县级代码为6位',
    street: '街道代码为12位：县级代码+3位街道号+000',
    community: '社区代码为12位：街道代码前9位+3位社区号',
    grid: '网格代码为15位：社区代码+3位网格号',
  })[level] ?? '';

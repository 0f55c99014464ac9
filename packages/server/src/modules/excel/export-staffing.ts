import type { Writable } from 'node:stream';
import type { TPolicyRegistry } from '@shegong/policy';
import { AppError, type TExportFormat, todayIso } from '@shegong/shared';
import { and, desc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { TCtx } from '../../context.ts';
import { org, orgFact, worker } from '../../db/schema/index.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { pathInScope } from '../org/org-scope.ts';
import { communityQuota } from '../quota/community-quota.ts';
import { workerInScope } from '../worker/worker.repo.ts';
import { createTableWriter, type TTableColumn } from './table-writer.ts';

export type TQuota = { min: number; max: number | null } | { note: string };

/**
 * The staffing quota (职数) of one community on a date, from its governing pack: the quota
 * module's figure (`modules/quota/community-quota.ts`), the same the 职数核定 page shows.
 */
export const quotaOfCommunity = (
  policies: TPolicyRegistry,
  packId: string | null,
  onDate: string,
  input: { households: number | null; residents: number | null; kind: string | null },
): TQuota => {
  const q = communityQuota(policies, packId, onDate, input);
  return 'note' in q ? q : { min: q.min, max: q.max };
};

const DETAIL: TTableColumn[] = [
  { header: '县（市、区）', type: 'text' },
  { header: '街道', type: 'text', width: 16 },
  { header: '社区', type: 'text', width: 18 },
  { header: '社区代码', type: 'text', width: 15 },
  { header: '社区类型', type: 'text' },
  { header: '统计日期', type: 'date', width: 12 },
  { header: '常住户数', type: 'int' },
  { header: '常住人口', type: 'int' },
  { header: '政策包', type: 'text', width: 16 },
  { header: '核定职数（下限）', type: 'int' },
  { header: '核定职数（上限）', type: 'int' },
  { header: '实有人数', type: 'int' },
  { header: '差额', type: 'int' },
  { header: '配备情况', type: 'text' },
  { header: '说明', type: 'text', width: 30 },
];

const SUMMARY: TTableColumn[] = [
  { header: '县（市、区）', type: 'text' },
  { header: '县级代码', type: 'text' },
  { header: '社区数', type: 'int' },
  { header: '常住户数', type: 'int' },
  { header: '核定职数（下限）', type: 'int' },
  { header: '核定职数（上限）', type: 'int' },
  { header: '实有人数', type: 'int' },
  { header: '缺配社区数', type: 'int' },
  { header: '超配社区数', type: 'int' },
  { header: '未核定社区数', type: 'int' },
];

const verdict = (q: TQuota, actual: number) => {
  if ('note' in q) return { diff: null, label: '未核定' };
  if (actual < q.min) return { diff: actual - q.min, label: '缺配' };
  if (q.max !== null && actual > q.max) return { diff: actual - q.max, label: '超配' };
  return { diff: 0, label: '符合' };
};

/**
 * 社区工作者配备明细表: every community of the scope (or of a node in it) with its households,
 * the quota its pack gives on the date, the active headcount (在岗、试用期、借调) and the
 * difference; a second sheet sums it per county.
 */
export const exportStaffing = async (
  ctx: TCtx,
  input: { org?: string | undefined; onDate?: string | undefined; format: TExportFormat },
  stream: Writable,
  onProgress: (done: number, total: number) => Promise<void> | void = () => {},
): Promise<{ rows: number }> => {
  const { db } = ctx.services.database;
  const scope = ctx.actor.scope;
  const onDate = input.onDate ?? todayIso();
  let under = scope.path;
  if (input.org) {
    const node = await findOrgInScope(db, scope, input.org);
    if (!node)
      throw new AppError('NOT_FOUND', `机构 ${input.org} 不存在`, { where: { field: 'org' } });
    under = node.path;
  }
  const communities = await db
    .select()
    .from(org)
    .where(
      and(
        eq(org.level, 'community'),
        pathInScope(org.path, scope),
        sql`${org.path} like ${`${under}%`}`,
      ),
    )
    .orderBy(org.path);
  const names = new Map(
    (
      await db
        .select({ code: org.code, name: org.name })
        .from(org)
        .where(sql`${org.level} in ('county', 'street')`)
    ).map((r) => [r.code, r.name]),
  );
  const packs = new Map(
    (
      await db.select({ code: org.code, packId: org.packId }).from(org).where(isNotNull(org.packId))
    ).map((r) => [r.code, r.packId]),
  );
  const facts = new Map(
    (
      await db
        .selectDistinctOn([orgFact.orgCode])
        .from(orgFact)
        .innerJoin(org, eq(org.code, orgFact.orgCode))
        .where(
          and(
            eq(org.level, 'community'),
            pathInScope(org.path, scope),
            lte(orgFact.effectiveFrom, onDate),
          ),
        )
        .orderBy(orgFact.orgCode, desc(orgFact.effectiveFrom))
    ).map((r) => [r.org_fact.orgCode, r.org_fact]),
  );
  const headcount = new Map(
    (
      await db
        .select({ code: worker.communityCode, n: sql<number>`count(*)`.mapWith(Number) })
        .from(worker)
        .where(and(workerInScope(scope), sql`${worker.status} <> '已退出'`))
        .groupBy(worker.communityCode)
    ).map((r) => [r.code, r.n]),
  );
  const writer = createTableWriter(stream, input.format, '配备明细表', DETAIL);
  type TSum = {
    name: string;
    communities: number;
    households: number;
    min: number;
    max: number | null;
    actual: number;
    short: number;
    over: number;
    open: number;
  };
  const counties = new Map<string, TSum>();
  let done = 0;
  for (const c of communities) {
    const segments = c.path.split('/').filter(Boolean);
    const packId =
      c.packId ??
      [...segments]
        .reverse()
        .map((code) => packs.get(code))
        .find(Boolean) ??
      null;
    const fact = facts.get(c.code);
    const households = fact?.householdsResident ?? fact?.householdsRegistered ?? null;
    const quota = quotaOfCommunity(ctx.services.policies, packId, onDate, {
      households,
      residents: fact?.population ?? null,
      kind: fact?.kind ?? null,
    });
    const actual = headcount.get(c.code) ?? 0;
    const v = verdict(quota, actual);
    const countyCode = c.countyCode ?? segments[3] ?? '';
    writer.addRow([
      names.get(countyCode) ?? countyCode,
      names.get(c.parentCode ?? '') ?? '',
      c.name,
      c.code,
      fact?.kind ?? null,
      fact?.effectiveFrom ?? null,
      fact?.householdsResident ?? fact?.householdsRegistered ?? null,
      fact?.population ?? null,
      packId,
      'note' in quota ? null : quota.min,
      'note' in quota ? null : quota.max,
      actual,
      v.diff,
      v.label,
      'note' in quota ? quota.note : quota.max === null ? '上限未规定' : null,
    ]);
    const sum = counties.get(countyCode) ?? {
      name: names.get(countyCode) ?? countyCode,
      communities: 0,
      households: 0,
      min: 0,
      max: 0,
      actual: 0,
      short: 0,
      over: 0,
      open: 0,
    };
    sum.communities++;
    sum.households += households ?? 0;
    sum.actual += actual;
    if ('note' in quota) sum.open++;
    else {
      sum.min += quota.min;
      sum.max = sum.max === null || quota.max === null ? null : sum.max + quota.max;
    }
    if (v.label === '缺配') sum.short++;
    if (v.label === '超配') sum.over++;
    counties.set(countyCode, sum);
    done++;
    if (done % 500 === 0) await onProgress(done, communities.length);
  }
  if (input.format === 'xlsx') {
    writer.addSheet('按县（市、区）汇总', SUMMARY);
    for (const [code, s] of counties) {
      writer.addRow([
        s.name,
        code,
        s.communities,
        s.households,
        s.min,
        s.max,
        s.actual,
        s.short,
        s.over,
        s.open,
      ]);
    }
  }
  await writer.finish();
  await onProgress(done, communities.length);
  return { rows: done };
};

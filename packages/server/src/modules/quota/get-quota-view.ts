import type { TCompiledPack, TPolicyRegistry } from '@shegong/policy';
import {
  AppError,
  TITLE_GROUPS,
  type TOrgLevel,
  type TQuotaLineSum,
  type TQuotaRow,
  type TQuotaStandard,
  type TQuotaView,
  type TRange,
  type TStaffingStatus,
  type TTitleGroup,
  todayIso,
} from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { effectivePackIds, findOrgInScope } from '../org/org.repo.ts';
import { batchCommunityQuotas, packOn, type TBatchCommunityQuota } from './community-quota.ts';
import {
  countGrids,
  countHeadcount,
  findNodes,
  listChildNodes,
  listCommunitiesWithFacts,
  listCountyNodes,
  type TCommunityRow,
  type TNodeRow,
} from './quota.repo.ts';

const GROUP_OF_TITLE = new Map<string, TTitleGroup>(
  TITLE_GROUPS.flatMap((g) => g.titles.map((t) => [t, g.key] as const)),
);

const emptyGroups = (): Record<TTitleGroup, number> => ({
  committee: 0,
  grid: 0,
  party: 0,
  staff: 0,
  unset: 0,
});

/** The figures of one community, computed once and summed into every row above it. */
export type TCommunityFigures = {
  row: TCommunityRow;
  packId: string | null;
  quota: TBatchCommunityQuota;
  actual: number;
  byGroup: Record<TTitleGroup, number>;
  grids: number;
  gridsWithoutWorker: number;
};

export const staffingStatus = (quota: TBatchCommunityQuota, actual: number): TStaffingStatus => {
  if ('note' in quota) return '未核定';
  if (actual < quota.min) return '缺配';
  if (quota.max !== null && actual > quota.max) return '超配';
  return '符合';
};

const addRange = (a: TRange | null, b: TRange): TRange => ({
  min: (a?.min ?? 0) + b.min,
  max: a && a.max === null ? null : b.max === null ? null : (a?.max ?? 0) + b.max,
});

/**
 * Quotas of every community under a node on a date, each under its governing pack (batch kernel,
 * grouped by pack), with the actual headcount and the grids that still need a grid worker.
 */
export const computeCommunityFigures = async (
  ctx: TCtx,
  under: string,
  onDate: string,
  countyNames: ReadonlyMap<string, string>,
  /** What-if: another registry, and the draft pack that stands in for a pack. */
  what: { policies?: TPolicyRegistry; remap?: (packId: string) => string } = {},
): Promise<{
  figures: TCommunityFigures[];
  meta: Map<string, Omit<TQuotaLineSum, 'min' | 'max'>>;
  notes: string[];
}> => {
  const { db, actor } = ctx;
  const communities = await listCommunitiesWithFacts(db, actor.scope, under, onDate);
  const [heads, grids, packs] = await Promise.all([
    countHeadcount(db, actor.scope, under, onDate),
    countGrids(db, actor.scope, under, onDate),
    effectivePackIds(
      db,
      communities.map((c) => c.path),
    ),
  ]);
  const byCommunity = new Map<string, { actual: number; byGroup: Record<TTitleGroup, number> }>();
  for (const h of heads) {
    let e = byCommunity.get(h.communityCode);
    if (!e) {
      e = { actual: 0, byGroup: emptyGroups() };
      byCommunity.set(h.communityCode, e);
    }
    e.actual += h.n;
    e.byGroup[(h.title && GROUP_OF_TITLE.get(h.title)) || 'unset'] += h.n;
  }
  const gridsOf = new Map(grids.map((g) => [g.communityCode, g]));
  const groups = new Map<string, number[]>();
  communities.forEach((c, i) => {
    const id = packs.get(c.path) ?? '';
    const list = groups.get(id) ?? [];
    list.push(i);
    groups.set(id, list);
  });
  const quotas: TBatchCommunityQuota[] = new Array(communities.length);
  const meta = new Map<string, Omit<TQuotaLineSum, 'min' | 'max'>>();
  const notes: string[] = [];
  for (const [packId, members] of groups) {
    const p = packOn(
      what.policies ?? ctx.services.policies,
      packId ? (what.remap?.(packId) ?? packId) : null,
      onDate,
    );
    if ('note' in p) {
      for (const i of members) quotas[i] = { note: p.note };
      notes.push(`${members.length}个社区未核定职数：${p.note}`);
      continue;
    }
    const facts = members.map((i) => {
      const c = communities[i] as TCommunityRow;
      return {
        households: c.households,
        residents: c.residents,
        kind: c.kind,
        district: countyNames.get(c.countyCode ?? '') ?? null,
      };
    });
    const r = batchCommunityQuotas(p.pack, facts);
    members.forEach((i, k) => {
      quotas[i] = r.quotas[k] as TBatchCommunityQuota;
    });
    for (const [rule, m] of r.meta) meta.set(`${packId}:${rule}`, m);
  }
  const figures = communities.map((row, i) => {
    const h = byCommunity.get(row.code);
    const g = gridsOf.get(row.code);
    return {
      row,
      packId: packs.get(row.path) ?? null,
      quota: quotas[i] as TBatchCommunityQuota,
      actual: h?.actual ?? 0,
      byGroup: h?.byGroup ?? emptyGroups(),
      grids: g?.grids ?? 0,
      gridsWithoutWorker: g?.empty ?? 0,
    };
  });
  return { figures, meta, notes };
};

const newRow = (node: TNodeRow, packId: string | null): TQuotaRow => ({
  code: node.code,
  name: node.name,
  level: node.level,
  packId,
  communities: 0,
  households: 0,
  residents: 0,
  quota: null,
  lines: [],
  actual: 0,
  actualByGroup: emptyGroups(),
  remainder: null,
  short: 0,
  over: 0,
  open: 0,
  grids: 0,
  gridsWithoutWorker: 0,
  standards: [],
  status: null,
  note: null,
});

/** Adds a community's figures into a row (the row of the community itself or one above it). */
export const addCommunity = (
  row: TQuotaRow,
  f: TCommunityFigures,
  meta: ReadonlyMap<string, Omit<TQuotaLineSum, 'min' | 'max'>>,
) => {
  row.communities++;
  row.households += f.row.households ?? 0;
  row.residents += f.row.residents ?? 0;
  row.actual += f.actual;
  for (const k of Object.keys(f.byGroup) as TTitleGroup[]) row.actualByGroup[k] += f.byGroup[k];
  row.grids += f.grids;
  row.gridsWithoutWorker += f.gridsWithoutWorker;
  const status = staffingStatus(f.quota, f.actual);
  if (status === '缺配') row.short++;
  if (status === '超配') row.over++;
  if (status === '未核定') {
    row.open++;
    return;
  }
  const q = f.quota as Exclude<TBatchCommunityQuota, { note: string }>;
  row.quota = addRange(row.quota, q);
  for (const l of q.lines) {
    const m = meta.get(`${f.packId}:${l.rule}`);
    let sum = row.lines.find((x) => x.name === l.name);
    if (!sum) {
      sum = {
        name: l.name,
        min: 0,
        max: 0,
        within: m?.within ?? null,
        inTotal: m?.inTotal ?? true,
        reserved: m?.reserved ?? false,
      };
      row.lines.push(sum);
    }
    const r = addRange(sum, l);
    sum.min = r.min;
    sum.max = r.max;
  }
};

const finishRow = (row: TQuotaRow) => {
  if (row.quota) {
    row.remainder = {
      min: row.quota.min - row.actual,
      max: row.quota.max === null ? null : row.quota.max - row.actual,
    };
  }
};

/** The pack's standards for a county or city as a whole (每万人18名, 开发区员额). */
export const standardsOf = (
  pack: TCompiledPack | null,
  row: TQuotaRow,
): { standards: TQuotaStandard[]; input: Record<string, unknown> | null } => {
  if (!pack || (row.level !== 'county' && row.level !== 'city' && row.level !== 'province'))
    return { standards: [], input: null };
  const input = {
    scope: 'street' as const,
    residents: row.residents,
    ...(pack.districts.includes(row.name) ? { district: row.name } : {}),
  };
  try {
    const q = pack.quota(input).value;
    return {
      standards: q.lines.map((l) => ({
        rule: l.rule,
        name: l.name,
        min: l.min,
        max: l.max,
        inTotal: l.inTotal,
      })),
      input,
    };
  } catch {
    return { standards: [], input };
  }
};

/**
 * The 职数核定 view of a node on a date: the node summed over its communities, and its children
 * (counties, streets or communities), each with quota, actual headcount, remainder, staffing
 * status counts, grids without a worker and — for counties and cities — the pack's standards.
 */
export const getQuotaView = async (
  ctx: TCtx,
  code: string,
  onDate = todayIso(),
): Promise<TQuotaView> => {
  const { db, actor } = ctx;
  const node = await findOrgInScope(db, actor.scope, code);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
  if (node.level === 'grid') throw new AppError('BAD_REQUEST', '职数按社区核定，请选择社区或以上');
  const children = node.level === 'community' ? [] : await listChildNodes(db, actor.scope, code);
  const countyNames = await countyNamesUnder(ctx, node.path);
  const { figures, meta, notes } = await computeCommunityFigures(
    ctx,
    node.path,
    onDate,
    countyNames,
  );
  const rowNodes: TNodeRow[] = [
    {
      code: node.code,
      name: node.name,
      level: node.level as TOrgLevel,
      path: node.path,
      parentCode: node.parentCode,
    },
    ...children,
  ];
  const packs = await effectivePackIds(
    db,
    rowNodes.map((n) => n.path),
  );
  const rows = new Map(rowNodes.map((n) => [n.code, newRow(n, packs.get(n.path) ?? null)]));
  const depth = node.path.split('/').filter(Boolean).length;
  for (const f of figures) {
    addCommunity(rows.get(node.code) as TQuotaRow, f, meta);
    const childCode = f.row.path.split('/').filter(Boolean)[depth];
    const child = childCode ? rows.get(childCode) : undefined;
    if (child && child.code !== node.code) addCommunity(child, f, meta);
  }
  // A community row shows its own status and the pack's figures it was given.
  const own = (row: TQuotaRow, f: TCommunityFigures | undefined) => {
    if (row.level !== 'community' || !f) return;
    row.packId = f.packId;
    row.status = staffingStatus(f.quota, f.actual);
    row.note = 'note' in f.quota ? f.quota.note : null;
  };
  const figureOf = new Map(figures.map((f) => [f.row.code, f]));
  for (const row of rows.values()) {
    own(row, figureOf.get(row.code));
    finishRow(row);
    const p = row.level === 'community' ? null : packOn(ctx.services.policies, row.packId, onDate);
    row.standards = standardsOf(p && 'pack' in p ? p.pack : null, row).standards;
  }
  const ancestors = (await findNodes(db, node.path.split('/').filter(Boolean)))
    .filter((a) => node.path.startsWith(a.path) && a.path.startsWith(actor.scope.path))
    .sort((a, b) => a.path.length - b.path.length)
    .map((a) => ({ code: a.code, name: a.name, level: a.level }));
  const nodeRow = rows.get(node.code) as TQuotaRow;
  return {
    date: onDate,
    node: { ...nodeRow, path: node.path, parentCode: node.parentCode },
    ancestors,
    children: children.map((c) => rows.get(c.code) as TQuotaRow),
    notes,
  };
};

/** County-level codes → names under a path (the districts some packs name, e.g. 高新开发区). */
export const countyNamesUnder = async (ctx: TCtx, path: string) => {
  const codes = path.split('/').filter(Boolean);
  const rows = await listCountyNodes(ctx.db, path, codes);
  return new Map(rows.map((r) => [r.code, r.name]));
};

import type { TCompiledPack, TPolicyRegistry } from '@shegong/policy';
import {
  AGE_BANDS,
  AppError,
  CERTIFICATE_LEVELS,
  CHILD_INDICATORS,
  EDUCATION_LEVELS,
  POLITICAL_STATUSES,
  POST_TITLES,
  SERVICE_BANDS,
  SEXES,
  type TChildIndicator,
  type TOrgLevel,
  type TStatChild,
  type TStatCount,
  type TStatStructure,
  type TStatsDashboard,
  todayIso,
  WORKER_STATUSES,
} from '@shegong/shared';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { findOrgFamilyInScope } from '../org/org.repo.ts';
import { dashboardCacheOf, dashboardKey } from './dashboard-cache.ts';
import {
  EXITED,
  ORG_DIM,
  PACKS_DIM,
  PAY_DIM,
  pathCodes,
  UNSET_TITLE,
  WORKER_DIMS,
} from './stat-keys.ts';
import { ensureStatRollup } from './stat-maintenance.ts';
import {
  densityStandard,
  evaluateTargets,
  governingPack,
  policyRegistry,
  quotaBasis,
  targetDefs,
} from './stat-policy.ts';
import { addQuota, FINGERPRINT_DIMS, NO_QUOTA, quotasOf, type TQuotaSum } from './stat-quota.ts';
import {
  descendantsAboveGrid,
  entriesOf,
  liveGridStats,
  nodesByCode,
  readRollupGroups,
  statOf,
  statsVersionInScope,
  type TDescendant,
  type TNodeStats,
  unitTallies,
} from './stats.repo.ts';

export type TStatsCtx = { db: TExecutor; scope: TScope; policiesDir: string };

/** Years shown in the headcount trend, ending with the statistics year. */
const TREND_YEARS = 10;
/** Dimensions read for each child in the comparison table. */
const CHILD_DIMS = [
  'headcount',
  'education',
  'certificate',
  'local',
  'political',
  'birthYear',
  'joined',
  'exited',
  'population',
] as const;
/** Everything of the node but the histogram of its communities (read only for quotas). */
const NODE_DIMS = [
  ...WORKER_DIMS,
  'population',
  'kind',
  ORG_DIM,
  PACKS_DIM,
  PAY_DIM,
  ...FINGERPRINT_DIMS,
];
/** A child's figures with the fingerprint of its communities' histogram (for its quota sum). */
const CHILD_READ_DIMS = [...CHILD_DIMS, ...FINGERPRINT_DIMS];

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const ratioOrNull = (n: number, d: number, digits = 4) => (d > 0 ? round(n / d, digits) : null);

/** Counts of a dimension in the order of a vocabulary; values outside it follow. */
const byVocabulary = (
  stats: TNodeStats,
  dim: string,
  vocab: readonly string[],
  label: (v: string) => string = (v) => v,
): TStatCount[] => {
  const counts = new Map(entriesOf(stats, dim));
  const out = vocab.map((v) => ({ key: v, label: label(v), count: counts.get(v) ?? 0 }));
  for (const [v, n] of counts)
    if (!vocab.includes(v)) out.push({ key: v, label: label(v), count: n });
  return out;
};

/** Counts in bands of `year − value` (age from birth year, years of work from base year). */
const banded = (
  stats: TNodeStats,
  dim: string,
  year: number,
  bands: readonly { key: string; label: string; max: number | null }[],
): TStatCount[] => {
  const out = bands.map((b) => ({ key: b.key, label: b.label, count: 0 }));
  for (const [v, n] of entriesOf(stats, dim)) {
    const x = Math.max(0, year - Number(v));
    const i = bands.findIndex((b) => b.max === null || x <= b.max);
    (out[i] as TStatCount).count += n;
  }
  return out;
};

const averageAge = (stats: TNodeStats, year: number): number | null => {
  let sum = 0;
  let count = 0;
  for (const [v, n] of entriesOf(stats, 'birthYear')) {
    sum += n * (year - Number(v));
    count += n;
  }
  return count > 0 ? round(sum / count, 1) : null;
};

const COLLEGE = EDUCATION_LEVELS.slice(EDUCATION_LEVELS.indexOf('大专'));
const SOCIAL_WORKER = ['社会工作师', '高级社会工作师'];
const PARTY = ['中共党员', '中共预备党员'];

const sumOf = (stats: TNodeStats, dim: string, values: readonly string[]) =>
  values.reduce((s, v) => s + statOf(stats, dim, v), 0);

const structuresOf = (
  stats: TNodeStats,
  year: number,
  pack: TCompiledPack | null,
): Record<TStatStructure, TStatCount[]> => {
  const titles = byVocabulary(stats, 'title', [...POST_TITLES, UNSET_TITLE]);
  const category: TStatCount[] = [];
  if (pack) {
    const byTitle = new Map<string, string>();
    for (const p of pack.posts) for (const t of p.titles) byTitle.set(t, p.category);
    const counts = new Map<string, number>(pack.posts.map((p) => [p.category, 0]));
    for (const t of titles) {
      const c = byTitle.get(t.key) ?? '未归类';
      if (t.count > 0 || counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + t.count);
    }
    for (const [c, n] of counts) category.push({ key: c, label: c, count: n });
  }
  return {
    age: banded(stats, 'birthYear', year, AGE_BANDS),
    sex: byVocabulary(stats, 'sex', SEXES),
    education: byVocabulary(stats, 'education', EDUCATION_LEVELS),
    political: byVocabulary(stats, 'political', POLITICAL_STATUSES),
    certificate: byVocabulary(stats, 'certificate', CERTIFICATE_LEVELS),
    title: titles,
    category,
    service: banded(stats, 'serviceBase', year, SERVICE_BANDS),
    status: byVocabulary(
      stats,
      'status',
      WORKER_STATUSES.filter((s) => s !== EXITED),
    ),
    local: byVocabulary(stats, 'local', ['是', '否'], (v) =>
      v === '是' ? '居住在本社区' : '不在本社区居住',
    ),
  };
};

const trendOf = (stats: TNodeStats, year: number) => {
  const joined = new Map(entriesOf(stats, 'joined').map(([y, n]) => [Number(y), n]));
  const exited = new Map(entriesOf(stats, 'exited').map(([y, n]) => [Number(y), n]));
  const first = year - TREND_YEARS + 1;
  let head = 0;
  for (const [y, n] of joined) if (y < first) head += n;
  for (const [y, n] of exited) if (y < first) head -= n;
  const points = [];
  for (let y = first; y <= year; y++) {
    const j = joined.get(y) ?? 0;
    const e = exited.get(y) ?? 0;
    head += j - e;
    points.push({ year: y, headcount: head, joined: j, exited: e });
  }
  return points;
};

/**
 * The statistics of one node for the caller: figures of the node from the rollup, its children
 * for comparison, and the pack's standard, quotas and targets. 404 outside the caller's scope.
 */
export const getStatsDashboard = async (
  c: TStatsCtx,
  code: string,
  asOf = todayIso(),
): Promise<TStatsDashboard> => {
  const { db, scope } = c;
  // The node, its path and its children in one statement (scope checked there).
  const family = await findOrgFamilyInScope(db, scope, code);
  if (!family) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
  const { node, path: pathNodes } = family;
  await ensureStatRollup(db);
  const year = Number(asOf.slice(0, 4));
  const level = node.level as TOrgLevel;
  const codes = pathCodes(node.path);
  const scopeAt = Math.max(0, codes.indexOf(scope.orgCode));
  const notes: string[] = [];

  let registry: TPolicyRegistry | null = null;
  try {
    registry = await policyRegistry(c.policiesDir);
  } catch (error) {
    notes.push(`政策包加载失败：${(error as Error).message}`);
  }
  const packIds = pathNodes
    .map((n) => n.packId)
    .filter((p): p is string => !!p)
    .reverse();
  const choice = governingPack(registry, packIds, asOf);
  const pack = choice.pack;
  notes.push(...choice.notes);
  const packFor = (id: string, fallback: TCompiledPack | null) => {
    const p = governingPack(registry, [id], asOf).pack;
    return p ?? fallback;
  };

  const children = level === 'grid' ? [] : family.children;
  const childCodes = children.map((ch) => ch.code);
  let own: TNodeStats;
  let childStats: Map<string, TNodeStats>;
  if (level === 'grid') {
    own = (await liveGridStats(db, node.parentCode ?? '', [node.code])).get(node.code) ?? new Map();
    childStats = new Map();
  } else if (level === 'community') {
    own = (await readRollupGroups(db, [{ codes: [node.code], dims: NODE_DIMS }])).get(node.code)!;
    childStats = await liveGridStats(db, node.code, childCodes);
  } else {
    // The node's figures and its children's in one statement.
    const read = await readRollupGroups(db, [
      { codes: [node.code], dims: NODE_DIMS },
      { codes: childCodes, dims: CHILD_READ_DIMS },
    ]);
    own = read.get(node.code)!;
    childStats = read;
  }
  const headcount = statOf(own, 'headcount');

  // Quotas: communities by households, split by governing pack.
  let quota: TStatsDashboard['quota'] = null;
  const childQuota = new Map<string, TQuotaSum>();
  // The units below for per-unit targets: one walk down to the deepest unit any target needs.
  let below: Promise<TDescendant[]> | undefined;
  const descendants = () => {
    const deepest =
      pack && targetDefs(pack).some((d) => d.scope === 'community') ? 'community' : 'street';
    below ??=
      level === 'community' || level === 'grid'
        ? Promise.resolve([])
        : descendantsAboveGrid(db, node.code, deepest, children);
    return below;
  };
  if (level !== 'grid' && pack) {
    const packNodes = await nodesByCode(
      db,
      entriesOf(own, PACKS_DIM)
        .map(([code]) => code)
        .filter((code) => code !== node.code),
    );
    // A community is summed itself; any other node as the sum of its children.
    const targets =
      level === 'community'
        ? [{ code: node.code, path: node.path, pack }]
        : children.map((ch) => ({
            code: ch.code,
            path: ch.path,
            pack: ch.packId ? packFor(ch.packId, pack) : pack,
          }));
    // The fingerprints of the targets (the children, or the community itself) were read above.
    const sums = await quotasOf(
      db,
      targets,
      packNodes,
      packFor,
      level === 'community' ? new Map([[node.code, own]]) : childStats,
    );
    let total = NO_QUOTA;
    for (const [code, sum] of sums) {
      total = addQuota(total, sum);
      if (level !== 'community') childQuota.set(code, sum);
    }
    if (total.counted > 0) {
      quota = {
        min: total.min,
        max: total.max,
        headcount,
        fill: ratioOrNull(headcount, total.min),
        communitiesCounted: total.counted,
        communities: statOf(own, 'orgs', 'community'),
        basis: quotaBasis(pack),
      };
    } else if (statOf(own, 'orgs', 'community') > 0) {
      notes.push(`政策包「${pack.name}」未规定社区职数，职数配备率不计算`);
    }
  }

  const population = statOf(own, 'population');
  const households = statOf(own, 'households');
  const targets =
    pack && level !== 'grid'
      ? await evaluateTargets({
          pack,
          level,
          date: asOf,
          profiles: new Map(entriesOf(own, 'profile')),
          units: async (unitLevel, profiles) =>
            unitTallies(
              db,
              (await descendants()).filter((d) => d.level === unitLevel).map((d) => d.code),
              profiles,
            ),
        })
      : [];

  const payMonths = entriesOf(own, PAY_DIM)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .slice(-12)
    .map(([month, totalFen]) => ({ month, totalFen }));

  const childRows: TStatChild[] = children.map((ch) => {
    const s = childStats.get(ch.code) ?? new Map();
    const head = statOf(s, 'headcount');
    const pop = statOf(s, 'population');
    const q = childQuota.get(ch.code);
    const indicators: Record<TChildIndicator, number | null> = {
      headcount: head,
      perTenThousand: pop > 0 ? round((head * 10_000) / pop, 1) : null,
      quotaFill: q && q.counted > 0 ? ratioOrNull(head, q.min) : null,
      collegeShare: ratioOrNull(sumOf(s, 'education', COLLEGE), head),
      certifiedShare: ratioOrNull(head - statOf(s, 'certificate', '无'), head),
      socialWorkers: sumOf(s, 'certificate', SOCIAL_WORKER),
      localShare: ratioOrNull(statOf(s, 'local', '是'), head),
      partyShare: ratioOrNull(sumOf(s, 'political', PARTY), head),
      averageAge: averageAge(s, year),
      joined: statOf(s, 'joined', String(year)),
      exited: statOf(s, 'exited', String(year)),
    };
    for (const k of CHILD_INDICATORS) indicators[k] ??= null;
    return { code: ch.code, name: ch.name, level: ch.level as TOrgLevel, indicators };
  });

  return {
    node: {
      code: node.code,
      name: node.name,
      level,
      parentCode: node.parentCode,
      trail: pathNodes.slice(scopeAt).map((n) => ({ code: n.code, name: n.name })),
    },
    pack: pack ? { id: pack.id, name: pack.name } : null,
    asOf,
    year,
    headcount,
    orgs: {
      streets: statOf(own, 'orgs', 'street'),
      communities: statOf(own, 'orgs', 'community'),
      grids: statOf(own, 'orgs', 'grid'),
    },
    trend: trendOf(own, year),
    structures: structuresOf(own, year, pack),
    averageAge: averageAge(own, year),
    density: {
      population: population > 0 ? population : null,
      households: households > 0 ? households : null,
      perTenThousand: population > 0 ? round((headcount * 10_000) / population, 1) : null,
      standard: level === 'grid' ? null : densityStandard(pack, population),
    },
    quota,
    targets,
    pay: payMonths.length > 0 ? { months: payMonths } : null,
    children: childRows,
    notes,
  };
};

/**
 * The dashboard as the JSON the API sends: one statement checks the node against the caller's
 * scope and reads the statistics' data version; an answer this process computed for the same
 * node, scope, date and packs at that version is sent again, else it is computed and kept
 * (`dashboard-cache.ts`). 404 outside the caller's scope, as `getStatsDashboard`.
 */
export const getStatsDashboardJson = async (c: TStatsCtx, code: string): Promise<string> => {
  const asOf = todayIso();
  const [version, registry] = await Promise.all([
    statsVersionInScope(c.db, c.scope, code),
    policyRegistry(c.policiesDir).catch(() => null),
  ]);
  if (version === undefined) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
  const cache = dashboardCacheOf(c.db);
  const key = dashboardKey(code, c.scope, asOf, c.policiesDir);
  const kept = registry ? cache.get(key, version, registry) : undefined;
  if (kept !== undefined) return kept;
  const json = JSON.stringify(await getStatsDashboard(c, code, asOf));
  // Without packs (a registry that failed to load is tried again) nothing is kept.
  if (registry) cache.set(key, version, registry, json);
  return json;
};

import { z } from 'zod';
import type { TOrgLevel } from '../vocab.ts';

// Statistics (统计): the vocabulary of the dashboard, shared by the server (which computes it),
// the web app (which draws it) and the exports. Ages and years of service are counted at the end
// of the statistics year (12月31日), the convention of annual statistical reports, so that they
// follow from birth year and start year alone.

/** Age bands (周岁 at the end of the statistics year). `max` is inclusive; null = open. */
export const AGE_BANDS = [
  { key: 'le30', label: '30岁及以下', max: 30 },
  { key: '31-35', label: '31–35岁', max: 35 },
  { key: '36-40', label: '36–40岁', max: 40 },
  { key: '41-45', label: '41–45岁', max: 45 },
  { key: '46-50', label: '46–50岁', max: 50 },
  { key: '51-55', label: '51–55岁', max: 55 },
  { key: 'gt55', label: '56岁及以上', max: null },
] as const;

/** Bands of years of community work (满年数 at the end of the statistics year). */
export const SERVICE_BANDS = [
  { key: 'lt1', label: '不满1年', max: 0 },
  { key: '1-2', label: '1–2年', max: 2 },
  { key: '3-5', label: '3–5年', max: 5 },
  { key: '6-10', label: '6–10年', max: 10 },
  { key: '11-15', label: '11–15年', max: 15 },
  { key: '16-20', label: '16–20年', max: 20 },
  { key: 'gt20', label: '20年以上', max: null },
] as const;

/** The structure breakdowns of the dashboard, each a chart and a table. */
export const STAT_STRUCTURES = [
  'age',
  'sex',
  'education',
  'political',
  'certificate',
  'title',
  'category',
  'service',
  'status',
  'local',
] as const;
export type TStatStructure = (typeof STAT_STRUCTURES)[number];
export const STAT_STRUCTURE_LABELS: Record<TStatStructure, string> = {
  age: '年龄结构',
  sex: '性别',
  education: '学历',
  political: '政治面貌',
  certificate: '职业水平证书',
  title: '职务',
  category: '岗位类别',
  service: '社区工作年限',
  status: '在岗状态',
  local: '是否居住在本社区',
};

/** Indicators of a child node, for the comparison table and the map of the children. */
export const CHILD_INDICATORS = [
  'headcount',
  'perTenThousand',
  'quotaFill',
  'collegeShare',
  'certifiedShare',
  'socialWorkers',
  'localShare',
  'partyShare',
  'averageAge',
  'joined',
  'exited',
] as const;
export type TChildIndicator = (typeof CHILD_INDICATORS)[number];
export const CHILD_INDICATOR_META: Record<
  TChildIndicator,
  { label: string; unit: 'count' | 'percent' | 'number' }
> = {
  headcount: { label: '在岗人数', unit: 'count' },
  perTenThousand: { label: '每万常住人口', unit: 'number' },
  quotaFill: { label: '职数配备率', unit: 'percent' },
  collegeShare: { label: '大专及以上占比', unit: 'percent' },
  certifiedShare: { label: '持证占比', unit: 'percent' },
  socialWorkers: { label: '社会工作师及以上', unit: 'count' },
  localShare: { label: '本社区居住占比', unit: 'percent' },
  partyShare: { label: '党员占比', unit: 'percent' },
  averageAge: { label: '平均年龄', unit: 'number' },
  joined: { label: '本年新进', unit: 'count' },
  exited: { label: '本年退出', unit: 'count' },
};

/** Tables of the dashboard that can be exported one by one. */
export const STAT_TABLES = [...STAT_STRUCTURES, 'trend', 'targets', 'children'] as const;
export type TStatTable = (typeof STAT_TABLES)[number];
export const STAT_TABLE_LABELS: Record<TStatTable, string> = {
  ...STAT_STRUCTURE_LABELS,
  trend: '人数变化与进出',
  targets: '目标达成',
  children: '下级单位对比',
};

export const ZStatsExportQuery = z.object({
  table: z.enum(STAT_TABLES, { error: '不支持导出该表' }),
});
export type TStatsExportQuery = z.infer<typeof ZStatsExportQuery>;

/** One bar or slice: a value of a breakdown and its count. */
export type TStatCount = { key: string; label: string; count: number };

export type TStatTrendPoint = {
  year: number;
  /** Headcount at the end of the year (joined up to then, less exits up to then). */
  headcount: number;
  joined: number;
  exited: number;
};

/** A target (达标要求) of the governing pack with its progress at the node. */
export type TStatTarget = {
  rule: string;
  description: string;
  source: string;
  /** `any`: the node's workers as one group; `community`/`street`: each such unit. */
  scope: 'any' | 'community' | 'street';
  measure: string;
  required: string;
  level: 'required' | 'goal';
  dueBy: string | null;
  count: number;
  total: number;
  /** Share as text ("83.3%") or a count ("3人"). */
  actual: string;
  met: boolean;
  status: '达标' | '未达标' | '未到期';
  /** For a per-community or per-street target above that level: how many units meet it. */
  units: { met: number; total: number; label: string } | null;
};

export type TStatChild = {
  code: string;
  name: string;
  level: TOrgLevel;
  indicators: Record<TChildIndicator, number | null>;
};

export type TStatsDashboard = {
  node: {
    code: string;
    name: string;
    level: TOrgLevel;
    parentCode: string | null;
    /** The nodes from the caller's scope root down to this node, for the breadcrumb. */
    trail: { code: string; name: string }[];
  };
  /** The pack the figures are measured against, and its name; null when none applies. */
  pack: { id: string; name: string } | null;
  asOf: string;
  year: number;
  headcount: number;
  orgs: { streets: number; communities: number; grids: number };
  trend: TStatTrendPoint[];
  structures: Record<TStatStructure, TStatCount[]>;
  averageAge: number | null;
  density: {
    population: number | null;
    households: number | null;
    /** Workers per 10,000 residents, one decimal. */
    perTenThousand: number | null;
    /** The pack's staffing standard for this population (national 18 per 10,000, 003 二.3). */
    standard: {
      expected: number;
      perTenThousand: string | null;
      note: string;
      source: string;
    } | null;
  };
  quota: {
    min: number;
    max: number | null;
    headcount: number;
    /** Headcount over the minimum quota as a fraction (1.05 = 105%); null when the minimum is 0. */
    fill: number | null;
    communitiesCounted: number;
    communities: number;
    /**
     * What the node's pack counts in a community's 核定职数 and the clauses (银川 两委成员、专职网格员,
     * 004 职业化 (三)): the quota by households, apart from the population standard above.
     */
    basis: { lines: string[]; sources: string[] } | null;
  } | null;
  targets: TStatTarget[];
  /** Pay cost by month once pay results exist (issue 6); null before. */
  pay: { months: { month: string; totalFen: number }[] } | null;
  children: TStatChild[];
  /** Explanations of what could not be computed, in Chinese. */
  notes: string[];
};

/** A column of a statistics table; percents are fractions (0.25 = 25%). */
export type TStatColumn = {
  key: string;
  title: string;
  kind: 'text' | 'count' | 'percent' | 'number';
};
export type TStatTableData = {
  key: TStatTable;
  title: string;
  columns: TStatColumn[];
  rows: Record<string, string | number | null>[];
};

const share = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * The numbers behind a chart as a table: the page shows it and the .xlsx export writes the same
 * rows, so the figures on screen and in the file cannot differ.
 */
export const statTable = (d: TStatsDashboard, key: TStatTable): TStatTableData => {
  const title = STAT_TABLE_LABELS[key];
  if (key === 'trend') {
    return {
      key,
      title,
      columns: [
        { key: 'year', title: '年度', kind: 'text' },
        { key: 'headcount', title: '年末人数', kind: 'count' },
        { key: 'joined', title: '新进', kind: 'count' },
        { key: 'exited', title: '退出', kind: 'count' },
        { key: 'exitRate', title: '退出率（占上年末）', kind: 'percent' },
      ],
      rows: d.trend.map((p, i) => ({
        year: String(p.year),
        headcount: p.headcount,
        joined: p.joined,
        exited: p.exited,
        exitRate: i > 0 ? share(p.exited, d.trend[i - 1]?.headcount ?? 0) : null,
      })),
    };
  }
  if (key === 'targets') {
    return {
      key,
      title,
      columns: [
        { key: 'description', title: '目标', kind: 'text' },
        { key: 'required', title: '要求', kind: 'text' },
        { key: 'actual', title: '实际', kind: 'text' },
        { key: 'count', title: '符合人数', kind: 'count' },
        { key: 'total', title: '统计人数', kind: 'count' },
        { key: 'units', title: '达标单位', kind: 'text' },
        { key: 'status', title: '状态', kind: 'text' },
        { key: 'dueBy', title: '期限', kind: 'text' },
        { key: 'source', title: '依据', kind: 'text' },
      ],
      rows: d.targets.map((t) => ({
        description: t.description,
        required: t.required,
        actual: t.actual,
        count: t.count,
        total: t.total,
        units: t.units ? `${t.units.met}/${t.units.total}个${t.units.label}` : null,
        status: t.status,
        dueBy: t.dueBy,
        source: t.source,
      })),
    };
  }
  if (key === 'children') {
    return {
      key,
      title,
      columns: [
        { key: 'name', title: '名称', kind: 'text' },
        { key: 'code', title: '代码', kind: 'text' },
        ...CHILD_INDICATORS.map((k) => ({
          key: k,
          title: CHILD_INDICATOR_META[k].label,
          kind:
            CHILD_INDICATOR_META[k].unit === 'count'
              ? ('count' as const)
              : CHILD_INDICATOR_META[k].unit,
        })),
      ],
      rows: d.children.map((c) => ({ name: c.name, code: c.code, ...c.indicators })),
    };
  }
  const items = d.structures[key];
  const total = items.reduce((s, i) => s + i.count, 0);
  return {
    key,
    title,
    columns: [
      { key: 'label', title: '项目', kind: 'text' },
      { key: 'count', title: '人数', kind: 'count' },
      { key: 'share', title: '占比', kind: 'percent' },
    ],
    rows: [
      ...items.map((i) => ({ label: i.label, count: i.count, share: share(i.count, total) })),
      { label: '合计', count: total, share: total > 0 ? 1 : null },
    ],
  };
};

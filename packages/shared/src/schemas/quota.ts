import { z } from 'zod';
import type { TOrgLevel, TPostTitle } from '../vocab.ts';
import { ZIsoDate } from './common.ts';

// 职数核定: what the quota page and the 配备明细表 show. The quota ranges come from the governing
// pack of each community on the chosen date; the actual headcount from the registry.

export const ZQuotaQuery = z.object({
  /** The date the quota is computed for (default today). */
  date: ZIsoDate.optional(),
});

export const ZQuotaExplainQuery = z.object({
  date: ZIsoDate.optional(),
});

/**
 * Groups of the registry's post titles for the actual headcount beside the quota lines (the
 * titles are the registry's words; which quota line a pack counts them in is the pack's).
 */
export const TITLE_GROUPS = [
  {
    key: 'committee',
    label: '两委成员',
    titles: ['书记兼主任', '党组织书记', '居委会主任', '副书记', '副主任', '委员'],
  },
  { key: 'grid', label: '网格员', titles: ['网格员'] },
  { key: 'party', label: '党建专干', titles: ['党建专干'] },
  { key: 'staff', label: '专职工作人员', titles: ['专职工作人员'] },
] as const satisfies readonly { key: string; label: string; titles: readonly TPostTitle[] }[];
export type TTitleGroup = (typeof TITLE_GROUPS)[number]['key'] | 'unset';

/** 缺配 (actual below the minimum), 超配 (above the maximum), 符合, or 未核定 (no quota). */
export const STAFFING_STATUSES = ['缺配', '超配', '符合', '未核定'] as const;
export type TStaffingStatus = (typeof STAFFING_STATUSES)[number];

export type TRange = { min: number; max: number | null };

/** A quota line summed over the communities of a row (by line name). */
export type TQuotaLineSum = TRange & {
  name: string;
  /** Part of another line (e.g. 专职党建岗 within 社工岗). */
  within: string | null;
  /** Counted in the community total (false for lines that only inform, e.g. grids). */
  inTotal: boolean;
  reserved: boolean;
};

/** A standard of a county or city (每万人18名, 开发区员额): the pack's street-scope lines. */
export type TQuotaStandard = TRange & { rule: string; name: string; inTotal: boolean };

/** One row of the quota page: a community, or a street/county/city summed over its communities. */
export type TQuotaRow = {
  code: string;
  name: string;
  level: TOrgLevel;
  /** The governing pack of the node (for a community: the pack its figures come from). */
  packId: string | null;
  communities: number;
  households: number;
  residents: number;
  /** Sum of the community totals; null when no community under the row has a quota. */
  quota: TRange | null;
  lines: TQuotaLineSum[];
  actual: number;
  actualByGroup: Record<TTitleGroup, number>;
  /** 核定 − 实有 at each end (max null = no upper bound). */
  remainder: TRange | null;
  /** Communities under-staffed, over-staffed, without a quota. */
  short: number;
  over: number;
  open: number;
  grids: number;
  /** Grids without an active worker assigned: each needs a grid worker. */
  gridsWithoutWorker: number;
  /** County and city: the pack's standards for the whole (per 10,000 residents, allocations). */
  standards: TQuotaStandard[];
  /** For a community row. */
  status: TStaffingStatus | null;
  /** Why a community has no quota (未核定). */
  note: string | null;
};

export type TQuotaView = {
  date: string;
  node: TQuotaRow & { path: string; parentCode: string | null };
  /** Breadcrumb from the scope's root to the node. */
  ancestors: { code: string; name: string; level: TOrgLevel }[];
  children: TQuotaRow[];
  notes: string[];
};

export type TQuotaExplanation = {
  code: string;
  name: string;
  level: TOrgLevel;
  packId: string | null;
  packName: string | null;
  date: string;
  input: Record<string, unknown> | null;
  value: unknown;
  trace: {
    rule: string;
    source: string;
    inputs: Record<string, unknown>;
    result: unknown;
    note: string;
  }[];
  error: string | null;
};

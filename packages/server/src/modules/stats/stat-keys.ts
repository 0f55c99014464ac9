import { createHash } from 'node:crypto';
import { serviceYears } from '@shegong/policy';
import type { TServicePeriod } from '../../db/schema/worker.ts';

// What one record adds to the statistics rollup: a list of (dimension, value) keys, each counting
// 1 (or n for facts). The incremental maintenance, the rebuild and the live figures of a grid all
// go through these functions, so there is one definition of every figure.

/** Dimensions counted over workers. All but `joined`/`exited` count active workers only. */
export const WORKER_DIMS = [
  'headcount',
  'status',
  'sex',
  'education',
  'political',
  'certificate',
  'title',
  'birthYear',
  'serviceBase',
  'local',
  'profile',
  'joined',
  'exited',
] as const;
/** Dimensions from the latest dated facts of a community (org_fact). */
export const FACT_DIMS = ['population', 'households', 'hh', 'hhHash', 'kind'] as const;
/** Count of org nodes by level (descendants and self). */
export const ORG_DIM = 'orgs';
/** Nodes that set a pack of their own, listed on themselves and every node above (value = code). */
export const PACKS_DIM = 'packs';
/** Pay cost in fen by month `YYYY-MM`; written by the pay engine (issue 6) via applyPathStatDelta. */
export const PAY_DIM = 'payFen';
/** Every dimension the rollup recomputes from raw records (rebuild, refresh). */
export const DERIVED_DIMS: readonly string[] = [...WORKER_DIMS, ...FACT_DIMS, ORG_DIM, PACKS_DIM];

export type TWorkerDim = (typeof WORKER_DIMS)[number];
export type TStatKey = readonly [dim: string, value: string, n: number];

/** The fields of a worker the statistics read. */
export type TWorkerStatFields = {
  orgPath: string;
  countyCode: string;
  status: string;
  sex: string;
  educationLevel: string;
  educationRecognised: boolean;
  politicalStatus: string;
  certificateLevel: string;
  postTitle: string | null;
  birthDate: string;
  serviceStartedOn: string;
  priorService: TServicePeriod[];
  livesInCommunity: boolean;
  hiredOn: string | null;
  exitedOn: string | null;
};

export const EXITED = '已退出';
export const UNSET_TITLE = '未填写';

const yearOf = (date: string) => date.slice(0, 4);

/**
 * The year `b` such that years of community work at the end of any later year Y are `Y − b`.
 * Counted with the one service-years function (periods in the province add up, 003 二.4): the
 * count at 1 January after the start year, taken back by that many years. The current period
 * adds exactly 12 months a year and its leftover days fall in December, so the figure is exact
 * for every later year.
 */
export const serviceBaseYear = (
  w: Pick<TWorkerStatFields, 'serviceStartedOn' | 'priorService'>,
): number => {
  const startYear = Number(yearOf(w.serviceStartedOn));
  // One period: a full year by 1 January after the start year only when it began on 1 January.
  if (w.priorService.length === 0)
    return w.serviceStartedOn.endsWith('-01-01') ? startYear - 1 : startYear;
  const years = serviceYears(
    [...w.priorService.map((p) => ({ from: p.from, to: p.to })), { from: w.serviceStartedOn }],
    `${startYear + 1}-01-01`,
  );
  return startYear - years;
};

/** The profile of a worker as the pack's targets read it (education, certificate, post …). */
export const profileKey = (w: TWorkerStatFields): string =>
  [
    w.educationLevel,
    w.educationRecognised ? 1 : 0,
    w.certificateLevel,
    w.postTitle ?? '',
    w.livesInCommunity ? 1 : 0,
    w.status === '借调' ? 1 : 0,
  ].join('|');

export type TProfile = {
  education: string;
  educationRecognised: boolean;
  certificate: string;
  title: string | null;
  localResident: boolean;
  seconded: boolean;
};

export const parseProfile = (key: string): TProfile => {
  const [education = '', recognised, certificate = '无', title, local, seconded] = key.split('|');
  return {
    education,
    educationRecognised: recognised === '1',
    certificate,
    title: title ? title : null,
    localResident: local === '1',
    seconded: seconded === '1',
  };
};

/** The keys one worker adds to each node above it. */
export const workerStatKeys = (w: TWorkerStatFields): TStatKey[] => {
  const joined = w.hiredOn ?? w.serviceStartedOn;
  const keys: TStatKey[] = [['joined', yearOf(joined), 1]];
  if (w.status === EXITED) {
    // An exit without a date counts in the year of joining: the person never adds to a year-end.
    keys.push(['exited', yearOf(w.exitedOn ?? joined), 1]);
    return keys;
  }
  keys.push(
    ['headcount', '', 1],
    ['status', w.status, 1],
    ['sex', w.sex, 1],
    ['education', w.educationLevel, 1],
    ['political', w.politicalStatus, 1],
    ['certificate', w.certificateLevel, 1],
    ['title', w.postTitle ?? UNSET_TITLE, 1],
    ['birthYear', yearOf(w.birthDate), 1],
    ['serviceBase', String(serviceBaseYear(w)), 1],
    ['local', w.livesInCommunity ? '是' : '否', 1],
    ['profile', profileKey(w), 1],
  );
  return keys;
};

/** The latest facts of a community, as the rollup counts them. */
export type TCommunityFact = {
  population: number | null;
  householdsResident: number | null;
  householdsRegistered: number | null;
  kind: string | null;
};

/** Households used for quotas: resident households, else registered ones. */
export const quotaHouseholds = (f: TCommunityFact): number | null =>
  f.householdsResident ?? f.householdsRegistered;

/** A 32-bit hash (sums of 126,000 of them stay exact in a double). */
const hash32 = (text: string) => createHash('sha1').update(text).digest().readUInt32BE(0);

/** The keys a community adds by its facts and its grids. */
export const communityStatKeys = (fact: TCommunityFact | null, grids: number): TStatKey[] => {
  const keys: TStatKey[] = [[ORG_DIM, 'community', 1]];
  if (grids > 0) keys.push([ORG_DIM, 'grid', grids]);
  if (!fact) return keys;
  keys.push(['kind', fact.kind ?? UNSET_TITLE, 1]);
  if (fact.population !== null) keys.push(['population', '', fact.population]);
  const households = quotaHouseholds(fact);
  if (households !== null) {
    keys.push(['households', '', households]);
    // A histogram of communities by households and kind: quotas of any node come from it; its
    // additive hash tells when a node's histogram changed.
    const entry = `${households}|${fact.kind ?? ''}`;
    keys.push(['hh', entry, 1], ['hhHash', '', hash32(entry)]);
  }
  return keys;
};

/** What an org node adds for itself: its count by level and, when it sets a pack, its code. */
export const nodeStatKeys = (node: {
  code: string;
  level: string;
  packId: string | null;
}): TStatKey[] => [
  ...(node.level === 'community' ? [] : [[ORG_DIM, node.level, 1] as const]),
  ...(node.packId ? [[PACKS_DIM, node.code, 1] as const] : []),
];

/** The codes of a materialised path, root first. */
export const pathCodes = (path: string): string[] => path.split('/').filter(Boolean);

/** The county code a rollup row of each node of the path carries (null above county). */
export const countyCodesOnPath = (codes: readonly string[], countyCode: string | null) => {
  const at = countyCode ? codes.indexOf(countyCode) : -1;
  return codes.map((_, i) => (at >= 0 && i >= at ? countyCode : null));
};

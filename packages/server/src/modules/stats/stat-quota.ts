import { NONE8, type TCompiledPack } from '@shegong/policy';
import { COMMUNITY_KINDS } from '@shegong/shared';
import type { TExecutor } from '../../db/client.ts';
import { entriesOf, readRollup, statOf, type TNodeStats } from './stats.repo.ts';

// Community quotas summed over a node: the node's communities as a histogram by households and
// kind (`hh` rows), split by the pack that governs them, each part summed with the batch kernel.
// A histogram only changes when facts change, so the sum is kept per process under a fingerprint
// of the histogram (`hhHash`, an additive hash of its entries, with the households total): a new
// fact gives a new fingerprint and the sum is computed again.

export type TQuotaSum = { min: number; max: number | null; counted: number };
export const NO_QUOTA: TQuotaSum = { min: 0, max: 0, counted: 0 };

export const addQuota = (a: TQuotaSum, b: TQuotaSum): TQuotaSum => ({
  min: a.min + b.min,
  max: a.max === null || b.max === null ? null : a.max + b.max,
  counted: a.counted + b.counted,
});

/**
 * Sums the community quotas of the pack over a histogram (`households|kind` → communities).
 * Communities whose quota the pack does not define (the national pack has none per community)
 * are not counted.
 */
export const quotaOfHistogram = (
  pack: TCompiledPack | null,
  histogram: ReadonlyMap<string, number>,
): TQuotaSum => {
  const entries = [...histogram].filter(([, n]) => n > 0);
  if (!pack || entries.length === 0) return NO_QUOTA;
  const n = entries.length;
  const cols = {
    length: n,
    households: new Int32Array(n),
    residents: new Int32Array(n).fill(-1),
    kind: new Uint8Array(n),
    district: new Uint8Array(n).fill(NONE8),
  };
  entries.forEach(([key], i) => {
    const [households, kind] = key.split('|');
    cols.households[i] = Number(households);
    cols.kind[i] = Math.max(0, (COMMUNITY_KINDS as readonly string[]).indexOf(kind ?? ''));
  });
  let out: { min: Int32Array; max: Int32Array; error: Uint8Array };
  try {
    out = pack.batch.quota(cols);
  } catch {
    return NO_QUOTA;
  }
  let min = 0;
  let max: number | null = 0;
  let counted = 0;
  entries.forEach(([, count], i) => {
    if (out.error[i]) return;
    min += count * (out.min[i] as number);
    const m = out.max[i] as number;
    max = max === null || m < 0 ? null : max + count * m;
    counted += count;
  });
  return { min, max, counted };
};

export type TPackNode = { code: string; path: string; packId: string };
type TTarget = { code: string; path: string; pack: TCompiledPack | null };
type TPackFor = (id: string, fallback: TCompiledPack | null) => TCompiledPack | null;

const cache = new Map<string, TQuotaSum>();
const CACHE_MAX = 20_000;

const packKey = (pack: TCompiledPack | null) => (pack ? `${pack.id}@${pack.segment.from}` : '-');
/** The dimensions a quota sum's fingerprint is made of. */
export const FINGERPRINT_DIMS = ['hhHash', 'households'] as const;
const fingerprint = (s: TNodeStats | undefined) =>
  `${statOf(s, 'hhHash')}/${statOf(s, 'households')}`;

const below = (packNodes: readonly TPackNode[], path: string) =>
  packNodes.filter((p) => p.path.startsWith(path) && p.path !== path);

/** The pack nodes directly below a path (no other pack node between). */
const topOf = (list: readonly TPackNode[]) =>
  list.filter((p) => !list.some((q) => q !== p && p.path.startsWith(q.path)));

const partitionSum = (
  node: { code: string; path: string },
  pack: TCompiledPack | null,
  packNodes: readonly TPackNode[],
  hist: ReadonlyMap<string, TNodeStats>,
  packFor: TPackFor,
): TQuotaSum => {
  const under = below(packNodes, node.path);
  const top = topOf(under);
  const own = new Map(entriesOf(hist.get(node.code), 'hh'));
  for (const t of top) {
    for (const [k, n] of entriesOf(hist.get(t.code), 'hh')) own.set(k, (own.get(k) ?? 0) - n);
  }
  let sum = quotaOfHistogram(pack, own);
  for (const t of top) {
    sum = addQuota(sum, partitionSum(t, packFor(t.packId, pack), under, hist, packFor));
  }
  return sum;
};

/**
 * The quota sum of each target node (a node's children, or a community itself), reading the
 * histograms only for those whose fingerprint is not already known.
 */
export const quotasOf = async (
  db: TExecutor,
  targets: readonly TTarget[],
  packNodes: readonly TPackNode[],
  packFor: TPackFor,
  /** Nodes whose `hhHash` and `households` rows the caller has read already. */
  known: ReadonlyMap<string, TNodeStats> = new Map(),
): Promise<Map<string, TQuotaSum>> => {
  const out = new Map<string, TQuotaSum>();
  if (targets.length === 0) return out;
  const fpCodes = [...new Set([...targets.map((t) => t.code), ...packNodes.map((p) => p.code)])];
  const unknown = fpCodes.filter((c) => !known.has(c));
  const fps = new Map(known);
  if (unknown.length > 0)
    for (const [c, s] of await readRollup(db, unknown, FINGERPRINT_DIMS)) fps.set(c, s);
  const keyOf = (t: TTarget) =>
    [
      t.code,
      packKey(t.pack),
      fingerprint(fps.get(t.code)),
      ...below(packNodes, t.path).map(
        (p) => `${p.code}:${packKey(packFor(p.packId, t.pack))}:${fingerprint(fps.get(p.code))}`,
      ),
    ].join('|');
  const missing: TTarget[] = [];
  for (const t of targets) {
    const hit = cache.get(keyOf(t));
    if (hit) out.set(t.code, hit);
    else missing.push(t);
  }
  if (missing.length === 0) return out;
  const histCodes = new Set<string>();
  for (const t of missing) {
    histCodes.add(t.code);
    for (const p of below(packNodes, t.path)) histCodes.add(p.code);
  }
  const hist = await readRollup(db, [...histCodes], ['hh']);
  for (const t of missing) {
    const sum = partitionSum(t, t.pack, packNodes, hist, packFor);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(keyOf(t), sum);
    out.set(t.code, sum);
  }
  return out;
};

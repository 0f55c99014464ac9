import type { TCompiledPack, TPolicyRegistry } from '@shegong/policy';
import { COMMUNITY_KINDS, type TQuotaLineSum, type TRange } from '@shegong/shared';

// Community quotas from the governing pack: one community with its explanation (trace
// evaluator), or many at once through the batch kernel. The numbers are the pack's; this file
// only feeds the registry's facts in and reads the lines out.

export type TCommunityFacts = {
  households: number | null;
  residents: number | null;
  kind: string | null;
  /** The county-level district the community lies in (its name), for packs that name districts. */
  district?: string | null;
};

export type TCommunityQuota =
  | (TRange & { lines: (TRange & { rule: string; name: string })[] })
  | { note: string };

/** The pack of an id on a date, or the reason it cannot be used. */
export const packOn = (
  policies: TPolicyRegistry,
  packId: string | null,
  onDate: string,
): { pack: TCompiledPack } | { note: string } => {
  if (!packId) return { note: '未设置适用的政策包' };
  if (!policies.has(packId)) return { note: `政策包 ${packId} 尚未提供` };
  try {
    return { pack: policies.at(packId, onDate) };
  } catch (error) {
    return { note: error instanceof Error ? error.message : String(error) };
  }
};

/** The engine's community input from the registry's facts (undefined when it has none). */
export const communityInput = (pack: TCompiledPack, f: TCommunityFacts) => {
  if (f.households === null && f.residents === null) return undefined;
  return {
    ...(f.households === null ? {} : { households: f.households }),
    ...(f.residents === null ? {} : { residents: f.residents }),
    ...(f.kind && (COMMUNITY_KINDS as readonly string[]).includes(f.kind) ? { kind: f.kind } : {}),
    ...(f.district && pack.districts.includes(f.district) ? { district: f.district } : {}),
  };
};

/**
 * The staffing quota (职数) of one community on a date under its pack, as a range with its
 * lines, or the reason there is none (未核定).
 */
export const communityQuota = (
  policies: TPolicyRegistry,
  packId: string | null,
  onDate: string,
  facts: TCommunityFacts,
): TCommunityQuota => {
  const p = packOn(policies, packId, onDate);
  if ('note' in p) return p;
  const input = communityInput(p.pack, facts);
  if (!input) return { note: '缺少户数、人口数据' };
  try {
    const q = p.pack.quota({ scope: 'community', ...input }).value;
    return {
      min: q.min,
      max: q.max,
      lines: q.lines.map((l) => ({ rule: l.rule, name: l.name, min: l.min, max: l.max })),
    };
  } catch (error) {
    return { note: error instanceof Error ? error.message : String(error) };
  }
};

type TLineMeta = Omit<TQuotaLineSum, 'min' | 'max'>;

export type TBatchCommunityQuota =
  | (TRange & { lines: (TRange & { rule: string; name: string })[] })
  | { note: string };

/**
 * Quotas of many communities under one pack through the batch kernel (no traces); rows the
 * kernel cannot evaluate get the trace evaluator's message. Also returns the lines' kind
 * (within, inTotal, reserved) by rule, read from one traced evaluation per community kind.
 */
export const batchCommunityQuotas = (
  pack: TCompiledPack,
  facts: readonly TCommunityFacts[],
): { quotas: TBatchCommunityQuota[]; meta: Map<string, TLineMeta> } => {
  const quotas: TBatchCommunityQuota[] = new Array(facts.length);
  const meta = new Map<string, TLineMeta>();
  const idx: number[] = [];
  const inputs: ReturnType<typeof communityInput>[] = [];
  facts.forEach((f, i) => {
    const input = communityInput(pack, f);
    if (!input) quotas[i] = { note: '缺少户数、人口数据' };
    else {
      idx.push(i);
      inputs.push(input);
    }
  });
  if (inputs.length === 0) return { quotas, meta };
  const traced = (input: NonNullable<ReturnType<typeof communityInput>>) => {
    try {
      return pack.quota({ scope: 'community', ...input }).value;
    } catch (error) {
      return { note: error instanceof Error ? error.message : String(error) };
    }
  };
  const seenKinds = new Set<string>();
  for (const input of inputs) {
    const kind = input?.kind ?? '城市社区';
    if (seenKinds.has(kind) || !input) continue;
    seenKinds.add(kind);
    const q = traced(input);
    if ('lines' in q) {
      for (const l of q.lines) {
        meta.set(l.rule, {
          name: l.name,
          within: l.within,
          inTotal: l.inTotal,
          reserved: l.reserved,
        });
      }
    }
  }
  const cols = pack.batch.communityColumns(inputs);
  const out = pack.batch.quota(cols);
  for (let k = 0; k < inputs.length; k++) {
    const i = idx[k] as number;
    if (out.error[k] !== 0) {
      const q = traced(inputs[k] as NonNullable<ReturnType<typeof communityInput>>);
      quotas[i] =
        'note' in q
          ? q
          : {
              min: q.min,
              max: q.max,
              lines: q.lines.map((l) => ({ rule: l.rule, name: l.name, min: l.min, max: l.max })),
            };
      continue;
    }
    const lines: (TRange & { rule: string; name: string })[] = [];
    out.lines.forEach((name, j) => {
      const min = out.lineMin[j]?.[k] ?? -2;
      if (min === -2) return;
      const max = out.lineMax[j]?.[k] ?? -1;
      lines.push({ rule: out.rules[j] as string, name, min, max: max < 0 ? null : max });
    });
    const max = out.max[k] as number;
    quotas[i] = { min: out.min[k] as number, max: max < 0 ? null : max, lines };
  }
  return { quotas, meta };
};

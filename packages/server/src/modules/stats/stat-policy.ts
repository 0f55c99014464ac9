import {
  loadPolicyRegistry,
  type TCompiledPack,
  type TPolicyRegistry,
  type TRatio,
} from '@shegong/policy';
import { type TStatTarget, WORKER_STATUSES } from '@shegong/shared';
import { EXITED, parseProfile, type TProfile, UNSET_TITLE } from './stat-keys.ts';

// The figures a pack gives the statistics: the staffing standard per 10,000 residents, community
// quotas and the targets (达标要求). The server knows no city's numbers: everything here comes
// from the compiled pack of the node on the date.

const registries = new Map<string, Promise<TPolicyRegistry>>();

/** The policy registry of a policies directory, loaded once per process. */
export const policyRegistry = (dir: string): Promise<TPolicyRegistry> => {
  let registry = registries.get(dir);
  if (!registry) {
    registry = loadPolicyRegistry(dir);
    registry.catch(() => registries.delete(dir));
    registries.set(dir, registry);
  }
  return registry;
};

export type TPackChoice = { pack: TCompiledPack | null; notes: string[] };

/**
 * The pack that governs a node on a date: the nearest pack set on the node or above it that the
 * registry holds and that is in force; packs skipped on the way are named in the notes.
 */
export const governingPack = (
  registry: TPolicyRegistry | null,
  packIdsNearestFirst: readonly string[],
  date: string,
): TPackChoice => {
  const notes: string[] = [];
  if (!registry) return { pack: null, notes: ['政策包未能加载，职数、配备标准和目标暂不显示'] };
  for (const id of packIdsNearestFirst) {
    if (!registry.has(id)) {
      notes.push(`政策包「${id}」尚未收录，按上级政策包计算`);
      continue;
    }
    try {
      return { pack: registry.at(id, date), notes };
    } catch (error) {
      notes.push(`政策包「${id}」：${(error as Error).message}`);
    }
  }
  return { pack: null, notes };
};

/** The pack's staffing standard for a resident population (street/county scope quota). */
export const densityStandard = (pack: TCompiledPack | null, population: number) => {
  if (!pack || population <= 0) return null;
  try {
    const result = pack.quota({ scope: 'street', residents: population });
    const step = result.trace.find((s) => s.inputs && 'ratio' in s.inputs);
    const ratio = step?.inputs.ratio;
    return {
      expected: result.value.min,
      perTenThousand: typeof ratio === 'string' ? ratio : null,
      note: step?.note ?? result.trace.map((s) => s.note).join('；'),
      source: step?.source ?? '',
    };
  } catch {
    return null;
  }
};

/**
 * What a community's 核定职数 is made of in a pack — the community quota lines counted in the
 * total (银川 两委成员 and 专职网格员; a line `within` another is part of it, not added) — and the
 * clauses they follow, from the compiled pack (as `targetDefs` reads its targets).
 */
export const quotaBasis = (
  pack: TCompiledPack | null,
): { lines: string[]; sources: string[] } | null => {
  const lines = (pack?.programs.quota.community ?? []).filter((l) => l.inTotal);
  if (lines.length === 0) return null;
  return {
    lines: [...new Set(lines.map((l) => l.name))],
    sources: [...new Set(lines.map((l) => l.entry.rule.source))],
  };
};

type TTargetDef = {
  rule: string;
  description: string;
  source: string;
  scope: 'any' | 'community' | 'street';
  measure: 'share-at-least' | 'share-at-most' | 'count-at-least' | 'count-at-most';
  value: TRatio;
  dueBy: string | null;
  level: 'required' | 'goal';
};

/** The targets in force in the compiled pack, with their exact thresholds. */
export const targetDefs = (pack: TCompiledPack): TTargetDef[] =>
  pack.programs.compliance.targets.map((t) => ({
    rule: t.entry.rule.id,
    description: t.entry.rule.description,
    source: t.entry.rule.source,
    scope: t.entry.rule.scope,
    measure: t.entry.rule.measure,
    value: t.value,
    dueBy: t.entry.rule.dueBy ?? null,
    level: t.entry.rule.level,
  }));

/** The same comparison as the engine's compliance evaluation, on counts (exact integers). */
export const meetsTarget = (
  def: Pick<TTargetDef, 'measure' | 'value'>,
  count: number,
  total: number,
) => {
  const { num, den } = def.value;
  switch (def.measure) {
    case 'share-at-least':
      return total > 0 && count * den >= total * num;
    case 'share-at-most':
      return count * den <= total * num;
    case 'count-at-least':
      return count * den >= num;
    case 'count-at-most':
      return count * den <= num;
  }
};

const pct = (n: number, d: number): string =>
  d === 0 ? '—' : `${Math.round((n * 1000) / d) / 10}%`;

type TFlags = { among: boolean; where: boolean };
const flagCache = new Map<
  string,
  { flags: Map<string, Map<string, TFlags>>; required: Map<string, string> }
>();

/**
 * Which targets each worker profile counts for (in the group, meeting the condition): the
 * engine's own compliance evaluation of a one-person group per profile, so the expressions of
 * the pack are read by the engine only. Also returns the engine's wording of each requirement.
 */
export const profileFlags = (pack: TCompiledPack, profiles: readonly string[]) => {
  // Flags depend on the pack version only (not on the date), so they are kept per version.
  const cacheKey = `${pack.id}@${pack.segment.from}`;
  let cached = flagCache.get(cacheKey);
  if (!cached || cached.flags.size > 50_000) {
    cached = { flags: new Map(), required: new Map() };
    flagCache.set(cacheKey, cached);
  }
  const { flags, required } = cached;
  if (required.size === 0) {
    // The wording of each requirement, from an evaluation of nobody.
    for (const scope of ['community', 'street'] as const) {
      try {
        for (const t of pack.compliance({ scope, workers: [] }).value.targets)
          required.set(t.rule, t.required);
      } catch {}
    }
  }
  const titles = new Set(pack.posts.flatMap((p) => [...p.titles, p.category]));
  for (const key of profiles) {
    if (flags.has(key)) continue;
    const p = parseProfile(key);
    const worker = {
      education: p.education,
      educationRecognised: p.educationRecognised,
      certificate: p.certificate,
      localResident: p.localResident,
      seconded: p.seconded,
      ...(p.title && titles.has(p.title) ? { post: p.title } : {}),
    };
    const byRule = new Map<string, TFlags>();
    for (const scope of ['community', 'street'] as const) {
      let targets: { rule: string; count: number; total: number; required: string }[];
      try {
        targets = pack.compliance({ scope, workers: [worker] }).value.targets;
      } catch {
        continue;
      }
      for (const t of targets) {
        byRule.set(t.rule, { among: t.total === 1, where: t.count === 1 });
        required.set(t.rule, t.required);
      }
    }
    flags.set(key, byRule);
  }
  return { flags, required };
};

/** Which rows of each unit a per-unit target counts: a dimension and its values. */
export type TUnitSelector = { dim: string; among: string[]; hit: string[] };

/** Fields of a profile that have a dimension of their own, and that dimension's value. */
const FIELD_DIMS: {
  dim: string;
  valuesOf: (p: TProfile) => string[];
  of: (p: TProfile) => string;
}[] = [
  {
    dim: 'local',
    of: (p) => (p.localResident ? '是' : '否'),
    valuesOf: (p) => [p.localResident ? '是' : '否'],
  },
  { dim: 'certificate', of: (p) => p.certificate, valuesOf: (p) => [p.certificate] },
  { dim: 'education', of: (p) => p.education, valuesOf: (p) => [p.education] },
  { dim: 'title', of: (p) => p.title ?? UNSET_TITLE, valuesOf: (p) => [p.title ?? UNSET_TITLE] },
  {
    dim: 'status',
    of: (p) => (p.seconded ? '借调' : 'other'),
    valuesOf: (p) =>
      p.seconded ? ['借调'] : WORKER_STATUSES.filter((s) => s !== '借调' && s !== EXITED),
  },
];

/**
 * The rows a per-unit target reads. When the target depends on one field only (as observed over
 * the node's profiles: every profile with the same value of that field counts the same way), the
 * units' rows of that field's dimension give the same sums with a few rows per unit; otherwise
 * the profile rows.
 */
export const unitSelector = (
  flags: ReadonlyMap<string, Map<string, TFlags>>,
  rule: string,
  profiles: readonly string[],
): TUnitSelector => {
  const parsed = profiles.map((key) => ({
    key,
    p: parseProfile(key),
    f: flags.get(key)?.get(rule),
  }));
  for (const field of FIELD_DIMS) {
    const byValue = new Map<string, { among: boolean; where: boolean; values: string[] }>();
    let decides = true;
    for (const { p, f } of parsed) {
      const v = field.of(p);
      const flag = { among: !!f?.among, where: !!f?.where };
      const seen = byValue.get(v);
      if (!seen) byValue.set(v, { ...flag, values: field.valuesOf(p) });
      else if (seen.among !== flag.among || seen.where !== flag.where) {
        decides = false;
        break;
      }
    }
    if (!decides) continue;
    const among: string[] = [];
    const hit: string[] = [];
    for (const s of byValue.values()) {
      if (!s.among) continue;
      among.push(...s.values);
      if (s.where) hit.push(...s.values);
    }
    return { dim: field.dim, among, hit };
  }
  const among: string[] = [];
  const hit: string[] = [];
  for (const { key, f } of parsed) {
    if (!f?.among) continue;
    among.push(key);
    if (f.where) hit.push(key);
  }
  return { dim: 'profile', among, hit };
};

const tally = (
  counts: ReadonlyMap<string, number>,
  flags: ReadonlyMap<string, Map<string, TFlags>>,
  rule: string,
) => {
  let count = 0;
  let total = 0;
  for (const [profile, n] of counts) {
    const f = flags.get(profile)?.get(rule);
    if (!f?.among) continue;
    total += n;
    if (f.where) count += n;
  }
  return { count, total };
};

const LEVEL_DEPTH: Record<string, number> = {
  country: 0,
  province: 1,
  city: 2,
  county: 3,
  street: 4,
  community: 5,
  grid: 6,
};
const UNIT_LABEL = { community: '社区', street: '街道' } as const;

/**
 * Progress of every target of the pack at a node: a target for any group is measured on the
 * node's workers; a per-community or per-street target on the node itself when it is such a
 * unit, else on each unit below it ("N of M communities meet it").
 */
export const evaluateTargets = async (input: {
  pack: TCompiledPack;
  level: string;
  date: string;
  profiles: ReadonlyMap<string, number>;
  /** Count and total of every unit of a level below the node, for the profiles given. */
  units: (
    level: 'community' | 'street',
    selector: TUnitSelector,
  ) => Promise<{ count: number; total: number }[]>;
}): Promise<TStatTarget[]> => {
  const defs = targetDefs(input.pack);
  if (defs.length === 0) return [];
  const { flags, required } = profileFlags(input.pack, [...input.profiles.keys()]);
  const depth = LEVEL_DEPTH[input.level] ?? 0;
  // Targets per unit each read the units' rows: those reads run side by side.
  const evaluateOne = async (def: TTargetDef): Promise<TStatTarget | null> => {
    const status = (met: boolean) =>
      met ? '达标' : def.dueBy && input.date <= def.dueBy ? '未到期' : '未达标';
    const isShare = def.measure.startsWith('share');
    const actualOf = (count: number, total: number) => (isShare ? pct(count, total) : `${count}人`);
    const base = {
      rule: def.rule,
      description: def.description,
      source: def.source,
      scope: def.scope,
      measure: def.measure,
      required: required.get(def.rule) ?? '',
      level: def.level,
      dueBy: def.dueBy,
    };
    if (def.scope === 'any' || LEVEL_DEPTH[def.scope] === depth) {
      const { count, total } = tally(input.profiles, flags, def.rule);
      const met = meetsTarget(def, count, total);
      return {
        ...base,
        count,
        total,
        actual: actualOf(count, total),
        met,
        status: status(met),
        units: null,
      };
    }
    if ((LEVEL_DEPTH[def.scope] ?? 0) < depth) return null;
    const units = await input.units(
      def.scope,
      unitSelector(flags, def.rule, [...input.profiles.keys()]),
    );
    let metUnits = 0;
    let count = 0;
    let total = 0;
    for (const t of units) {
      if (meetsTarget(def, t.count, t.total)) metUnits++;
      count += t.count;
      total += t.total;
    }
    const met = units.length > 0 && metUnits === units.length;
    return {
      ...base,
      count,
      total,
      actual: isShare ? pct(count, total) : `${metUnits}/${units.length}`,
      met,
      status: status(met),
      units: { met: metUnits, total: units.length, label: UNIT_LABEL[def.scope] },
    };
  };
  const out = await Promise.all(defs.map(evaluateOne));
  return out.filter((t): t is TStatTarget => t !== null);
};

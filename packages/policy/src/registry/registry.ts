import { AppError } from '@shegong/shared';
import { makeBatch, type TBatchApi } from '../batch/batch.ts';
import { batchPayMonth, type TPayMonthBatch } from '../batch/pay-month-batch.ts';
import {
  compilePrograms,
  scalarEvaluations,
  type TPackPrograms,
  type TScalarEvaluations,
  traced,
} from '../evaluate/compile-pack.ts';
import { parseInput } from '../evaluate/context.ts';
import {
  certificateSplitOn,
  cutSegmentsAt,
  evaluatePayMonth,
  splitAtCertificate,
  type TMonthSegment,
} from '../evaluate/pay-month.ts';
import type { TTraceSink } from '../evaluate/trace.ts';
import { parseWorkerInput, type TWorkerInput, ZWorkerInput } from '../inputs.ts';
import type { TRule } from '../schema/pack-schema.ts';
import type { TYamlSource } from '../schema/yaml-source.ts';
import type { TPayValue, TTraceStep } from '../types.ts';
import { addDays, isIsoDate, monthEnd } from '../util/dates.ts';
import { formatRatio } from '../util/decimal.ts';
import {
  packNodeFromSource,
  parsePackNode,
  type TPackNode,
  type TParamVersion,
  type TPolicyFile,
} from './pack-node.ts';
import {
  chainOf,
  changeDates,
  checkInheritance,
  resolveAt,
  type TPost,
  type TResolvedPack,
} from './resolve.ts';

/** A pack compiled for one date: evaluations with traces, batch kernels, and what it is made of. */
export type TCompiledPack = TScalarEvaluations & {
  id: string;
  name: string;
  date: string;
  /** The period during which nothing in the pack changes; every date in it gives the same result. */
  segment: { from: string; to: string | null };
  posts: readonly TPost[];
  districts: readonly string[];
  batch: TBatchApi;
  /** The compiled stages (for tools; the server should not need them). */
  programs: TPackPrograms;
};

export type TPackSummary = {
  id: string;
  name: string;
  status: string;
  jurisdiction: { name: string; level: string; code?: string | undefined };
  extends: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** Periods in which the pack (with what it inherits) stays the same. */
  versions: { from: string; to: string | null }[];
};

export type TParameterDescription = {
  name: string;
  section: 'parameters' | 'statistics';
  description: string;
  unit: string;
  source: string;
  definedIn: string;
  /** The value in force on the date, as written (元, ratio text), or null when none. */
  value: string | null;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  versions: {
    from: string;
    to: string | null;
    value: string;
    source: string;
    note?: string | undefined;
  }[];
};

export type TRuleDescription = {
  id: string;
  shape: TRule['shape'];
  description: string;
  source: string;
  covers: string[];
  definedIn: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  replaces: string[];
  note: string | null;
  /** The rule as written in the pack (YAML data), for display. */
  definition: unknown;
};

/** Everything the read-only 政策 page shows for a pack on a date. */
export type TPackDescription = {
  id: string;
  name: string;
  status: string;
  jurisdiction: TPackSummary['jurisdiction'];
  extends: string | null;
  chain: string[];
  date: string;
  segment: { from: string; to: string | null };
  /** The pack's first day and why (its `effective_basis`: the clause), if it says. */
  effectiveFrom: string;
  effectiveBasis: { source: string; description: string } | null;
  sources: {
    key: string;
    /** The transcript's file name (for maintainers); people are shown the title. */
    file: string;
    title: string;
    issuer: string | null;
    /** 文号, e.g. 长新党政办发〔2020〕30号. */
    number: string | null;
    issued: string | null;
    effective: string | null;
    note: string | null;
  }[];
  options: {
    name: string;
    description: string;
    source: string;
    choices: { key: string; description: string }[];
    chosen: string;
    reason: string;
    chosenBy: string;
    definedIn: string;
  }[];
  parameters: TParameterDescription[];
  posts: readonly TPost[];
  rules: TRuleDescription[];
};

/** Edits that make a draft copy of a pack (what-if). */
export type TDraftEdits = {
  /** Id of the draft pack; defaults to `<packId>-draft`. */
  id?: string;
  name?: string;
  /** New value of a parameter, from a date (default: the whole life of the pack). Money in 元. */
  parameters?: Record<string, { value: number | string | boolean; from?: string }>;
  /** Another reading of an ambiguity. */
  options?: Record<string, { chosen: string; reason?: string }>;
  /** Rules to add, or to replace by id (as written in a pack). */
  rules?: unknown[];
};

export type TPolicyRegistry = {
  list: () => TPackSummary[];
  has: (packId: string) => boolean;
  /** The pack as it stands on a date, compiled. Cached per version period. */
  at: (packId: string, date: string) => TCompiledPack;
  describe: (packId: string, date: string) => TPackDescription;
  /** A new registry that also holds a draft pack extending `packId` with the edits. */
  draft: (packId: string, edits: TDraftEdits) => TPolicyRegistry;
  /**
   * Pay of the month `YYYY-MM` with its trace, evaluated on the month's first day or the day of
   * joining inside it (the facts of that day), and split by calendar days where a version of the
   * pack starts inside the month and changes the figures (TPayValue.parts). With one version in
   * the month it equals `at(packId, evalOn).pay(input)`.
   * @example registry.payMonth('yinchuan-2018', '2025-03', { post: '网格员', years: 2 })
   */
  payMonth: (
    packId: string,
    month: string,
    input: unknown,
    /**
     * The worker's record as it stands from a day inside the month on (a new post from the
     * 16th): the month is split there too, by the same rule as a version of the pack.
     */
    records?: readonly { on: string; input: unknown }[],
  ) => { value: TPayValue; trace: TTraceStep[]; evalOn: string };
  /** The same for many workers over columns, without traces (batch kernels per version). */
  batchPayMonth: (packId: string, month: string, inputs: readonly unknown[]) => TPayMonthBatch;
  /**
   * The days of the month `YYYY-MM` the pack governs: from its first day (when it starts inside
   * the month) to its last; null when it governs none. The month's pay is computed for these
   * days; the others are 无适用政策 (TPayPart.noPolicy).
   * @example registry.monthRange('changchun-xinqu-2020', '2020-11') // { from: '2020-11-02', to: '2020-11-30' }
   */
  monthRange: (packId: string, month: string) => { from: string; to: string } | null;
  /** The raw test files of a pack folder (`tests/*.yaml`), for the test runner. */
  testFiles: (packId?: string) => TPolicyFile[];
  /** Rule entries of a pack and its ancestors (all versions), for coverage. */
  allRules: (packId: string) => { packId: string; rule: TRule }[];
};

const displayParam = (v: TParamVersion): string => {
  switch (v.value.kind) {
    case 'money':
      return `${v.raw}`;
    case 'ratio':
      return typeof v.raw === 'string'
        ? v.raw
        : formatRatio(v.value.ratio, 4).replace(/\.?0+$/, '');
    default:
      return String(v.raw);
  }
};

const valueAtPath = (src: TYamlSource, path: readonly PropertyKey[]): unknown => {
  let cur: unknown = src.data;
  for (const k of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[k] : undefined;
  return cur;
};

/**
 * Builds a registry from pack files held in memory (pure: no I/O). Every pack is validated and
 * compiled for each of its version periods, so an error anywhere fails here with file, line, key.
 * @example createPolicyRegistry([{ path: 'policies/x/pack.yaml', text }]).at('x', '2024-01-01').grade({...})
 */
export const createPolicyRegistry = (files: readonly TPolicyFile[]): TPolicyRegistry => {
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  const nodes = new Map<string, TPackNode>();
  for (const f of files) {
    if (!/(^|\/)pack\.yaml$/.test(f.path)) continue;
    const node = parsePackNode(f.path, byPath);
    if (nodes.has(node.id)) {
      throw new AppError('POLICY_INVALID', `政策包 id「${node.id}」重复`, {
        where: { file: f.path, line: node.src.lineOf(['id']), key: 'id' },
      });
    }
    nodes.set(node.id, node);
  }
  return buildRegistry(files, nodes, null);
};

/** The registry over parsed nodes; `only` limits the up-front validation to the given packs. */
const buildRegistry = (
  files: readonly TPolicyFile[],
  nodes: ReadonlyMap<string, TPackNode>,
  only: ReadonlySet<string> | null,
): TPolicyRegistry => {
  const chains = new Map<string, TPackNode[]>();
  const dates = new Map<string, string[]>();
  for (const id of nodes.keys()) {
    const chain = chainOf(nodes, id);
    if (!only || only.has(id)) checkInheritance(chain);
    chains.set(id, chain);
    dates.set(id, changeDates(chain));
  }
  const cache = new Map<string, TPackPrograms>();

  const segmentOf = (id: string, date: string): { from: string; to: string | null } => {
    const ds = dates.get(id) as string[];
    let i = ds.length - 1;
    while (i > 0 && (ds[i] as string) > date) i--;
    const next = ds[i + 1];
    const node = nodes.get(id) as TPackNode;
    return {
      from: ds[i] as string,
      to: next ? addDays(next, -1) : (node.file.effective_to ?? null),
    };
  };

  /** Validates the pack id and date; returns the version period the date falls in. */
  const check = (id: string, date: string): { from: string; to: string | null } => {
    const node = nodes.get(id);
    if (!node)
      throw new AppError(
        'NOT_FOUND',
        `没有政策包「${id}」（可用：${[...nodes.keys()].join('、')}）`,
      );
    if (!isIsoDate(date)) throw new AppError('BAD_REQUEST', `日期「${date}」应为 YYYY-MM-DD`);
    const f = node.file;
    if (date < f.effective_from)
      throw new AppError(
        'NOT_FOUND',
        `政策包「${id}」自 ${f.effective_from} 起施行，${date} 尚未生效`,
      );
    if (f.effective_to && date > f.effective_to)
      throw new AppError('NOT_FOUND', `政策包「${id}」已于 ${f.effective_to} 失效`);
    return segmentOf(id, date);
  };
  const resolved = (id: string, date: string): TResolvedPack =>
    resolveAt(chains.get(id) as TPackNode[], date, check(id, date));

  // Programs are compiled once per version period; a date only binds the evaluations. The bound
  // pack of a (pack, date) is kept too: binding builds every evaluation's closure (≈ 14 µs), and a
  // worker list asks it once per row. The registry never changes, so neither does a bound pack.
  const bound = new Map<string, TCompiledPack>();
  const BOUND_MAX = 2048;
  const at = (id: string, date: string): TCompiledPack => {
    const boundKey = `${id}\u0001${date}`;
    const hit = bound.get(boundKey);
    if (hit) return hit;
    const key = `${id}@${check(id, date).from}`;
    let programs = cache.get(key);
    if (!programs) {
      programs = compilePrograms(resolved(id, date));
      cache.set(key, programs);
    }
    const pack = bind(programs, date);
    if (bound.size >= BOUND_MAX) bound.clear();
    bound.set(boundKey, pack);
    return pack;
  };

  /**
   * The days of the month `YYYY-MM` the pack governs (from its first day, to its last), or null
   * when it governs none of them.
   */
  const monthRange = (id: string, month: string): { from: string; to: string } | null => {
    const file = (nodes.get(id) as TPackNode | undefined)?.file;
    if (!file) return null;
    const first = `${month}-01`;
    const last = monthEnd(first);
    const from = file.effective_from > first ? file.effective_from : first;
    const to = file.effective_to && file.effective_to < last ? file.effective_to : last;
    return from <= to ? { from, to } : null;
  };

  /**
   * The stretches of the month of `evalOn` under each version of the pack, from the version in
   * force on `evalOn` (or on the pack's first day, when it starts inside the month after
   * `evalOn`); together they cover the days of the month the pack governs.
   */
  const segmentsAt = (id: string, evalOn: string): TMonthSegment[] => {
    const governed = nodes.has(id) ? monthRange(id, evalOn.slice(0, 7)) : null;
    if (!governed) {
      check(id, evalOn);
      throw new AppError('NOT_FOUND', `政策包「${id}」在 ${evalOn.slice(0, 7)} 不施行`);
    }
    const on = evalOn < governed.from ? governed.from : evalOn;
    const seg = check(id, on);
    const starts = [
      seg.from,
      ...(dates.get(id) as string[]).filter((d) => d > on && d <= governed.to),
    ];
    return starts.map((from, i) => {
      const next = starts[i + 1];
      const version = i === 0 ? seg : segmentOf(id, from);
      return {
        from: i === 0 ? governed.from : from,
        to: next ? addDays(next, -1) : governed.to,
        version,
        programs: at(id, from).programs,
      };
    });
  };

  /** The month's evaluation date: its first day or the day of joining, not before the pack. */
  const monthEvalOn = (id: string, month: string, input: unknown): string => {
    const first = `${month}-01`;
    const hired = (input as { hiredOn?: unknown } | null)?.hiredOn;
    const on =
      typeof hired === 'string' && hired > first && hired <= monthEnd(first) ? hired : first;
    const from = monthRange(id, month)?.from;
    return from && from > on ? from : on;
  };

  /**
   * The month's pay of one worker (parsed input) with its trace sink: the month's segments cut
   * where the record changes (`records`: a new post from a day) and where a certificate obtained
   * inside the month counts from (when the pack says `recordChange: by-days`).
   */
  const monthValue = (
    id: string,
    month: string,
    w: TWorkerInput,
    records: readonly { on: string; input: TWorkerInput }[],
    t: TTraceSink,
  ): { value: TPayValue; evalOn: string } => {
    const evalOn = monthEvalOn(id, month, w);
    const segments = segmentsAt(id, evalOn);
    // Cut the segments where the record changes; later segments take the new record.
    for (const r of [...records].sort((a, b) => (a.on < b.on ? -1 : 1))) {
      if (r.on <= evalOn || r.on > monthEnd(evalOn)) continue;
      for (const later of cutSegmentsAt(segments, r.on)) later.input = r.input;
    }
    const head = segments[0] as TMonthSegment;
    const lastDay = (segments[segments.length - 1] as TMonthSegment).to;
    const certOn = certificateSplitOn(head.programs.pay, w, evalOn, lastDay);
    if (certOn)
      splitAtCertificate(
        segments,
        w,
        certOn,
        `人事档案；${head.programs.pay.proration?.entry.rule.source ?? ''}`,
      );
    return { value: evaluatePayMonth(segments, w, evalOn, t), evalOn };
  };

  // Validate every pack in every version period now.
  for (const id of nodes.keys()) {
    if (only && !only.has(id)) continue;
    for (const d of dates.get(id) as string[]) at(id, d);
  }

  const registry: TPolicyRegistry = {
    list: () =>
      [...nodes.values()].map((n) => {
        const ds = dates.get(n.id) as string[];
        return {
          id: n.id,
          name: n.file.name,
          status: n.file.status,
          jurisdiction: n.file.jurisdiction,
          extends: n.file.extends ?? null,
          effectiveFrom: n.file.effective_from,
          effectiveTo: n.file.effective_to ?? null,
          versions: ds.map((from, i) => ({
            from,
            to: ds[i + 1] ? addDays(ds[i + 1] as string, -1) : (n.file.effective_to ?? null),
          })),
        };
      }),
    has: (id) => nodes.has(id),
    at,
    describe: (id, date) => describePack(resolved(id, date)),
    draft: (id, edits) => {
      const draftNode = makeDraftNode(nodes, id, edits);
      const next = new Map(nodes);
      next.set(draftNode.id, draftNode);
      return buildRegistry(files, next, new Set([draftNode.id]));
    },
    payMonth: (id, month, input, records = []) => {
      if (!/^\d{4}-\d{2}$/.test(month))
        throw new AppError('BAD_REQUEST', `月份「${month}」应为 YYYY-MM`);
      const parse = (v: unknown) => parseWorkerInput(v, (x) => parseInput(ZWorkerInput, x));
      const w = parse(input);
      const recs = records.map((r) => ({ on: r.on, input: parse(r.input) }));
      let evalOn = '';
      const r = traced((t) => {
        const m = monthValue(id, month, w, recs, t);
        evalOn = m.evalOn;
        return m.value;
      });
      return { ...r, evalOn };
    },
    batchPayMonth: (id, month, inputs) => {
      if (!/^\d{4}-\d{2}$/.test(month))
        throw new AppError('BAD_REQUEST', `月份「${month}」应为 YYYY-MM`);
      return batchPayMonth(
        (evalOn) => segmentsAt(id, evalOn),
        month,
        inputs,
        (w) => monthValue(id, month, w, [], null).value,
      );
    },
    monthRange: (id, month) => {
      check(id, nodes.get(id)?.file.effective_from ?? '');
      return monthRange(id, month);
    },
    testFiles: (id) => {
      const dirs = [...nodes.values()]
        .filter((n) => !id || n.id === id)
        .map((n) => `${n.dir}/tests/`);
      return files.filter((f) => dirs.some((d) => f.path.startsWith(d)) && /\.ya?ml$/.test(f.path));
    },
    allRules: (id) =>
      (chains.get(id) ?? []).flatMap((n) => n.rules.map((r) => ({ packId: n.id, rule: r.rule }))),
  };
  return registry;
};

const bind = (programs: TPackPrograms, date: string): TCompiledPack => {
  const pack = programs.ctx.pack;
  return {
    id: pack.id,
    name: pack.node.file.name,
    date,
    segment: pack.segment,
    posts: pack.posts,
    districts: pack.districts,
    ...scalarEvaluations(programs, date),
    batch: makeBatch(programs, date),
    programs,
  };
};

const describePack = (pack: TResolvedPack): TPackDescription => {
  const f = pack.node.file;
  return {
    id: pack.id,
    name: f.name,
    status: f.status,
    jurisdiction: f.jurisdiction,
    extends: f.extends ?? null,
    chain: pack.chain.map((n) => n.id),
    date: pack.date,
    segment: pack.segment,
    effectiveFrom: f.effective_from,
    effectiveBasis: f.effective_basis ?? null,
    sources: [...pack.sources].map(([key, s]) => ({
      key,
      file: s.file,
      title: s.title,
      issuer: s.issuer ?? null,
      number: s.number ?? null,
      issued: s.issued ?? null,
      effective: s.effective ?? null,
      note: s.note ?? null,
    })),
    options: [...pack.options.values()].map((o) => ({
      name: o.name,
      description: o.description,
      source: o.source,
      choices: Object.entries(o.choices).map(([key, c]) => ({ key, description: c.description })),
      chosen: o.chosen,
      reason: o.reason,
      chosenBy: o.chosenBy,
      definedIn: o.definedIn,
    })),
    parameters: [...pack.params.values()].map(({ entry, version }) => ({
      name: entry.name,
      section: entry.section,
      description: entry.def.description,
      unit: entry.def.unit,
      source: version?.source ?? entry.def.source,
      definedIn: entry.packId,
      value: version ? displayParam(version) : null,
      effectiveFrom: version?.from ?? null,
      effectiveTo: version?.to ?? null,
      versions: entry.versions.map((v) => ({
        from: v.from,
        to: v.to,
        value: displayParam(v),
        source: v.source,
        note: v.note,
      })),
    })),
    posts: pack.posts,
    rules: pack.rules.map((r) => ({
      id: r.rule.id,
      shape: r.rule.shape,
      description: r.rule.description,
      source: r.rule.source,
      covers: r.rule.covers ?? [],
      definedIn: r.packId,
      effectiveFrom: r.from,
      effectiveTo: r.to,
      replaces: r.rule.replaces ?? [],
      note: r.rule.note ?? null,
      definition: valueAtPath(r.origin.src, r.origin.path),
    })),
  };
};

const makeDraftNode = (
  nodes: ReadonlyMap<string, TPackNode>,
  baseId: string,
  edits: TDraftEdits,
): TPackNode => {
  const base = nodes.get(baseId);
  if (!base) throw new AppError('NOT_FOUND', `没有政策包「${baseId}」`);
  const id = edits.id ?? `${baseId}-draft`;
  const chain = chainOf(nodes, baseId);
  const inherited = (name: string) =>
    [...chain]
      .reverse()
      .map((n) => n.params.get(name))
      .find(Boolean);
  const parameters: Record<string, unknown> = {};
  for (const [name, edit] of Object.entries(edits.parameters ?? {})) {
    const p = inherited(name);
    if (!p)
      throw new AppError('NOT_FOUND', `政策包「${baseId}」没有参数「${name}」`, {
        where: { key: `parameters.${name}` },
      });
    parameters[name] = {
      description: p.def.description,
      source: p.def.source,
      unit: p.def.unit,
      replaces: true,
      values: [
        {
          effective_from: edit.from ?? base.file.effective_from,
          value: edit.value,
          source: p.def.source,
          note: '草稿修改',
        },
      ],
    };
  }
  const options: Record<string, unknown> = {};
  for (const [name, edit] of Object.entries(edits.options ?? {})) {
    options[name] = { chosen: edit.chosen, reason: edit.reason ?? '草稿测算：改用另一种理解' };
  }
  const ancestorIds = new Set(chain.flatMap((n) => n.rules.map((r) => r.rule.id)));
  const rules = (edits.rules ?? []).map((r) => {
    const rule = r as { id?: string; replaces?: string[] };
    if (rule.id && ancestorIds.has(rule.id) && !(rule.replaces ?? []).includes(rule.id)) {
      return { ...rule, replaces: [...(rule.replaces ?? []), rule.id] };
    }
    return rule;
  });
  const data: Record<string, unknown> = {
    id,
    name: edits.name ?? `${base.file.name}（草稿）`,
    jurisdiction: base.file.jurisdiction,
    status: '草稿',
    extends: baseId,
    effective_from: base.file.effective_from,
    ...(base.file.effective_to ? { effective_to: base.file.effective_to } : {}),
    parameters,
    options,
    rules,
  };
  const src: TYamlSource = { file: `草稿:${id}`, data, lineOf: () => 1 };
  return packNodeFromSource(src, `draft/${id}`);
};

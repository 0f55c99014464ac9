import { AppError } from '@shegong/shared';
import {
  type TIncludeFile,
  type TOptionDef,
  type TPackFile,
  type TParameterDef,
  type TRule,
  ZIncludeFile,
  ZPackFile,
} from '../schema/pack-schema.ts';
import {
  parseYamlSource,
  policyError,
  type TYamlSource,
  validateSource,
} from '../schema/yaml-source.ts';
import { addDays } from '../util/dates.ts';
import { parseRatio, type TRatio, yuanToFen } from '../util/decimal.ts';

/** Where something was written: the file and the key path inside it. */
export type TOrigin = { readonly src: TYamlSource; readonly path: readonly PropertyKey[] };

/** The kind of a parameter value, decided by its unit. */
export type TParamKind = 'money' | 'ratio' | 'number' | 'boolean';

/** A parameter value as the engine uses it: fen, exact ratio, number or boolean. */
export type TParamValue =
  | { kind: 'money'; fen: number }
  | { kind: 'ratio'; ratio: TRatio }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean };

export type TParamVersion = {
  from: string;
  to: string | null;
  value: TParamValue;
  raw: number | string | boolean;
  source: string;
  note?: string | undefined;
  origin: TOrigin;
};

export type TParamEntry = {
  name: string;
  section: 'parameters' | 'statistics';
  def: TParameterDef;
  kind: TParamKind;
  packId: string;
  origin: TOrigin;
  versions: TParamVersion[];
};

export type TRuleEntry = {
  rule: TRule;
  packId: string;
  origin: TOrigin;
  /** Effective window: the rule's own dates, defaulting to the pack's. `to` is inclusive. */
  from: string;
  to: string | null;
};

export type TOptionEntry = { name: string; def: TOptionDef; packId: string; origin: TOrigin };

/** One pack folder, validated, before inheritance is applied. */
export type TPackNode = {
  id: string;
  dir: string;
  file: TPackFile;
  src: TYamlSource;
  rules: TRuleEntry[];
  params: Map<string, TParamEntry>;
  options: Map<string, TOptionEntry>;
};

/** A text file handed to the registry: a path (for messages) and its content. */
export type TPolicyFile = { path: string; text: string };

const MONEY_UNITS = /^元/;
const RATIO_UNITS = new Set(['比例', '倍', '系数', '%', '百分比']);

/** The value kind of a parameter from its unit: `元/月` → money, `倍` → ratio, `户` → number. */
export const paramKindOfUnit = (unit: string): TParamKind => {
  if (MONEY_UNITS.test(unit)) return 'money';
  if (RATIO_UNITS.has(unit)) return 'ratio';
  if (unit === '是否') return 'boolean';
  return 'number';
};

const parseParamValue = (
  kind: TParamKind,
  raw: number | string | boolean,
): TParamValue | undefined => {
  if (kind === 'boolean') return typeof raw === 'boolean' ? { kind, value: raw } : undefined;
  if (typeof raw === 'boolean') return undefined;
  if (kind === 'money') {
    const fen = yuanToFen(raw);
    return fen === undefined ? undefined : { kind, fen };
  }
  if (kind === 'ratio') {
    const r = parseRatio(raw);
    return r ? { kind, ratio: r } : undefined;
  }
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) ? { kind, value: n } : undefined;
};

const dirOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/**
 * Parses and validates one pack folder: pack.yaml plus its `include:` files.
 * Rules get their effective window; parameters get typed values; every item keeps its origin.
 */
export const parsePackNode = (packPath: string, files: ReadonlyMap<string, string>): TPackNode => {
  const text = files.get(packPath);
  if (text === undefined)
    throw new AppError('NOT_FOUND', `找不到文件 ${packPath}`, { where: { file: packPath } });
  const src = parseYamlSource(packPath, text);
  const dir = dirOf(packPath);
  const node = packNodeFromSource(src, dir);
  const file = node.file;
  const folder = dir.slice(dir.lastIndexOf('/') + 1);
  if (folder && folder !== file.id) {
    throw policyError(src, ['id'], `包 id「${file.id}」应与所在文件夹名「${folder}」一致`);
  }
  for (const [i, inc] of (file.include ?? []).entries()) {
    const incPath = `${dir}/${inc}`;
    const incText = files.get(incPath);
    if (incText === undefined) throw policyError(src, ['include', i], `找不到引用的文件 ${inc}`);
    const incSrc = parseYamlSource(incPath, incText);
    const body = validateSource(incSrc, ZIncludeFile);
    addBody(node, incSrc, body, []);
  }
  checkRuleWindows(node);
  return node;
};

/** A pack node from already parsed data (a pack.yaml, or a draft built in memory). */
export const packNodeFromSource = (src: TYamlSource, dir: string): TPackNode => {
  const file = validateSource(src, ZPackFile);
  const node: TPackNode = {
    id: file.id,
    dir,
    file,
    src,
    rules: [],
    params: new Map(),
    options: new Map(),
  };
  if (file.effective_to && file.effective_to < file.effective_from) {
    throw policyError(src, ['effective_to'], '失效日期早于生效日期');
  }
  addBody(node, src, file, []);
  return node;
};

const addBody = (
  node: TPackNode,
  src: TYamlSource,
  body: TIncludeFile,
  base: PropertyKey[],
): void => {
  const packFrom = node.file.effective_from;
  const packTo = node.file.effective_to ?? null;
  for (const [name, def] of Object.entries(body.options ?? {})) {
    if (node.options.has(name))
      throw policyError(src, [...base, 'options', name], `选项「${name}」重复定义`);
    node.options.set(name, {
      name,
      def,
      packId: node.id,
      origin: { src, path: [...base, 'options', name] },
    });
  }
  for (const section of ['parameters', 'statistics'] as const) {
    for (const [name, def] of Object.entries(body[section] ?? {})) {
      const path = [...base, section, name];
      if (node.params.has(name)) throw policyError(src, path, `参数「${name}」重复定义`);
      const kind = paramKindOfUnit(def.unit);
      const versions: TParamVersion[] = def.values.map((v, i) => {
        const value = parseParamValue(kind, v.value);
        if (!value) {
          throw policyError(
            src,
            [...path, 'values', i, 'value'],
            `取值「${String(v.value)}」与单位「${def.unit}」不符`,
          );
        }
        return {
          from: v.effective_from,
          to: v.effective_to ?? null,
          value,
          raw: v.value,
          source: v.source ?? def.source,
          note: v.note,
          origin: { src, path: [...path, 'values', i] },
        };
      });
      versions.sort((a, b) => (a.from < b.from ? -1 : 1));
      for (let i = 1; i < versions.length; i++) {
        const prev = versions[i - 1] as TParamVersion;
        const cur = versions[i] as TParamVersion;
        if (prev.to === null) prev.to = addDays(cur.from, -1);
        if (prev.to >= cur.from)
          throw policyError(src, cur.origin.path, `参数「${name}」的取值时段重叠`);
      }
      if (section === 'parameters' && versions.length === 0) {
        throw policyError(src, [...path, 'values'], `参数「${name}」至少要有一个取值`);
      }
      node.params.set(name, {
        name,
        section,
        def,
        kind,
        packId: node.id,
        origin: { src, path },
        versions,
      });
    }
  }
  for (const [i, rule] of (body.rules ?? []).entries()) {
    const from = rule.effective_from ?? packFrom;
    const to = rule.effective_to === undefined ? packTo : rule.effective_to;
    const origin = { src, path: [...base, 'rules', i] };
    if (to !== null && to < from)
      throw policyError(src, [...origin.path, 'effective_to'], '失效日期早于生效日期');
    node.rules.push({ rule, packId: node.id, origin, from, to });
  }
};

/** Versions of one rule id must not overlap in time. */
const checkRuleWindows = (node: TPackNode): void => {
  const byId = new Map<string, TRuleEntry[]>();
  for (const r of node.rules) byId.set(r.rule.id, [...(byId.get(r.rule.id) ?? []), r]);
  for (const versions of byId.values()) {
    versions.sort((a, b) => (a.from < b.from ? -1 : 1));
    for (let i = 1; i < versions.length; i++) {
      const prev = versions[i - 1] as TRuleEntry;
      const cur = versions[i] as TRuleEntry;
      if (prev.to === null || prev.to >= cur.from) {
        throw policyError(
          cur.origin.src,
          [...cur.origin.path, 'effective_from'],
          `规则「${cur.rule.id}」的版本时段与前一版本重叠（前一版本须写 effective_to，且早于本版本生效日）`,
        );
      }
    }
  }
};

import { AppError } from '@shegong/shared';
import type { z } from 'zod';
import type { TOptionDef, TSourceDef, ZPost } from '../schema/pack-schema.ts';
import { policyError } from '../schema/yaml-source.ts';
import { addDays } from '../util/dates.ts';
import type { TOrigin, TPackNode, TParamEntry, TParamVersion, TRuleEntry } from './pack-node.ts';

export type TPost = z.infer<typeof ZPost>;

export type TResolvedOption = {
  name: string;
  description: string;
  source: string;
  choices: Record<string, { description: string; value?: unknown }>;
  chosen: string;
  reason: string;
  /** The pack that made the choice (the defining pack, a child or a draft). */
  chosenBy: string;
  definedIn: string;
  origin: TOrigin;
};

export type TResolvedParam = { entry: TParamEntry; version: TParamVersion | undefined };

/** A pack as it stands on one date: inherited, overridden, every dated item picked. */
export type TResolvedPack = {
  id: string;
  node: TPackNode;
  chain: readonly TPackNode[];
  date: string;
  segment: { from: string; to: string | null };
  options: ReadonlyMap<string, TResolvedOption>;
  params: ReadonlyMap<string, TResolvedParam>;
  posts: readonly TPost[];
  postsOrigin: TOrigin | undefined;
  districts: readonly string[];
  flags: readonly { name: string; description: string }[];
  rules: readonly TRuleEntry[];
  sources: ReadonlyMap<string, TSourceDef>;
};

/** Ancestors first, the pack itself last. */
export const chainOf = (nodes: ReadonlyMap<string, TPackNode>, id: string): TPackNode[] => {
  const chain: TPackNode[] = [];
  const seen = new Set<string>();
  let cur = nodes.get(id);
  if (!cur) throw new AppError('NOT_FOUND', `没有政策包「${id}」`);
  while (cur) {
    if (seen.has(cur.id))
      throw policyError(
        cur.src,
        ['extends'],
        `政策包继承关系成环：${[...seen, cur.id].join(' → ')}`,
      );
    seen.add(cur.id);
    chain.unshift(cur);
    const parentId: string | undefined = cur.file.extends;
    if (!parentId) break;
    const parent = nodes.get(parentId);
    if (!parent) throw policyError(cur.src, ['extends'], `继承的政策包「${parentId}」不存在`);
    cur = parent;
  }
  return chain;
};

const sourceKey = (source: string): string => source.trim().split(/\s+/)[0] ?? '';

/**
 * Load-time checks of a pack against its ancestors: overrides must be declared (never silent
 * shadowing), replaced rules must exist, every cited source must be declared.
 */
export const checkInheritance = (chain: readonly TPackNode[]): void => {
  const node = chain[chain.length - 1] as TPackNode;
  const ancestors = chain.slice(0, -1);
  const sources = new Set(chain.flatMap((n) => Object.keys(n.file.sources)));
  const checkSource = (origin: TOrigin, source: string, key: PropertyKey[] = ['source']): void => {
    if (!sources.has(sourceKey(source))) {
      throw policyError(
        origin.src,
        [...origin.path, ...key],
        `出处「${source}」应以 sources 中声明的文件编号开头（可用：${[...sources].join('、') || '无'}）`,
      );
    }
  };
  const basis = node.file.effective_basis;
  if (basis) checkSource({ src: node.src, path: ['effective_basis'] }, basis.source);
  const ancestorRuleIds = new Set(ancestors.flatMap((a) => a.rules.map((r) => r.rule.id)));
  for (const r of node.rules) {
    checkSource(r.origin, r.rule.source);
    const replaces = r.rule.replaces ?? [];
    if (ancestorRuleIds.has(r.rule.id) && !replaces.includes(r.rule.id)) {
      throw policyError(
        r.origin.src,
        [...r.origin.path, 'id'],
        `规则「${r.rule.id}」与上级政策包中的规则同名；如要替换上级规则，请写 replaces: [${r.rule.id}]`,
      );
    }
    for (const [i, target] of replaces.entries()) {
      if (!ancestorRuleIds.has(target)) {
        throw policyError(
          r.origin.src,
          [...r.origin.path, 'replaces', i],
          `要替换的规则「${target}」在上级政策包中不存在`,
        );
      }
    }
  }
  for (const p of node.params.values()) {
    checkSource(p.origin, p.def.source);
    for (const v of p.versions) if (v.source !== p.def.source) checkSource(v.origin, v.source);
    const inherited = ancestors.some((a) => a.params.has(p.name));
    if (inherited && !p.def.replaces) {
      throw policyError(
        p.origin.src,
        p.origin.path,
        `参数「${p.name}」已在上级政策包中定义；如要覆盖，请写 replaces: true`,
      );
    }
    if (!inherited && p.def.replaces) {
      throw policyError(
        p.origin.src,
        [...p.origin.path, 'replaces'],
        `参数「${p.name}」在上级政策包中不存在，无需 replaces`,
      );
    }
    const parent = ancestors
      .map((a) => a.params.get(p.name))
      .filter(Boolean)
      .pop();
    if (parent && parent.kind !== p.kind) {
      throw policyError(
        p.origin.src,
        [...p.origin.path, 'unit'],
        `参数「${p.name}」的单位类型与上级政策包不一致`,
      );
    }
  }
  for (const o of node.options.values()) {
    const inherited = ancestors.some((a) => a.options.has(o.name));
    const full = 'choices' in o.def;
    if ('choices' in o.def) checkSource(o.origin, o.def.source);
    if (full && inherited) {
      throw policyError(
        o.origin.src,
        o.origin.path,
        `选项「${o.name}」已在上级政策包中定义；这里只需写 chosen 与 reason`,
      );
    }
    if (!full && !inherited) {
      throw policyError(
        o.origin.src,
        o.origin.path,
        `选项「${o.name}」未定义：请写 description、source、choices、chosen、reason`,
      );
    }
  }
  for (const [i, post] of (node.file.posts ?? []).entries()) {
    checkSource({ src: node.src, path: ['posts', i] }, post.source);
  }
};

const effective = (from: string, to: string | null, date: string): boolean =>
  from <= date && (to === null || date <= to);

/** Dates on which something in the pack (or an ancestor) changes, within the pack's window. */
export const changeDates = (chain: readonly TPackNode[]): string[] => {
  const node = chain[chain.length - 1] as TPackNode;
  const start = node.file.effective_from;
  const end = node.file.effective_to ?? null;
  const dates = new Set<string>([start]);
  const add = (d: string): void => {
    if (d > start && (end === null || d <= end)) dates.add(d);
  };
  for (const n of chain) {
    add(n.file.effective_from);
    if (n.file.effective_to) add(addDays(n.file.effective_to, 1));
    for (const r of n.rules) {
      add(r.from);
      if (r.to) add(addDays(r.to, 1));
    }
    for (const p of n.params.values()) {
      for (const v of p.versions) {
        add(v.from);
        if (v.to) add(addDays(v.to, 1));
      }
    }
  }
  return [...dates].sort();
};

/**
 * The pack as it stands on a date. Rules: the most specific pack wins for an id, and a rule that
 * `replaces` others removes them while it is in force. Parameters: the most specific pack with a
 * value in force on the date. Options: the most specific choice.
 */
export const resolveAt = (
  chain: readonly TPackNode[],
  date: string,
  segment: { from: string; to: string | null },
): TResolvedPack => {
  const node = chain[chain.length - 1] as TPackNode;
  let rules = new Map<string, TRuleEntry>();
  for (const n of chain) {
    if (!effective(n.file.effective_from, n.file.effective_to ?? null, date)) continue;
    for (const r of n.rules) {
      if (!effective(r.from, r.to, date)) continue;
      const targets = new Set(
        (r.rule.replaces ?? []).filter((t) => {
          const existing = rules.get(t);
          return existing !== undefined && existing.packId !== n.id;
        }),
      );
      if (targets.size === 0) {
        rules.set(r.rule.id, r);
        continue;
      }
      // A replacement stands where the first rule it replaces stood: quota lines and other
      // ordered stages read the lines before them (a draft's new 两委 table keeps its place).
      const next = new Map<string, TRuleEntry>();
      let placed = false;
      for (const [id, e] of rules) {
        if (targets.has(id)) {
          if (!placed) next.set(r.rule.id, r);
          placed = true;
        } else if (id !== r.rule.id) next.set(id, e);
      }
      rules = next;
    }
  }
  const params = new Map<string, TResolvedParam>();
  for (const n of chain) {
    for (const p of n.params.values()) {
      const version = p.versions.find((v) => effective(v.from, v.to, date));
      const prev = params.get(p.name);
      if (version || !prev) params.set(p.name, { entry: p, version });
    }
  }
  const options = new Map<string, TResolvedOption>();
  for (const n of chain) {
    for (const o of n.options.values()) {
      const def: TOptionDef = o.def;
      if ('choices' in def) {
        const choices: TResolvedOption['choices'] = {};
        for (const [k, c] of Object.entries(def.choices)) {
          choices[k] = typeof c === 'string' ? { description: c } : c;
        }
        options.set(o.name, {
          name: o.name,
          description: def.description,
          source: def.source,
          choices,
          chosen: def.chosen,
          reason: def.reason,
          chosenBy: n.id,
          definedIn: n.id,
          origin: o.origin,
        });
      } else {
        const prev = options.get(o.name) as TResolvedOption;
        options.set(o.name, {
          ...prev,
          chosen: def.chosen,
          reason: def.reason,
          chosenBy: n.id,
          origin: o.origin,
        });
      }
    }
  }
  for (const o of options.values()) {
    if (!(o.chosen in o.choices)) {
      throw policyError(
        o.origin.src,
        [...o.origin.path, 'chosen'],
        `选项「${o.name}」的选择「${o.chosen}」不在 choices 中（可选：${Object.keys(o.choices).join('、')}）`,
      );
    }
  }
  const withPosts = [...chain].reverse().find((n) => n.file.posts);
  const sources = new Map<string, TSourceDef>();
  for (const n of chain) for (const [k, s] of Object.entries(n.file.sources)) sources.set(k, s);
  return {
    id: node.id,
    node,
    chain,
    date,
    segment,
    options,
    params,
    posts: withPosts?.file.posts ?? [],
    postsOrigin: withPosts ? { src: withPosts.src, path: ['posts'] } : undefined,
    districts: [...chain].reverse().find((n) => n.file.districts)?.file.districts ?? [],
    flags: [
      ...new Map(
        chain.flatMap((n) => n.file.applicantFlags ?? []).map((f) => [f.name, f]),
      ).values(),
    ],
    rules: [...rules.values()],
    sources,
  };
};

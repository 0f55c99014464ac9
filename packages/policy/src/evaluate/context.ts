import { AppError } from '@shegong/shared';
import type * as z from 'zod';
import { compileExpr, type TCompiledExpr } from '../expr/compile.ts';
import { ExprSyntaxError } from '../expr/parse.ts';
import type { TParamKind, TRuleEntry } from '../registry/pack-node.ts';
import type { TResolvedPack } from '../registry/resolve.ts';
import { isOptionRef, isParamRef, type TRef, type TWho } from '../schema/common.ts';
import type { TRule, TRuleShape } from '../schema/pack-schema.ts';
import { describeIssue, formatKeyPath, policyError } from '../schema/yaml-source.ts';
import type { TRatio } from '../util/decimal.ts';

/** A worker's post as the engine sees it: the pack's category, and the registry title if known. */
export type TPostRef = { category: string; index: number; title: string | null };

export type TRuleEntryOf<S extends TRuleShape> = TRuleEntry & {
  rule: Extract<TRule, { shape: S }>;
};

/** What every shape compiler gets: the resolved pack and helpers that locate errors. */
export type TCompileCtx = {
  pack: TResolvedPack;
  date: string;
  categories: readonly string[];
  rules: <S extends TRuleShape>(shape: S) => TRuleEntryOf<S>[];
  fail: (entry: TRuleEntry, key: PropertyKey[], message: string) => AppError;
  /** Resolves an inline value, a `{ param }` or an `{ option }` into the field's type. */
  ref: <T>(
    entry: TRuleEntry,
    key: PropertyKey[],
    value: TRef<T>,
    schema: z.ZodType<T>,
    kind: TParamKind | null,
  ) => T;
  expr: (
    entry: TRuleEntry,
    key: PropertyKey[],
    src: string,
    names: Iterable<string>,
  ) => TCompiledExpr;
  who: (entry: TRuleEntry, who: TWho | undefined) => (post: TPostRef) => boolean;
  category: (entry: TRuleEntry, key: PropertyKey[], name: string) => number;
  /** Parameters as expression constants (money in 元, ratios as numbers). */
  paramConst: Readonly<Record<string, number | boolean>>;
  /** Statistics the pack declares, and the pack's own value on the date (in 元) if it has one. */
  statNames: readonly string[];
  statDefaults: Readonly<Record<string, number>>;
};

/** An error in an evaluation's input, naming the field. */
export const inputError = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', message, { where: { field } });

/** Validates an evaluation input with Chinese messages naming the field. */
export const parseInput = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const d = describeIssue(i);
    return { field: formatKeyPath(d.path) || '(输入)', message: d.message };
  });
  const first = issues[0] as { field: string; message: string };
  throw new AppError('VALIDATION_FAILED', `输入有误：${first.field} ${first.message}`, {
    where: { field: first.field },
    issues,
  });
};

const paramToJs = (
  v: NonNullable<
    TResolvedPack['params'] extends ReadonlyMap<string, infer P> ? P : never
  >['version'],
): unknown => {
  if (!v) return undefined;
  switch (v.value.kind) {
    case 'money':
      return v.value.fen;
    case 'ratio':
      return v.value.ratio;
    default:
      return v.value.value;
  }
};

/** Builds the compile context of a resolved pack. */
export const makeCompileCtx = (pack: TResolvedPack): TCompileCtx => {
  const categories = pack.posts.map((p) => p.category);
  const fail = (entry: TRuleEntry, key: PropertyKey[], message: string): AppError =>
    policyError(
      entry.origin.src,
      [...entry.origin.path, ...key],
      `规则「${entry.rule.id}」：${message}`,
    );
  const paramConst: Record<string, number | boolean> = {};
  const statDefaults: Record<string, number> = {};
  const statNames: string[] = [];
  for (const [name, p] of pack.params) {
    const v = p.version?.value;
    if (p.entry.section === 'statistics') statNames.push(name);
    if (!v) continue;
    const js =
      v.kind === 'money' ? v.fen / 100 : v.kind === 'ratio' ? v.ratio.num / v.ratio.den : v.value;
    if (p.entry.section === 'statistics') statDefaults[name] = js as number;
    else paramConst[name] = js;
  }
  const ctx: TCompileCtx = {
    pack,
    date: pack.date,
    categories,
    rules: <S extends TRuleShape>(shape: S) =>
      pack.rules.filter((r) => r.rule.shape === shape) as TRuleEntryOf<S>[],
    fail,
    ref: <T>(
      entry: TRuleEntry,
      key: PropertyKey[],
      value: TRef<T>,
      schema: z.ZodType<T>,
      kind: TParamKind | null,
    ): T => {
      if (isParamRef(value)) {
        if (kind === null) throw fail(entry, key, '此处只能写取值或引用选项，不能引用参数');
        const p = pack.params.get(value.param);
        if (!p) throw fail(entry, key, `引用的参数「${value.param}」不存在`);
        if (p.entry.kind !== kind) {
          throw fail(entry, key, `参数「${value.param}」的单位「${p.entry.def.unit}」不适用于此处`);
        }
        const v = paramToJs(p.version);
        if (v === undefined)
          throw fail(entry, key, `参数「${value.param}」在 ${pack.date} 没有取值`);
        return v as T;
      }
      if (isOptionRef(value)) {
        const o = pack.options.get(value.option);
        if (!o) throw fail(entry, key, `引用的选项「${value.option}」不存在`);
        const choice = o.choices[o.chosen];
        const raw =
          choice && 'value' in choice && choice.value !== undefined ? choice.value : o.chosen;
        const r = schema.safeParse(raw);
        if (!r.success) {
          throw fail(
            entry,
            key,
            `选项「${value.option}」的选择「${o.chosen}」不适用于此处：${describeIssue(r.error.issues[0] as z.core.$ZodIssue).message}`,
          );
        }
        return r.data;
      }
      return value as T;
    },
    expr: (entry, key, src, names) => {
      try {
        return compileExpr(src, [...names, ...statNames], paramConst);
      } catch (e) {
        if (e instanceof ExprSyntaxError)
          throw fail(entry, key, `表达式「${src}」第${e.at + 1}个字符：${e.message}`);
        throw e;
      }
    },
    category: (entry, key, name) => {
      const i = categories.indexOf(name);
      if (i < 0)
        throw fail(
          entry,
          key,
          `岗位类别「${name}」不在本包的 posts 中（${categories.join('、') || '未定义岗位类别'}）`,
        );
      return i;
    },
    who: (entry, who) => {
      if (!who || (!who.categories && !who.titles)) return () => true;
      for (const [i, c] of (who.categories ?? []).entries())
        ctx.category(entry, ['who', 'categories', i], c);
      const cats = new Set(who.categories ?? []);
      const titles = new Set<string>(who.titles ?? []);
      return (post) => {
        if (cats.has(post.category)) return true;
        if (titles.size === 0) return false;
        if (post.title) return titles.has(post.title);
        const own = pack.posts[post.index]?.titles ?? [];
        const hits = own.filter((t) => titles.has(t)).length;
        // A category only partly named by the rule's titles: the rule does not apply (give the
        // registry title to be precise).
        return hits === own.length;
      };
    },
    paramConst,
    statNames,
    statDefaults,
  };
  return ctx;
};

/** Resolves a post given as a category of the pack or as a registry title. */
export const resolvePost = (pack: TResolvedPack, post: string): TPostRef => {
  const byCategory = pack.posts.findIndex((p) => p.category === post);
  if (byCategory >= 0) return { category: post, index: byCategory, title: null };
  const byTitle = pack.posts.findIndex((p) => (p.titles as string[]).includes(post));
  if (byTitle >= 0)
    return {
      category: (pack.posts[byTitle] as { category: string }).category,
      index: byTitle,
      title: post,
    };
  const cats = pack.posts.map((p) => p.category);
  throw inputError(
    'post',
    cats.length === 0
      ? `政策包「${pack.id}」没有定义岗位类别`
      : `岗位「${post}」不是本政策包的岗位类别（${cats.join('、')}），也不是已对应到类别的职务名称（${pack.posts.flatMap((p) => p.titles).join('、')}）`,
  );
};

/** Exactly one rule of a single-valued stage may apply; two is a conflict (as in Catala). */
export const single = <E extends TRuleEntry>(
  ctx: TCompileCtx,
  entries: readonly E[],
  what: string,
): E | undefined => {
  if (entries.length > 1) {
    const [a, b] = entries as [E, E];
    throw ctx.fail(
      b,
      ['id'],
      `与规则「${a.rule.id}」同时生效，${what}只能有一条规则（如为替换，请写 replaces）`,
    );
  }
  return entries[0];
};

export type { TRatio };

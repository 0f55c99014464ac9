import { AppError } from '@shegong/shared';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type * as z from 'zod';

/** A parsed YAML file that can say on which line any key path sits. */
export type TYamlSource = {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line of the deepest node found along the path (the key itself for map entries). */
  lineOf: (path: readonly PropertyKey[]) => number;
};

/** A key path as analysts read it: `rules[3].table.正职`. */
export const formatKeyPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
};

/**
 * Parses YAML 1.2 text (dates stay strings, duplicate keys are errors) and keeps line numbers.
 * @example parseYamlSource('policies/x/pack.yaml', 'id: x\n').lineOf(['id']) // 1
 * @throws AppError POLICY_INVALID naming the file and line of a syntax error
 */
export const parseYamlSource = (file: string, text: string): TYamlSource => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    const dup = first.code === 'DUPLICATE_KEY';
    throw new AppError(
      'POLICY_INVALID',
      dup ? `YAML 中有重复的键` : `YAML 语法错误：${first.message.split('\n')[0]}`,
      {
        where: { file, line },
      },
    );
  }
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const lineOf = (path: readonly PropertyKey[]): number => {
    let node: unknown = doc.contents;
    let line = lineAt((doc.contents as { range?: [number] } | null)?.range?.[0]);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return line;
        line = lineAt((pair.key as { range?: [number] }).range?.[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as { range?: [number] } | undefined;
        if (!item) return line;
        line = lineAt(item.range?.[0]);
        node = item;
      } else return line;
    }
    return line;
  };
  return { file, data: doc.toJS({ maxAliasCount: 50 }), lineOf };
};

/** A failure located in a source file. */
export const policyError = (
  src: Pick<TYamlSource, 'file' | 'lineOf'>,
  path: readonly PropertyKey[],
  message: string,
): AppError =>
  new AppError('POLICY_INVALID', message, {
    where: { file: src.file, line: src.lineOf(path), key: formatKeyPath(path) || '(根)' },
  });

/** Chinese text for a zod issue, naming unknown keys and the allowed values. */
export const describeIssue = (
  issue: z.core.$ZodIssue,
): { path: PropertyKey[]; message: string } => {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path: [...path, issue.keys[0] ?? ''],
        message: `未知的键：${issue.keys.join('、')}`,
      };
    case 'invalid_union': {
      const u = issue as z.core.$ZodIssueInvalidUnion & {
        discriminator?: string;
        options?: unknown[];
      };
      if (u.discriminator) {
        return {
          path,
          message: `未知的 ${u.discriminator}，可选：${(u.options ?? []).join('、')}`,
        };
      }
      // Report the most specific branch error when the union has a single plausible branch.
      const branches = u.errors.filter((e) => e.length > 0);
      const best = branches.sort((a, b) => deepest(b) - deepest(a))[0]?.[0];
      if (best) {
        const inner = describeIssue(best);
        return { path: [...path, ...inner.path], message: inner.message };
      }
      return { path, message: issue.message };
    }
    case 'invalid_value':
      return { path, message: `取值无效，可选：${issue.values.map(String).join('、')}` };
    case 'invalid_type':
      if (issue.input === undefined)
        return { path, message: `缺少必填项（应为${typeName(issue.expected)}）` };
      return { path, message: `类型错误：应为${typeName(issue.expected)}` };
    default:
      return { path, message: issue.message };
  }
};

const deepest = (issues: readonly z.core.$ZodIssue[]): number =>
  Math.max(...issues.map((i) => i.path.length));

const typeName = (t: string): string =>
  ({
    string: '文本',
    number: '数值',
    boolean: '真假值',
    object: '对象（键: 值）',
    array: '列表',
    int: '整数',
  })[t] ?? t;

/**
 * Validates data against a zod schema; the first problem becomes an AppError with file, line and
 * key, and every problem is listed in `issues`.
 */
export const validateSource = <T>(
  src: TYamlSource,
  schema: z.ZodType<T>,
  data: unknown = src.data,
  base: PropertyKey[] = [],
): T => {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const described = result.error.issues.map((i) => {
    const d = describeIssue(i);
    return { path: [...base, ...d.path], message: d.message };
  });
  const first = described[0] as { path: PropertyKey[]; message: string };
  const err = policyError(src, first.path, first.message);
  return throwWithIssues(err, src, described);
};

const throwWithIssues = (
  err: AppError,
  src: TYamlSource,
  all: { path: PropertyKey[]; message: string }[],
): never => {
  throw new AppError('POLICY_INVALID', err.message, {
    where: err.where ?? {},
    issues: all.map((d) => ({
      field: `${src.file}:${src.lineOf(d.path)} ${formatKeyPath(d.path)}`,
      message: d.message,
    })),
  });
};

import { ASSESSMENT_GRADES, CERTIFICATE_LEVELS, EDUCATION_LEVELS } from '@shegong/shared';
import { ExprSyntaxError, parseExpr, type TExprNode } from './parse.ts';

/** A value inside an expression. Lists appear only on the right of `in`. */
export type TExprValue = number | string | boolean | null | readonly TExprValue[];

/** The variables an expression may read, by name. */
export type TExprEnv = Readonly<Record<string, TExprValue | undefined>>;

/** A checked, compiled expression. `run` is a closure tree; it never calls eval. */
export type TCompiledExpr = {
  readonly src: string;
  readonly names: readonly string[];
  readonly run: (env: TExprEnv) => TExprValue;
};

/** A runtime error (wrong types, division by zero, missing input). */
export class ExprRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprRuntimeError';
  }
}

// Ordered vocabularies: `education >= '大专'` compares by rank, not by characters.
const ORDERED: readonly (readonly string[])[] = [
  EDUCATION_LEVELS,
  CERTIFICATE_LEVELS,
  [...ASSESSMENT_GRADES].reverse(),
];
const rankOf = (s: string): { vocab: number; rank: number } | undefined => {
  for (let v = 0; v < ORDERED.length; v++) {
    const r = (ORDERED[v] as readonly string[]).indexOf(s);
    if (r >= 0) return { vocab: v, rank: r };
  }
  return undefined;
};

const FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  min: { min: 1, max: 32 },
  max: { min: 1, max: 32 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  round: { min: 1, max: 1 },
  abs: { min: 1, max: 1 },
  clamp: { min: 3, max: 3 },
  if: { min: 3, max: 3 },
  year: { min: 1, max: 1 },
  present: { min: 1, max: 1 },
};

/** The function names available in expressions (for documentation and error messages). */
export const EXPR_FUNCTIONS = Object.keys(FUNCTIONS);

const num = (v: TExprValue, what: string): number => {
  if (typeof v === 'number') return v;
  if (v === null) throw new ExprRuntimeError(`${what}缺少数值`);
  throw new ExprRuntimeError(`${what}应为数值，实际为「${String(v)}」`);
};
const bool = (v: TExprValue, what: string): boolean => {
  if (typeof v === 'boolean') return v;
  throw new ExprRuntimeError(`${what}应为真假值，实际为「${String(v)}」`);
};

const compare = (a: TExprValue, b: TExprValue): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ra = rankOf(a);
    const rb = rankOf(b);
    if (ra && rb && ra.vocab === rb.vocab) return ra.rank - rb.rank;
    if (/^\d{4}-\d{2}-\d{2}$/.test(a) && /^\d{4}-\d{2}-\d{2}$/.test(b))
      return a < b ? -1 : a > b ? 1 : 0;
    throw new ExprRuntimeError(`「${a}」与「${b}」不能比较大小`);
  }
  throw new ExprRuntimeError(`「${String(a)}」与「${String(b)}」不能比较大小`);
};

const equals = (a: TExprValue, b: TExprValue): boolean => a === b;

type TFn = (env: TExprEnv) => TExprValue;

const build = (node: TExprNode, constants: ReadonlyMap<string, TExprValue>): TFn => {
  switch (node.t) {
    case 'num':
    case 'str':
    case 'bool': {
      const v = node.value;
      return () => v;
    }
    case 'ident': {
      const name = node.name;
      if (constants.has(name)) {
        const c = constants.get(name) as TExprValue;
        return () => c;
      }
      return (env) => {
        const v = Object.hasOwn(env, name) ? env[name] : undefined;
        return v === undefined ? null : v;
      };
    }
    case 'list': {
      const items = node.items.map((i) => build(i, constants));
      return (env) => items.map((f) => f(env));
    }
    case 'unary': {
      const arg = build(node.arg, constants);
      if (node.op === '-') return (env) => -num(arg(env), '负号的操作数');
      return (env) => !bool(arg(env), '「not」的操作数');
    }
    case 'binary':
      return buildBinary(node.op, build(node.left, constants), build(node.right, constants));
    case 'call':
      return buildCall(
        node.fn,
        node.args.map((a) => build(a, constants)),
      );
  }
};

const buildBinary = (op: string, l: TFn, r: TFn): TFn => {
  switch (op) {
    case '+':
      return (e) => num(l(e), '加法') + num(r(e), '加法');
    case '-':
      return (e) => num(l(e), '减法') - num(r(e), '减法');
    case '*':
      return (e) => num(l(e), '乘法') * num(r(e), '乘法');
    case '/':
      return (e) => {
        const d = num(r(e), '除数');
        if (d === 0) throw new ExprRuntimeError('除数为零');
        return num(l(e), '被除数') / d;
      };
    case '%':
      return (e) => {
        const d = num(r(e), '除数');
        if (d === 0) throw new ExprRuntimeError('除数为零');
        return num(l(e), '被除数') % d;
      };
    case '<':
      return (e) => compare(l(e), r(e)) < 0;
    case '<=':
      return (e) => compare(l(e), r(e)) <= 0;
    case '>':
      return (e) => compare(l(e), r(e)) > 0;
    case '>=':
      return (e) => compare(l(e), r(e)) >= 0;
    case '==':
      return (e) => equals(l(e), r(e));
    case '!=':
      return (e) => !equals(l(e), r(e));
    case 'in':
      return (e) => {
        const list = r(e);
        if (!Array.isArray(list)) throw new ExprRuntimeError('「in」右侧应为列表 [..]');
        const v = l(e);
        return list.includes(v);
      };
    case 'and':
      return (e) => bool(l(e), '「and」的操作数') && bool(r(e), '「and」的操作数');
    default:
      return (e) => bool(l(e), '「or」的操作数') || bool(r(e), '「or」的操作数');
  }
};

const buildCall = (fn: string, args: TFn[]): TFn => {
  const [a, b, c] = args as [TFn, TFn, TFn];
  switch (fn) {
    case 'min':
      return (e) => Math.min(...args.map((f) => num(f(e), 'min 的参数')));
    case 'max':
      return (e) => Math.max(...args.map((f) => num(f(e), 'max 的参数')));
    case 'floor':
      return (e) => Math.floor(snap(num(a(e), 'floor 的参数')));
    case 'ceil':
      return (e) => Math.ceil(snap(num(a(e), 'ceil 的参数')));
    case 'round':
      return (e) => roundNumber(num(a(e), 'round 的参数'), 'half-up');
    case 'abs':
      return (e) => Math.abs(num(a(e), 'abs 的参数'));
    case 'clamp':
      return (e) =>
        Math.min(
          num(c(e), 'clamp 的上限'),
          Math.max(num(b(e), 'clamp 的下限'), num(a(e), 'clamp 的参数')),
        );
    case 'if':
      return (e) => (bool(a(e), 'if 的条件') ? b(e) : c(e));
    case 'year':
      return (e) => {
        const v = a(e);
        if (typeof v !== 'string' || !/^\d{4}-/.test(v))
          throw new ExprRuntimeError('year 的参数应为日期');
        return Number(v.slice(0, 4));
      };
    default:
      // present(x): true when the input supplied x.
      return (e) => a(e) !== null;
  }
};

/**
 * Removes binary floating-point noise before rounding: 1.2 × 6000000 is 7199999.999999999 in
 * doubles but exactly 7200000 in decimal.
 */
export const snap = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : x;
};

/**
 * Rounds an expression result to an integer with an explicit mode (after removing float noise).
 * @example roundNumber(2.5, 'half-up') // 3
 */
export const roundNumber = (
  x: number,
  mode: 'floor' | 'ceil' | 'half-up' | 'half-even',
): number => {
  const s = snap(x);
  if (Number.isInteger(s)) return s;
  if (mode === 'floor') return Math.floor(s);
  if (mode === 'ceil') return Math.ceil(s);
  const f = Math.floor(s);
  const frac = s - f;
  const half = Math.abs(frac - 0.5) <= 1e-9 * Math.max(1, Math.abs(s));
  if (!half) return frac > 0.5 ? f + 1 : f;
  if (mode === 'half-up') return f + 1;
  return f % 2 === 0 ? f : f + 1;
};

const check = (node: TExprNode, names: ReadonlySet<string>): void => {
  switch (node.t) {
    case 'ident':
      if (!names.has(node.name)) {
        throw new ExprSyntaxError(
          `未知的名称「${node.name}」，可用：${[...names].join('、')}`,
          node.at,
        );
      }
      return;
    case 'list':
      for (const i of node.items) check(i, names);
      return;
    case 'unary':
      check(node.arg, names);
      return;
    case 'binary':
      check(node.left, names);
      check(node.right, names);
      return;
    case 'call': {
      const f = Object.hasOwn(FUNCTIONS, node.fn) ? FUNCTIONS[node.fn] : undefined;
      if (!f)
        throw new ExprSyntaxError(
          `未知的函数「${node.fn}」，可用：${EXPR_FUNCTIONS.join('、')}`,
          node.at,
        );
      if (node.args.length < f.min || node.args.length > f.max) {
        throw new ExprSyntaxError(`函数 ${node.fn} 的参数个数不对`, node.at);
      }
      for (const a of node.args) check(a, names);
      return;
    }
    default:
      return;
  }
};

/**
 * Parses, checks (every name must be one the evaluation provides) and compiles an expression.
 * `constants` (the pack's parameters on the date) are folded into the closures; `names` are read
 * from the environment at run time.
 * @example compileExpr('max(0, 网格员 - 两委成员)', ['网格员', '两委成员']).run({ 网格员: 9, 两委成员: 7 }) // 2
 * @throws ExprSyntaxError for syntax errors, unknown names and unknown functions
 */
export const compileExpr = (
  src: string,
  names: Iterable<string>,
  constants: Readonly<Record<string, TExprValue>> = {},
): TCompiledExpr => {
  const ast = parseExpr(src);
  const consts = new Map(Object.entries(constants));
  const known = new Set([...names, ...consts.keys()]);
  check(ast, known);
  const used = new Set<string>();
  collect(ast, used);
  for (const n of consts.keys()) used.delete(n);
  return { src, names: [...used], run: build(ast, consts) };
};

const collect = (node: TExprNode, into: Set<string>): void => {
  if (node.t === 'ident') into.add(node.name);
  else if (node.t === 'list') for (const i of node.items) collect(i, into);
  else if (node.t === 'unary') collect(node.arg, into);
  else if (node.t === 'binary') {
    collect(node.left, into);
    collect(node.right, into);
  } else if (node.t === 'call') for (const a of node.args) collect(a, into);
};

// The pack expression language: a small, total language for what the typed shapes do not cover.
// No loops, no user functions, no assignment, no I/O, no access to JavaScript objects: an
// expression is a finite tree evaluated bottom-up, so it always terminates. The text is parsed
// into this AST once, checked against the names the evaluation provides, and compiled to
// closures (see compile.ts) — never handed to eval or Function.

export type TExprNode =
  | { t: 'num'; value: number; at: number }
  | { t: 'str'; value: string; at: number }
  | { t: 'bool'; value: boolean; at: number }
  | { t: 'ident'; name: string; at: number }
  | { t: 'list'; items: TExprNode[]; at: number }
  | { t: 'unary'; op: '-' | 'not'; arg: TExprNode; at: number }
  | { t: 'binary'; op: TBinaryOp; left: TExprNode; right: TExprNode; at: number }
  | { t: 'call'; fn: string; args: TExprNode[]; at: number };

export type TBinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '<'
  | '<='
  | '>'
  | '>='
  | '=='
  | '!='
  | 'in'
  | 'and'
  | 'or';

/** A syntax error with the 0-based character position in the expression. */
export class ExprSyntaxError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.name = 'ExprSyntaxError';
    this.at = at;
  }
}

type TToken =
  | { k: 'num'; v: number; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'id'; v: string; at: number }
  | { k: 'op'; v: string; at: number }
  | { k: 'end'; at: number };

/** Longest expressions accepted; keeps every evaluation small. */
export const MAX_EXPR_LENGTH = 2000;
const MAX_DEPTH = 64;

const isIdStart = (c: string): boolean => /[\p{L}_]/u.test(c);
const isIdPart = (c: string): boolean => /[\p{L}\p{N}_]/u.test(c);
const OPS = [
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
  '!',
];
const KEYWORD_OPS = new Map([
  ['and', 'and'],
  ['or', 'or'],
  ['not', 'not'],
  ['in', 'in'],
]);

const tokenize = (src: string): TToken[] => {
  const out: TToken[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/\d/.test(c)) {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"' || c === '「') {
      const close = c === '「' ? '」' : c;
      const end = src.indexOf(close, i + 1);
      if (end < 0) throw new ExprSyntaxError('字符串缺少结束引号', i);
      out.push({ k: 'str', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < src.length && isIdPart(src[j] as string)) j++;
      const word = src.slice(i, j);
      const kw = KEYWORD_OPS.get(word);
      out.push(kw ? { k: 'op', v: kw, at: i } : { k: 'id', v: word, at: i });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprSyntaxError(`无法识别的字符「${c}」`, i);
    const norm = op === '&&' ? 'and' : op === '||' ? 'or' : op === '!' ? 'not' : op;
    out.push({ k: 'op', v: norm, at: i });
    i += op.length;
  }
  out.push({ k: 'end', at: src.length });
  return out;
};

/**
 * Parses an expression into its AST.
 * @example parseExpr("min(15, 10 + floor((households - 3000) / 500))")
 * @throws ExprSyntaxError with the character position
 */
export const parseExpr = (src: string): TExprNode => {
  if (src.length > MAX_EXPR_LENGTH)
    throw new ExprSyntaxError(`表达式过长（上限${MAX_EXPR_LENGTH}字符）`, 0);
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = (): TToken => toks[p] as TToken;
  const next = (): TToken => toks[p++] as TToken;
  const isOp = (v: string): boolean => {
    const t = peek();
    return t.k === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    const t = next();
    if (t.k !== 'op' || t.v !== v) throw new ExprSyntaxError(`此处应为「${v}」`, t.at);
  };
  const enter = (at: number): void => {
    if (++depth > MAX_DEPTH) throw new ExprSyntaxError('表达式嵌套过深', at);
  };

  const binaryLevel = (ops: TBinaryOp[], sub: () => TExprNode) => (): TExprNode => {
    let left = sub();
    for (;;) {
      const t = peek();
      if (t.k === 'op' && (ops as string[]).includes(t.v)) {
        next();
        const right = sub();
        left = { t: 'binary', op: t.v as TBinaryOp, left, right, at: t.at };
      } else return left;
    }
  };

  const primary = (): TExprNode => {
    const t = next();
    if (t.k === 'num') return { t: 'num', value: t.v, at: t.at };
    if (t.k === 'str') return { t: 'str', value: t.v, at: t.at };
    if (t.k === 'id') {
      if (t.v === 'true') return { t: 'bool', value: true, at: t.at };
      if (t.v === 'false') return { t: 'bool', value: false, at: t.at };
      if (isOp('(')) {
        next();
        enter(t.at);
        const args: TExprNode[] = [];
        if (!isOp(')')) {
          args.push(orExpr());
          while (isOp(',')) {
            next();
            args.push(orExpr());
          }
        }
        expect(')');
        depth--;
        return { t: 'call', fn: t.v, args, at: t.at };
      }
      return { t: 'ident', name: t.v, at: t.at };
    }
    if (t.k === 'op' && t.v === '(') {
      enter(t.at);
      const e = orExpr();
      expect(')');
      depth--;
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      const items: TExprNode[] = [];
      if (!isOp(']')) {
        items.push(orExpr());
        while (isOp(',')) {
          next();
          items.push(orExpr());
        }
      }
      expect(']');
      return { t: 'list', items, at: t.at };
    }
    throw new ExprSyntaxError(t.k === 'end' ? '表达式不完整' : '此处不应出现该符号', t.at);
  };
  const unary = (): TExprNode => {
    const t = peek();
    if (t.k === 'op' && (t.v === '-' || t.v === 'not')) {
      next();
      enter(t.at);
      const arg = unary();
      depth--;
      return { t: 'unary', op: t.v as '-' | 'not', arg, at: t.at };
    }
    return primary();
  };
  const mul = binaryLevel(['*', '/', '%'], unary);
  const add = binaryLevel(['+', '-'], mul);
  const cmp = (): TExprNode => {
    const left = add();
    const t = peek();
    if (t.k === 'op' && ['<', '<=', '>', '>=', '==', '!=', 'in'].includes(t.v)) {
      next();
      const right = add();
      return { t: 'binary', op: t.v as TBinaryOp, left, right, at: t.at };
    }
    return left;
  };
  const and = binaryLevel(['and'], cmp);
  const orExpr = binaryLevel(['or'], and);

  const root = orExpr();
  const end = peek();
  if (end.k !== 'end') throw new ExprSyntaxError('表达式在此处多出内容', end.at);
  return root;
};

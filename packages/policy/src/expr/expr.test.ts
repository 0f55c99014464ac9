import { describe, expect, it } from 'vitest';
import { compileExpr, ExprRuntimeError, roundNumber } from './compile.ts';
import { ExprSyntaxError, parseExpr } from './parse.ts';

const run = (src: string, env: Record<string, unknown> = {}) =>
  compileExpr(src, Object.keys(env)).run(env as never);

describe('the pack expression language', () => {
  it('computes arithmetic with precedence and functions', () => {
    expect(run('1 + 2 * 3 - 4 / 2')).toBe(5);
    expect(run('max(0, 网格员 - 两委成员)', { 网格员: 9, 两委成员: 7 })).toBe(2);
    expect(run('min(15, 10 + floor((h - 3000) / 500))', { h: 3450 })).toBe(10);
    expect(run('clamp(x, 1, 5)', { x: 9 })).toBe(5);
    expect(run('if(h > 3000, 2, 1)', { h: 3001 })).toBe(2);
  });
  it('compares the documents’ vocabularies by rank', () => {
    expect(run("education >= '大专'", { education: '本科' })).toBe(true);
    expect(run("education >= '大专'", { education: '中专' })).toBe(false);
    expect(run("certificate >= '社会工作师'", { certificate: '助理社会工作师' })).toBe(false);
    expect(run("a > '合格'", { a: '优秀' })).toBe(true);
    expect(run("major in ['社会学', '社会工作']", { major: '社会学' })).toBe(true);
  });
  it('short-circuits and/or and tells missing inputs with present()', () => {
    expect(run('not present(age) or age <= 45', { age: null })).toBe(true);
    expect(run('present(age) and age < 2', { age: null })).toBe(false);
  });
  it('rejects names the evaluation does not provide, and unknown functions', () => {
    expect(() => compileExpr('foo + 1', ['bar'])).toThrow(ExprSyntaxError);
    expect(() => compileExpr('constructor', [])).toThrow(/未知的名称/);
    expect(() => compileExpr('eval(1)', [])).toThrow(/未知的函数/);
    expect(() => compileExpr('process.exit(1)', [])).toThrow(ExprSyntaxError);
  });
  it('has no loops, assignment or property access: the grammar cannot express them', () => {
    for (const src of ['x = 1', 'while (true) 1', 'a.b', 'f => 1', '`x`', 'a; b']) {
      expect(() => parseExpr(src)).toThrow(ExprSyntaxError);
    }
  });
  it('bounds the size and depth of an expression, so evaluation always terminates', () => {
    expect(() => parseExpr(`${'1+'.repeat(1500)}1`)).toThrow(/过长/);
    expect(() => parseExpr(`${'('.repeat(100)}1${')'.repeat(100)}`)).toThrow(/嵌套过深/);
  });
  it('reports the position of a syntax error', () => {
    try {
      parseExpr('1 + * 2');
    } catch (e) {
      expect((e as ExprSyntaxError).at).toBe(4);
    }
  });
  it('fails at run time on wrong types and division by zero', () => {
    expect(() => run('a + 1', { a: '本科' })).toThrow(ExprRuntimeError);
    expect(() => run('1 / a', { a: 0 })).toThrow(/除数为零/);
    expect(() => run('a * 2', { a: null })).toThrow(/缺少数值/);
  });
  it('rounds with an explicit mode after removing binary noise', () => {
    expect(1.2 * 6000000).not.toBe(7200000.5);
    expect(roundNumber(0.1 + 0.2 - 0.3, 'ceil')).toBe(0);
    expect(roundNumber(2.5, 'half-up')).toBe(3);
    expect(roundNumber(2.5, 'half-even')).toBe(2);
    expect(roundNumber(466666.6666666, 'half-up')).toBe(466667);
  });
});

import { AppError } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { createPolicyRegistry } from './registry.ts';

// Every error in a pack names the file, the line and the key, in Chinese.

const HEAD = `id: p
name: 测试政策包
jurisdiction: { name: 测试市, level: city }
effective_from: 2020-01-01
sources:
  T: { file: t.txt, title: 测试文件 }
posts:
  - { category: 正职, titles: [书记兼主任], description: 社区正职, source: T 第1条 }
  - { category: 其他, titles: [网格员], description: 其他人员, source: T 第1条 }
`;

const failure = (files: Record<string, string>): AppError => {
  try {
    createPolicyRegistry(Object.entries(files).map(([path, text]) => ({ path, text })));
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the pack to be rejected');
};
const one = (body: string) => failure({ 'policies/p/pack.yaml': HEAD + body });

describe('pack validation errors name file, line and key', () => {
  it('rejects an unknown key in a rule', () => {
    const e = one(`rules:
  - id: r1
    shape: note
    description: 说明文字
    source: T 第1条
    colour: red
`);
    expect(e.code).toBe('POLICY_INVALID');
    expect(e.message).toContain('未知的键：colour');
    expect(e.where).toEqual({ file: 'policies/p/pack.yaml', line: 15, key: 'rules[0].colour' });
  });

  it('rejects an unknown shape, naming the allowed ones', () => {
    const e = one(`rules:
  - { id: r1, shape: magic, description: 说明文字, source: T 第1条 }
`);
    expect(e.message).toMatch(/未知的 shape，可选：service-years、grade-by-years/);
    expect(e.where?.line).toBe(11);
  });

  it('requires a source and a Chinese description', () => {
    expect(one(`rules:\n  - { id: r1, shape: note, description: 说明文字 }\n`).message).toContain(
      '缺少必填项',
    );
    expect(
      one(`rules:\n  - { id: r1, shape: note, description: an english text, source: T 第1条 }\n`)
        .message,
    ).toContain('应为中文说明');
  });

  it('requires the cited source file to be declared', () => {
    const e = one(
      `rules:\n  - { id: r1, shape: note, description: 说明文字, source: 999 第1条 }\n`,
    );
    expect(e.message).toContain('出处「999 第1条」');
    expect(e.where?.key).toBe('rules[0].source');
  });

  it('reports a YAML syntax error and duplicate keys with the line', () => {
    expect(one('rules: [\n').where?.file).toBe('policies/p/pack.yaml');
    const dup = failure({ 'policies/p/pack.yaml': `${HEAD}name: 又一个\n` });
    expect(dup.message).toContain('重复的键');
    expect(dup.where?.line).toBe(10);
  });

  it('requires the pack id to match its folder', () => {
    const e = failure({ 'policies/q/pack.yaml': HEAD });
    expect(e.message).toContain('应与所在文件夹名「q」一致');
  });

  it('reports a gap in a years table at its cell', () => {
    const e = one(`rules:
  - id: ladder
    shape: grade-by-years
    description: 等级表
    source: T 第2条
    table:
      1: { 其他: 3年及以下 }
      2: { 其他: 5-7年 }
      3: { 其他: 8年及以上 }
      4: { 正职: 0年及以上 }
`);
    expect(e.message).toContain('年限段不连续：应从 4 年开始，实际「5-7年」');
    expect(e.where).toMatchObject({ line: 17, key: 'rules[0].table.2.其他' });
  });

  it('reports an expression error with the character position', () => {
    const e = one(`rules:
  - id: q
    shape: quota-line
    scope: community
    name: 社工
    description: 表达式职数
    source: T 第3条
    method: expr
    expr: households / * 2
`);
    expect(e.message).toContain('第14个字符');
    expect(e.where?.key).toBe('rules[0].expr');
  });

  it('rejects two rules for the same single-valued stage (a conflict, not a silent override)', () => {
    const coef = (id: string) =>
      `  - { id: ${id}, shape: grade-coefficients, description: 系数表, source: T 第4条, table: { 1: 1.0 } }\n`;
    const e = one(`rules:\n${coef('c1')}${coef('c2')}`);
    expect(e.message).toContain('与规则「c1」同时生效');
  });

  it('rejects overlapping versions of one rule', () => {
    const v = (from: string) =>
      `  - { id: n, shape: note, description: 说明文字, source: T 第1条, effective_from: ${from} }\n`;
    expect(one(`rules:\n${v('2020-01-01')}${v('2021-01-01')}`).message).toContain(
      '版本时段与前一版本重叠',
    );
  });

  it('rejects an option choice that is not among its choices', () => {
    const e = one(`options:
  o:
    description: 一个选项
    source: T 第1条
    choices: { a: 甲方案, b: 乙方案 }
    chosen: c
    reason: 测试理由
`);
    expect(e.message).toContain('选择「c」不在 choices 中');
  });

  it('rejects a parameter value that does not fit its unit', () => {
    const e = one(`parameters:
  pay:
    description: 基准工资
    source: T 第1条
    unit: 元/月
    values: [{ effective_from: 2020-01-01, value: 两千 }]
`);
    expect(e.message).toContain('与单位「元/月」不符');
    expect(e.where?.key).toBe('parameters.pay.values[0].value');
  });
});

describe('inheritance must be declared', () => {
  const parent = `id: base
name: 上级政策包
jurisdiction: { name: 上级, level: province }
effective_from: 2020-01-01
sources:
  B: { file: b.txt, title: 上级文件 }
parameters:
  x: { description: 参数甲, source: B 第1条, unit: 人, values: [{ effective_from: 2020-01-01, value: 1 }] }
rules:
  - { id: shared, shape: note, description: 上级规则, source: B 第1条 }
`;
  const child = (body: string) =>
    failure({
      'policies/base/pack.yaml': parent,
      'policies/kid/pack.yaml': `id: kid\nname: 下级政策包\njurisdiction: { name: 下级, level: city }\nextends: base\neffective_from: 2021-01-01\nsources:\n  K: { file: k.txt, title: 下级文件 }\n${body}`,
    });

  it('rejects a rule with the id of an inherited rule unless it replaces it', () => {
    const e = child(
      'rules:\n  - { id: shared, shape: note, description: 下级规则, source: K 第1条 }\n',
    );
    expect(e.message).toContain('请写 replaces: [shared]');
    expect(e.where).toMatchObject({ file: 'policies/kid/pack.yaml', key: 'rules[0].id' });
  });
  it('rejects replacing a rule that does not exist above', () => {
    expect(
      child(
        'rules:\n  - { id: mine, shape: note, description: 下级规则, source: K 第1条, replaces: [ghost] }\n',
      ).message,
    ).toContain('「ghost」在上级政策包中不存在');
  });
  it('rejects redefining an inherited parameter without replaces', () => {
    expect(
      child(
        'parameters:\n  x: { description: 参数甲, source: K 第1条, unit: 人, values: [{ effective_from: 2021-01-01, value: 2 }] }\n',
      ).message,
    ).toContain('如要覆盖，请写 replaces: true');
  });
  it('rejects a missing parent', () => {
    const e = failure({
      'policies/kid/pack.yaml':
        'id: kid\nname: 下级政策包\njurisdiction: { name: 下级, level: city }\nextends: nowhere\neffective_from: 2021-01-01\n',
    });
    expect(e.message).toContain('继承的政策包「nowhere」不存在');
  });
});

import { AppError } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { createPolicyRegistry } from '../registry/registry.ts';

// The workflow shapes: references to alert rules are checked at load; a cap on 优秀 and
// weights come out exactly as written; two contract rules for one post are a conflict.

const HEAD = `id: p
name: 测试政策包
jurisdiction: { name: 测试市, level: city }
effective_from: 2020-01-01
sources:
  T: { file: t.txt, title: 测试文件 }
posts:
  - { category: 正职, titles: [书记兼主任], description: 社区正职, source: T 第1条 }
  - { category: 其他, titles: [网格员], description: 其他人员, source: T 第1条 }
parameters:
  excellentCap: { description: 优秀比例上限, source: T 第3条, unit: 比例, values: [{ effective_from: 2020-01-01, value: 15% }] }
rules:
  - { id: fails, shape: alert, kind: 考核, check: consecutive, results: [不合格], count: 2, consequence: 解除劳动合同, description: 连续两年不合格, source: T 第2条 }
`;

const registry = (body: string) =>
  createPolicyRegistry([{ path: 'policies/p/pack.yaml', text: HEAD + body }]);

const failure = (body: string): AppError => {
  try {
    registry(body);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the pack to be rejected');
};

describe('workflow rules', () => {
  it('gives weights and the cap on 优秀 exactly', () => {
    const pack = registry(`  - id: a
    shape: assessment
    description: 年度考核
    source: T 第3条
    dimensions: [{ name: 德, weight: 30% }, { name: 绩, weight: 7/10 }]
    excellentShareMax: { param: excellentCap }
`).at('p', '2021-01-01');
    const v = pack.workflow({}).value.assessment;
    expect(v?.dimensions).toEqual([
      { name: '德', weight: '30%' },
      { name: '绩', weight: '70%' },
    ]);
    expect(v?.excellentShareMax).toBe('15%');
  });

  it('rejects evidence naming an alert rule that does not exist', () => {
    const e = failure(`  - id: x
    shape: exit-situations
    description: 退出情形
    source: T 第4条
    situations: [{ label: 连续两年不合格, evidence: [nope] }]
`);
    expect(e.message).toContain('引用的提醒规则「nope」');
    expect(e.where?.key).toBe('rules[1].situations[0].evidence[0]');
  });

  it('refuses two contract rules for one post', () => {
    const pack =
      registry(`  - { id: c1, shape: contract, type: 一年一签, years: 1, description: 一年一签, source: T 第5条 }
  - { id: c2, shape: contract, type: 一届一签, endsWithTerm: true, who: { categories: [正职] }, description: 一届一签, source: T 第5条 }
`).at('p', '2021-01-01');
    expect(pack.workflow({ post: '网格员' }).value.contract?.rule).toBe('c1');
    expect(() => pack.workflow({ post: '书记兼主任' })).toThrow(/同时适用/);
  });

  it('links non-renewal to the alert rule that forbids it', () => {
    const pack =
      registry(`  - { id: c1, shape: contract, type: 一年一签, years: 1, noRenewalWhen: [fails], description: 一年一签, source: T 第5条 }
`).at('p', '2021-01-01');
    expect(pack.workflow({ post: '网格员' }).value.contract?.noRenewalWhen).toEqual([
      { rule: 'fails', source: 'T 第2条', description: '连续两年不合格' },
    ]);
  });
});

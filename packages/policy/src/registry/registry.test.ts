import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyRegistry } from '../load.ts';

const registry = await loadPolicyRegistry(
  fileURLToPath(new URL('../../../../policies', import.meta.url)),
);

describe('the policy registry', () => {
  it('lists the five seed packs with their inheritance and version periods', () => {
    const list = registry.list();
    expect(list.map((p) => [p.id, p.extends])).toEqual([
      ['changchun-xinqu-2020', 'jilin-2020'],
      ['jilin-2020', 'national-2024'],
      ['national-2024', null],
      ['wenzhou-draft', 'national-2024'],
      ['yinchuan-2018', 'national-2024'],
    ]);
    // 银川 changes when the national document takes effect.
    expect(list.find((p) => p.id === 'yinchuan-2018')?.versions).toEqual([
      { from: '2019-01-01', to: '2024-03-27' },
      { from: '2024-03-28', to: null },
    ]);
    // 吉林's one-term agreement rule starts in 2021.
    expect(list.find((p) => p.id === 'jilin-2020')?.versions.map((v) => v.from)).toEqual([
      '2020-05-14',
      '2021-01-01',
      '2024-03-28',
    ]);
  });

  it('compiles once per version period; a date only binds the evaluations', () => {
    const a = registry.at('yinchuan-2018', '2020-01-01');
    const b = registry.at('yinchuan-2018', '2023-12-31');
    expect(a.programs).toBe(b.programs);
    expect(a.segment).toEqual({ from: '2019-01-01', to: '2024-03-27' });
    expect(registry.at('yinchuan-2018', '2024-03-28').programs).not.toBe(a.programs);
  });

  it('binds a pack to a date once: the same pack and date give the same bound pack', () => {
    const a = registry.at('yinchuan-2018', '2020-01-01');
    expect(registry.at('yinchuan-2018', '2020-01-01')).toBe(a);
    const b = registry.at('yinchuan-2018', '2020-01-02');
    expect(b).not.toBe(a);
    expect([a.date, b.date]).toEqual(['2020-01-01', '2020-01-02']);
    // Keyed by pack too, and a refused date is refused every time.
    expect(registry.at('jilin-2020', '2020-06-01').id).toBe('jilin-2020');
    expect(() => registry.at('jilin-2020', '2020-01-01')).toThrow(/2020-05-14 起施行/);
    expect(() => registry.at('jilin-2020', '2020-01-01')).toThrow(/2020-05-14 起施行/);
  });

  it('refuses a date before a pack takes effect, and an unknown pack', () => {
    expect(() => registry.at('yinchuan-2018', '2018-12-31')).toThrow(/2019-01-01 起施行/);
    expect(() => registry.at('shanghai', '2020-01-01')).toThrow(/没有政策包「shanghai」/);
    expect(() => registry.at('yinchuan-2018', '2020-13-01')).toThrow(/YYYY-MM-DD/);
  });

  it('describes a pack on a date: options with their readings, parameters and rules with sources', () => {
    const d = registry.describe('yinchuan-2018', '2025-01-01');
    expect(d.chain).toEqual(['national-2024', 'yinchuan-2018']);
    expect(d.options.find((o) => o.name === 'certificateBumpWithinSpan')).toMatchObject({
      chosen: 'capped',
      definedIn: 'yinchuan-2018',
    });
    expect(d.parameters.find((p) => p.name === 'benchmarkPay')).toMatchObject({
      value: '2000',
      unit: '元/月',
      source: '004 职业化 (十六)',
    });
    const ids = d.rules.map((r) => r.id);
    expect(ids).toContain('n-quota-per-10k');
    // 银川's yearly training replaces the national rotation rules.
    expect(ids).not.toContain('n-training-others');
    expect(d.rules.find((r) => r.id === 'yc-grade-ladder')?.definition).toMatchObject({
      shape: 'grade-by-years',
    });
    expect(registry.describe('yinchuan-2018', '2020-01-01').rules.map((r) => r.id)).not.toContain(
      'n-quota-per-10k',
    );
  });

  it('builds a draft copy with edited parameters and options, leaving the pack unchanged', () => {
    const draft = registry.draft('yinchuan-2018', {
      id: 'yc-whatif',
      parameters: { benchmarkPay: { value: 2400, from: '2025-01-01' } },
    });
    const input = { post: '正职', years: 12 };
    expect(draft.at('yc-whatif', '2025-06-01').grade(input).value.basePayFen).toBe(384000);
    expect(draft.at('yc-whatif', '2024-06-01').grade(input).value.basePayFen).toBe(320000);
    expect(registry.at('yinchuan-2018', '2025-06-01').grade(input).value.basePayFen).toBe(320000);
    expect(draft.list().map((p) => p.id)).toContain('yc-whatif');
    expect(registry.list().map((p) => p.id)).not.toContain('yc-whatif');
    expect(() => registry.draft('yinchuan-2018', { parameters: { nope: { value: 1 } } })).toThrow(
      /没有参数「nope」/,
    );
  });

  it('evaluates every answer as value + trace citing clauses', () => {
    const r = registry
      .at('yinchuan-2018', '2020-06-01')
      .grade({ post: '其他人员', years: 5, education: '本科', certificate: '助理社会工作师' });
    expect(r.value).toMatchObject({ grade: 4, coefficient: '1.30', basePayFen: 260000 });
    for (const s of r.trace) {
      expect(Object.keys(s).sort()).toEqual(['inputs', 'note', 'result', 'rule', 'source']);
      expect(s.note).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(r.trace.map((s) => s.source)).toContain('004 职业化 (十七)');
  });

  it('rejects unknown input keys and unknown vocabulary, naming the field', () => {
    const p = registry.at('yinchuan-2018', '2020-06-01');
    expect(() => p.grade({ post: '正职', years: 3, eductaion: '本科' })).toThrow(/eductaion/);
    expect(() => p.grade({ post: '正职', years: 3, education: '大学' })).toThrow(
      /education 取值无效/,
    );
  });
});

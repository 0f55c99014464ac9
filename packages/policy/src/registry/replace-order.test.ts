import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyRegistry } from '../load.ts';

const registry = await loadPolicyRegistry(
  fileURLToPath(new URL('../../../../policies', import.meta.url)),
);

describe('a replacing rule', () => {
  it('stands where the rule it replaces stood, so later lines still read it', () => {
    // A what-if with another 两委 table (004 职业化 (三) with one more post in each band): the
    // line 专职网格员 = max(0, 网格员 − 两委成员) comes after it and must still see it.
    const draft = registry.draft('yinchuan-2018', {
      rules: [
        {
          id: 'yc-quota-committee',
          shape: 'quota-line',
          scope: 'community',
          name: '两委成员',
          description: '测算：两委成员每档多配1名',
          source: '004 职业化 (三)',
          method: 'bands',
          by: 'households',
          boundary: 'upper-inclusive',
          bands: [
            { upTo: 3000, min: 6, max: 6 },
            { upTo: 5000, min: 8, max: 8 },
            { min: 10, max: 10 },
          ],
        },
      ],
    });
    const q = draft.at('yinchuan-2018-draft', '2024-06-01').quota({ households: 3000 }).value;
    expect(q.lines.map((l) => [l.name, l.min, l.max])).toEqual([
      ['两委成员', 6, 6],
      ['网格员', 6, 10],
      ['专职网格员', 0, 4],
    ]);
  });
});

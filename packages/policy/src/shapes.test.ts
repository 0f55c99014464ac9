import { describe, expect, it } from 'vitest';
import { readPolicyFiles } from './__fixtures__/read-files.ts';
import { readPackCases, runPackCase } from './cases/run-cases.ts';
import { createPolicyRegistry } from './registry/registry.ts';

// Fictional packs under __fixtures__/packs prove the shapes the five seed documents do not use:
// five post categories, 就高不叠加 with per-post caps, failed years not counted, probation as a
// percentage of the entry grade, pay from a statistic, component tables, floors by district,
// certificate allowances instead of bumps, a grade from an expression, a future parameter
// version, per-10k community quotas with minimum and cap, and a county pack extending a city.

const files = [
  ...readPolicyFiles('packages/policy/src/__fixtures__/packs'),
  ...readPolicyFiles('policies/national-2024', 'policies/wenzhou-draft').filter(
    (f) => !f.path.includes('/tests/'),
  ),
];
const registry = createPolicyRegistry(files);
const cases = readPackCases(registry.testFiles());

describe('shapes proven by fictional packs', () => {
  it('has cases for each fixture pack', () => {
    expect(new Set(cases.map((c) => c.pack))).toEqual(
      new Set(['demo-components', 'demo-five-posts', 'demo-midmonth', 'wenzhou-county-example']),
    );
  });
  for (const c of cases) {
    it(`${c.pack}: ${c.case.name}`, () => {
      expect(runPackCase(registry, c).failures).toEqual([]);
    });
  }
  it('lists the future version of a parameter as a version of the pack', () => {
    const pack = registry.list().find((p) => p.id === 'demo-components');
    expect(pack?.versions).toEqual([
      { from: '2023-01-01', to: '2025-12-31' },
      { from: '2026-01-01', to: null },
    ]);
  });
});

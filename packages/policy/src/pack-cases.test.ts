import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPackCases, runPackCase } from './cases/run-cases.ts';
import { loadPolicyRegistry } from './load.ts';

// Every case of every pack (`policies/*/tests/*.yaml`) becomes one test here, run through the
// trace evaluator and, for grade, pay and community quota, through the batch kernels as well.

const dir = fileURLToPath(new URL('../../../policies', import.meta.url));
const registry = await loadPolicyRegistry(dir);
const cases = readPackCases(registry.testFiles());
const packs = [...new Set(cases.map((c) => c.pack))].sort();

describe('policy pack cases', () => {
  it('finds cases for every pack', () => {
    expect(packs).toEqual(
      registry
        .list()
        .map((p) => p.id)
        .sort(),
    );
  });
  for (const pack of packs) {
    describe(pack, () => {
      for (const c of cases.filter((x) => x.pack === pack)) {
        it(`${c.case.name} [${c.file.split('/').pop()}:${c.line}, ${c.case.source}]`, () => {
          const r = runPackCase(registry, c);
          expect(r.failures).toEqual([]);
        });
      }
    });
  }
});

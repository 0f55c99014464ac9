import { checkIdNumber } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/generate-demo.ts';

// The national-scale benchmark loads the demo generator beyond the three demo cities; the
// synthetic provinces must extend the tree without changing what smaller sizes produce.

describe('demo generator beyond the demo cities', () => {
  it('keeps the demo cities exactly as they are and adds synthetic provinces after them', () => {
    // A small capacity keeps the test fast; the code path is the one of DEMO_CITIES_CAPACITY.
    const capacity = 3000;
    const base = [...generateDemo({ workers: capacity })];
    const big = generateDemo({ workers: capacity + 40_000, demoCitiesCapacity: capacity });
    for (const batch of base) expect(big.next().value).toEqual(batch);
    const rest = [...big];
    const orgs = rest.flatMap((b) => b.orgs);
    const workers = rest.flatMap((b) => b.workers);
    expect(workers).toHaveLength(40_000);
    const provinces = orgs.filter((o) => o.level === 'province').map((o) => o.name);
    expect(provinces).toContain('北京市');
    expect(provinces).not.toContain('宁夏回族自治区');
    const communities = orgs.filter((o) => o.level === 'community');
    expect(workers.length / communities.length).toBeGreaterThan(30);
    expect(workers.length / communities.length).toBeLessThan(45);
    // A tree: unique codes, each path its parent's path plus its code.
    const all = [...base.flatMap((b) => b.orgs), ...orgs];
    const byCode = new Map(all.map((o) => [o.code, o]));
    expect(byCode.size).toBe(all.length);
    for (const o of orgs) {
      const parent = byCode.get(o.parentCode ?? '');
      expect(o.path).toBe(`${parent?.path}${o.code}/`);
    }
    for (const w of workers) expect(byCode.get(w.communityCode)?.path).toBe(w.orgPath);
    const ids = new Set(workers.map((w) => w.idNumber));
    expect(ids.size).toBe(workers.length);
    for (const w of workers.slice(0, 500)) expect(checkIdNumber(w.idNumber).ok).toBe(true);
  }, 60_000);
});

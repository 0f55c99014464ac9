import { checkIdNumber } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { apportion, generateDemo } from './generate-demo.ts';

const collect = (workers: number, seed?: number) => {
  const batches = [...generateDemo({ workers, seed })];
  return {
    orgs: batches.flatMap((b) => b.orgs),
    workers: batches.flatMap((b) => b.workers),
    facts: batches.flatMap((b) => b.facts),
  };
};

describe('demo generator', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = collect(500, 1);
    const b = collect(500, 1);
    const c = collect(500, 2);
    expect(b.workers).toEqual(a.workers);
    expect(c.workers.map((w) => w.idNumber)).not.toEqual(a.workers.map((w) => w.idNumber));
  });

  it('produces exactly the requested number of workers with valid, unique ID numbers', () => {
    const { workers } = collect(3000);
    expect(workers).toHaveLength(3000);
    expect(new Set(workers.map((w) => w.idNumber)).size).toBe(3000);
    for (const w of workers) {
      const check = checkIdNumber(w.idNumber);
      expect(check.ok).toBe(true);
      if (check.ok) {
        expect(check.facts.birthDate).toBe(w.birthDate);
        expect(check.facts.sex).toBe(w.sex);
      }
    }
  });

  it('builds the three demo cities with the real district codes of Yinchuan', () => {
    const { orgs } = collect(1000);
    const yinchuan = orgs
      .filter((o) => o.parentCode === '640100')
      .map((o) => `${o.code} ${o.name}`);
    expect(yinchuan).toEqual([
      '640104 兴庆区',
      '640105 西夏区',
      '640106 金凤区',
      '640121 永宁县',
      '640122 贺兰县',
      '640181 灵武市',
    ]);
    const packs = Object.fromEntries(orgs.filter((o) => o.packId).map((o) => [o.name, o.packId]));
    expect(packs).toMatchObject({
      银川市: 'yinchuan-2018',
      温州市: 'wenzhou-draft',
      吉林省: 'jilin-2020',
      高新开发区: 'changchun-xinqu-2020',
    });
    // Every path is its parent's path plus its own code.
    const byCode = new Map(orgs.map((o) => [o.code, o]));
    for (const o of orgs) {
      const parent = o.parentCode ? byCode.get(o.parentCode) : undefined;
      expect(o.path).toBe(`${parent?.path ?? '/'}${o.code}/`);
    }
  });

  it('puts every worker in a community of the tree, with grids of 300–500 households on average', () => {
    const { orgs, workers, facts } = collect(1000);
    const communities = new Set(orgs.filter((o) => o.level === 'community').map((o) => o.code));
    expect(workers.every((w) => communities.has(w.communityCode))).toBe(true);
    const gridFacts = facts.filter((f) => f.orgCode.length === 15);
    const mean = gridFacts.reduce((s, f) => s + f.householdsResident, 0) / gridFacts.length;
    expect(mean).toBeGreaterThan(300);
    expect(mean).toBeLessThan(500);
  });

  it('scales to national-size runs without holding every worker at once', () => {
    let max = 0;
    let total = 0;
    for (const batch of generateDemo({ workers: 60_000 })) {
      max = Math.max(max, batch.workers.length);
      total += batch.workers.length;
    }
    expect(total).toBe(60_000);
    expect(max).toBeLessThan(15_000);
  });

  it('apportions a total exactly by weights', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(3000, [0.45, 0.2, 0.35]).reduce((s, n) => s + n, 0)).toBe(3000);
  });
});

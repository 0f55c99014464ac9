import path from 'node:path';
import { loadPolicyRegistry, serviceYears } from '@shegong/policy';
import { CERTIFICATE_LEVELS, EDUCATION_LEVELS, POST_TITLES } from '@shegong/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  profileKey,
  serviceBaseYear,
  type TWorkerStatFields,
  workerStatKeys,
} from './stat-keys.ts';
import { evaluateTargets, quotaBasis, unitSelector } from './stat-policy.ts';

const day = (from: string, to: string) =>
  fc
    .date({
      min: new Date(`${from}T00:00:00Z`),
      max: new Date(`${to}T00:00:00Z`),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

const worker = (over: Partial<TWorkerStatFields>): TWorkerStatFields => ({
  orgPath: '/000000/640000/640100/640104/640104001000/640104001001/',
  countyCode: '640104',
  status: '在岗',
  sex: '女',
  educationLevel: '本科',
  educationRecognised: true,
  politicalStatus: '群众',
  certificateLevel: '无',
  postTitle: '网格员',
  birthDate: '1990-05-06',
  serviceStartedOn: '2015-03-10',
  priorService: [],
  livesInCommunity: false,
  hiredOn: null,
  exitedOn: null,
  ...over,
});

describe('statistics keys', () => {
  it('gives years of work at every later year-end as year − base year, as serviceYears counts them', () => {
    fc.assert(
      fc.property(
        day('2000-01-01', '2025-12-31'),
        fc.array(fc.tuple(day('1985-01-01', '1999-12-31'), fc.integer({ min: 1, max: 4000 })), {
          maxLength: 3,
        }),
        fc.integer({ min: 0, max: 15 }),
        (start, prior, later) => {
          const periods = prior.map(([from, days]) => {
            const to = new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000)
              .toISOString()
              .slice(0, 10);
            return { from, to: to < start ? to : from, place: '本省' };
          });
          const w = { serviceStartedOn: start, priorService: periods };
          const year = Number(start.slice(0, 4)) + later;
          const expected = serviceYears([...periods, { from: start }], `${year + 1}-01-01`);
          expect(year - serviceBaseYear(w)).toBe(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('counts a start on 1 January as a full first year', () => {
    for (const start of ['2015-01-01', '2015-01-02', '2015-12-31']) {
      const w = { serviceStartedOn: start, priorService: [] };
      expect(2020 - serviceBaseYear(w), start).toBe(serviceYears([{ from: start }], '2021-01-01'));
    }
  });

  it('counts an active worker in every breakdown and an exited one only in joins and exits', () => {
    const active = workerStatKeys(worker({ hiredOn: '2016-01-01' }));
    expect(active.map(([d]) => d).sort()).toEqual(
      [
        'birthYear',
        'certificate',
        'education',
        'headcount',
        'joined',
        'local',
        'political',
        'profile',
        'serviceBase',
        'sex',
        'status',
        'title',
      ].sort(),
    );
    expect(active).toContainEqual(['joined', '2016', 1]);
    expect(active).toContainEqual(['serviceBase', '2015', 1]);
    const exited = workerStatKeys(worker({ status: '已退出', exitedOn: '2026-03-01' }));
    expect(exited).toEqual([
      ['joined', '2015', 1],
      ['exited', '2026', 1],
    ]);
  });
});

describe('rows read for a per-unit target', () => {
  const key = (education: string, local: boolean, seconded = false) =>
    profileKey(
      worker({
        educationLevel: education,
        livesInCommunity: local,
        status: seconded ? '借调' : '在岗',
      }),
    );
  const profiles = [
    key('本科', true),
    key('本科', false),
    key('大专', true),
    key('高中及以下', false, true),
    key('高中及以下', false),
  ];
  const flagsBy = (f: (p: string) => { among: boolean; where: boolean }) =>
    new Map(profiles.map((p) => [p, new Map([['r', f(p)]])]));

  it('uses the rows of the one field a target depends on', () => {
    const local = flagsBy((p) => ({ among: true, where: p.split('|')[4] === '1' }));
    expect(unitSelector(local, 'r', profiles)).toEqual({
      dim: 'local',
      among: ['是', '否'],
      hit: ['是'],
    });
    const seconded = flagsBy((p) => ({ among: true, where: p.endsWith('|1') }));
    expect(unitSelector(seconded, 'r', profiles)).toMatchObject({ dim: 'status', hit: ['借调'] });
  });

  it('falls back to the profile rows when two fields decide', () => {
    const both = flagsBy((p) => ({
      among: true,
      where: p.startsWith('本科') && p.split('|')[4] === '1',
    }));
    expect(unitSelector(both, 'r', profiles)).toEqual({
      dim: 'profile',
      among: profiles,
      hit: [profiles[0]],
    });
  });
});

describe('targets on counts agree with the engine on the same people', async () => {
  const registry = await loadPolicyRegistry(
    path.resolve(import.meta.dirname, '../../../../../policies'),
  );
  const packs = registry
    .list()
    .map((p) => p.id)
    .filter((id) => {
      try {
        return registry.at(id, '2024-06-01').programs.compliance.targets.length > 0;
      } catch {
        return false;
      }
    });

  const person = fc.record({
    education: fc.constantFrom(...EDUCATION_LEVELS),
    educationRecognised: fc.boolean(),
    certificate: fc.constantFrom(...CERTIFICATE_LEVELS),
    post: fc.constantFrom(...POST_TITLES),
    localResident: fc.boolean(),
    seconded: fc.boolean(),
  });

  it.each(packs)('%s: count, total, met and status per target', async (packId) => {
    for (const date of ['2024-06-01', '2026-11-23']) {
      const pack = registry.at(packId, date);
      await fc.assert(
        fc.asyncProperty(
          fc.array(person, { maxLength: 40 }),
          fc.constantFrom('community' as const, 'street' as const),
          async (people, scope) => {
            let engine: { rule: string }[];
            try {
              engine = pack.compliance({ scope, workers: people }).value.targets;
            } catch {
              return;
            }
            const profiles = new Map<string, number>();
            for (const p of people) {
              const key = profileKey(
                worker({
                  educationLevel: p.education,
                  educationRecognised: p.educationRecognised,
                  certificateLevel: p.certificate,
                  postTitle: p.post,
                  livesInCommunity: p.localResident,
                  status: p.seconded ? '借调' : '在岗',
                }),
              );
              profiles.set(key, (profiles.get(key) ?? 0) + 1);
            }
            const ours = await evaluateTargets({
              pack,
              level: scope,
              date,
              profiles,
              units: async () => [],
            });
            for (const e of engine) {
              const o = ours.find((t) => t.rule === e.rule);
              const { rule, count, total, actual, required, met, status } = e as never as Record<
                string,
                unknown
              >;
              expect(
                o && { rule: o.rule, count: o.count, total: o.total, actual: o.actual },
              ).toEqual({ rule, count, total, actual });
              expect({ required: o?.required, met: o?.met, status: o?.status }).toEqual({
                required,
                met,
                status,
              });
            }
          },
        ),
        { numRuns: 150 },
      );
    }
  });
});

describe('quotaBasis: what a community 核定职数 adds up, as 统计 explains 职数配备率', async () => {
  const registry = await loadPolicyRegistry(
    path.resolve(import.meta.dirname, '../../../../../policies'),
  );
  const basisOf = (id: string) => quotaBasis(registry.at(id, '2025-06-01'));

  it('names the lines in the total, each once, not the lines within another', () => {
    // 银川 004 职业化 (三): 两委成员 and the 专职网格员 beyond them; 网格员 is not in the total.
    expect(basisOf('yinchuan-2018')).toEqual({
      lines: ['两委成员', '专职网格员'],
      sources: ['004 职业化 (三)'],
    });
    // 长春新区 (000 二(二)): 专职网格员 and 专职党建岗 are set within the 社工岗, not added to it.
    expect(basisOf('changchun-xinqu-2020')).toEqual({ lines: ['社工岗'], sources: ['002 二(二)'] });
    // 温州: two lines of the same name (by kind of community) are one line to the reader.
    expect(basisOf('wenzhou-draft')?.lines).toEqual(['专职社区工作者']);
    // The national pack sets no community quota.
    expect(basisOf('national-2024')).toBeNull();
  });
});

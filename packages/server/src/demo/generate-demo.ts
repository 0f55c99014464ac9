import { idNumberCheckChar, type TPostTitle } from '@shegong/shared';
import type { TServicePeriod } from '../db/schema/worker.ts';
import {
  COMMUNITY_WORDS,
  DEMO_CITIES,
  DEMO_ROOT,
  ETHNICITIES,
  GIVEN_CHARS,
  SURNAMES,
  type TDemoCity,
} from './demo-structure.ts';
import { createRandom, type TRandom } from './random.ts';

/** The date the demo data describes; fixed so that the data is the same on every run. */
export const DEMO_AS_OF = '2026-11-01';
const DEMO_TIME_BASE = Date.UTC(2026, 0, 1);

export type TDemoOrg = {
  code: string;
  parentCode: string | null;
  level: string;
  name: string;
  path: string;
  packId: string | null;
  countyCode: string | null;
  sort: number;
};
export type TDemoFact = {
  orgCode: string;
  countyCode: string | null;
  effectiveFrom: string;
  householdsRegistered: number;
  householdsResident: number;
  population: number;
  kind: string | null;
  starRating: number | null;
};
export type TDemoWorker = {
  id: string;
  name: string;
  idNumber: string;
  birthDate: string;
  sex: '男' | '女';
  phone: string;
  ethnicity: string;
  politicalStatus: string;
  educationLevel: string;
  educationMajor: string | null;
  certificateLevel: string;
  certificateDate: string | null;
  veteran: boolean;
  livesInCommunity: boolean;
  serviceStartedOn: string;
  priorService: TServicePeriod[];
  status: string;
  communityCode: string;
  gridCode: string | null;
  orgPath: string;
  countyCode: string;
  postTitle: TPostTitle;
  hiredOn: string;
  probationUntil: string | null;
  exitedOn: string | null;
  assessments: Array<{ year: number; grade: string }>;
};
export type TDemoBatch = { orgs: TDemoOrg[]; facts: TDemoFact[]; workers: TDemoWorker[] };

export type TDemoOptions = {
  workers: number;
  seed?: number;
  /** Workers the demo cities take before synthetic cities start (default DEMO_CITIES_CAPACITY). */
  demoCitiesCapacity?: number;
};

/**
 * Workers the three demo cities take. A larger request puts the rest in synthetic cities of the
 * other provinces (national-scale benchmarks); up to this size the output is what it always was.
 */
export const DEMO_CITIES_CAPACITY = 100_000;
/** Workers per community in the synthetic cities: about 4.5 million in 120,000 communities. */
const SYNTHETIC_WORKERS_PER_COMMUNITY = 37;
/** Communities of a synthetic city, before a random size factor. */
const SYNTHETIC_CITY_COMMUNITIES = 600;
const SYNTHETIC_COUNTIES_PER_CITY = 10;

/** The provinces other than those of the demo cities (GB/T 2260), for the synthetic cities. */
const SYNTHETIC_PROVINCES: ReadonlyArray<readonly [string, string]> = [
  ['110000', '北京市'],
  ['120000', '天津市'],
  ['130000', '河北省'],
  ['140000', '山西省'],
  ['150000', '内蒙古自治区'],
  ['210000', '辽宁省'],
  ['230000', '黑龙江省'],
  ['310000', '上海市'],
  ['320000', '江苏省'],
  ['340000', '安徽省'],
  ['350000', '福建省'],
  ['360000', '江西省'],
  ['370000', '山东省'],
  ['410000', '河南省'],
  ['420000', '湖北省'],
  ['430000', '湖南省'],
  ['440000', '广东省'],
  ['450000', '广西壮族自治区'],
  ['460000', '海南省'],
  ['500000', '重庆市'],
  ['510000', '四川省'],
  ['520000', '贵州省'],
  ['530000', '云南省'],
  ['540000', '西藏自治区'],
  ['610000', '陕西省'],
  ['620000', '甘肃省'],
  ['630000', '青海省'],
  ['650000', '新疆维吾尔自治区'],
];

const pad = (n: number, len: number) => String(n).padStart(len, '0');
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m, 2)}-${pad(d, 2)}`;
const addMonths = (date: string, months: number) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  return t.toISOString().slice(0, 10);
};

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
export const apportion = (total: number, weights: number[]): number[] => {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  const remainder = total - parts.reduce((s, p) => s + p, 0);
  for (let k = 0; k < remainder; k++) parts[order[k]![1]]! += 1;
  return parts;
};

const EDUCATION: Array<[string, number]> = [
  ['高中及以下', 3],
  ['中专', 5],
  ['大专', 45],
  ['本科', 42],
  ['硕士', 4.8],
  ['博士', 0.2],
];
const CERTIFICATE: Array<[string, number]> = [
  ['无', 40],
  ['助理社会工作师', 35],
  ['社会工作师', 22],
  ['高级社会工作师', 3],
];
const POLITICAL: Array<[string, number]> = [
  ['中共党员', 45],
  ['中共预备党员', 3],
  ['共青团员', 12],
  ['群众', 40],
];
const MAJORS = [
  '社会工作',
  '社会学',
  '心理学',
  '行政管理',
  '法学',
  '汉语言文学',
  '会计学',
  '计算机科学与技术',
];
const ASSESS: Array<[string, number]> = [
  ['优秀', 15],
  ['合格', 78],
  ['基本合格', 5],
  ['不合格', 2],
];

/** The posts of one community, in order: leaders first, then members, then staff. */
const communityPosts = (rng: TRandom, size: number, city: TDemoCity): TPostTitle[] => {
  const posts: TPostTitle[] = [];
  if (rng.next() < 0.7) posts.push('书记兼主任');
  else posts.push('党组织书记', '居委会主任');
  posts.push(rng.next() < 0.5 ? '副书记' : '副主任');
  if (rng.next() < 0.5) posts.push('副主任');
  for (let i = rng.int(2, 4); i > 0; i--) posts.push('委员');
  if (city.reservedPartyPosts) posts.push('党建专干', '党建专干');
  while (posts.length < size) posts.push(rng.next() < 0.6 ? '网格员' : '专职工作人员');
  return posts.slice(0, Math.max(size, 4));
};

/**
 * Generates the demo cities, county by county (so memory stays bounded at national scale):
 * the org tree down to grids, community facts, and workers with valid 身份证号 checksums and
 * realistic education, certificate, post and years distributions. Same seed, same data.
 */
export function* generateDemo(options: TDemoOptions): Generator<TDemoBatch> {
  const rng = createRandom(options.seed ?? 20240328);
  const inDemoCities = Math.min(
    options.workers,
    options.demoCitiesCapacity ?? DEMO_CITIES_CAPACITY,
  );
  const totalCommunities = Math.max(DEMO_CITIES.length * 3, Math.round(inDemoCities / 14));
  const cityCommunities = apportion(
    totalCommunities,
    DEMO_CITIES.map((c) => c.share),
  );
  const workerShares = apportion(inDemoCities, cityCommunities);
  const usedIds = new Set<string>();
  let workerSeq = 0;

  const rootPath = `/${DEMO_ROOT.code}/`;
  const top: TDemoOrg[] = [
    {
      code: DEMO_ROOT.code,
      parentCode: null,
      level: 'country',
      name: DEMO_ROOT.name,
      path: rootPath,
      packId: DEMO_ROOT.packId,
      countyCode: null,
      sort: 0,
    },
  ];
  DEMO_CITIES.forEach((city, i) => {
    const pPath = `${rootPath}${city.province.code}/`;
    top.push(
      {
        code: city.province.code,
        parentCode: DEMO_ROOT.code,
        level: 'province',
        name: city.province.name,
        path: pPath,
        packId: city.province.packId,
        countyCode: null,
        sort: i,
      },
      {
        code: city.city.code,
        parentCode: city.province.code,
        level: 'city',
        name: city.city.name,
        path: `${pPath}${city.city.code}/`,
        packId: city.city.packId,
        countyCode: null,
        sort: 0,
      },
    );
  });
  yield { orgs: top, facts: [], workers: [] };

  for (const [cityIndex, city] of DEMO_CITIES.entries()) {
    const cityPath = `${rootPath}${city.province.code}/${city.city.code}/`;
    const countyCommunities = apportion(
      cityCommunities[cityIndex]!,
      city.counties.map((c) => c.weight),
    );
    const countyWorkers = apportion(workerShares[cityIndex]!, countyCommunities);
    for (const [countyIndex, county] of city.counties.entries()) {
      yield* countyBatches(
        city,
        cityPath,
        county,
        countyIndex,
        countyCommunities[countyIndex]!,
        countyWorkers[countyIndex]!,
      );
    }
  }
  if (options.workers > inDemoCities) yield* syntheticBatches(options.workers - inDemoCities);

  /** The synthetic cities: provinces in turn, each city ten counties, ~37 workers a community. */
  function* syntheticBatches(workers: number): Generator<TDemoBatch> {
    const communities = Math.max(1, Math.round(workers / SYNTHETIC_WORKERS_PER_COMMUNITY));
    const nCities = Math.max(1, Math.ceil(communities / SYNTHETIC_CITY_COMMUNITIES));
    const cityCommunities = apportion(
      communities,
      Array.from({ length: nCities }, () => 0.5 + rng.next()),
    );
    const cityWorkers = apportion(workers, cityCommunities);
    const cities: TDemoCity[] = [];
    const top: TDemoOrg[] = [];
    const perProvince = new Map<string, number>();
    for (let i = 0; i < nCities; i++) {
      const [provinceCode, provinceName] = SYNTHETIC_PROVINCES[i % SYNTHETIC_PROVINCES.length]!;
      const k = (perProvince.get(provinceCode) ?? 0) + 1;
      perProvince.set(provinceCode, k);
      if (k === 1) {
        top.push({
          code: provinceCode,
          parentCode: DEMO_ROOT.code,
          level: 'province',
          name: provinceName,
          path: `${rootPath}${provinceCode}/`,
          packId: null,
          countyCode: null,
          sort: DEMO_CITIES.length + (i % SYNTHETIC_PROVINCES.length),
        });
      }
      const cityCode = `${provinceCode.slice(0, 2)}${pad(k, 2)}00`;
      const city: TDemoCity = {
        province: { code: provinceCode, name: provinceName, packId: null },
        city: { code: cityCode, name: `${provinceName.slice(0, 2)}第${k}市`, packId: null },
        countyPackId: null,
        counties: Array.from({ length: SYNTHETIC_COUNTIES_PER_CITY }, (_, c) => ({
          code: `${cityCode.slice(0, 4)}${pad(c + 1, 2)}`,
          name: `第${c + 1}区`,
          streets: [],
          weight: 0.6 + rng.next(),
        })),
        share: 0,
        households: [1500, 6500],
        reservedPartyPosts: false,
      };
      cities.push(city);
      top.push({
        code: cityCode,
        parentCode: provinceCode,
        level: 'city',
        name: city.city.name,
        path: `${rootPath}${provinceCode}/${cityCode}/`,
        packId: null,
        countyCode: null,
        sort: k - 1,
      });
    }
    yield { orgs: top, facts: [], workers: [] };
    for (const [i, city] of cities.entries()) {
      const cityPath = `${rootPath}${city.province.code}/${city.city.code}/`;
      const countyCommunities = apportion(
        cityCommunities[i]!,
        city.counties.map((c) => c.weight),
      );
      const countyWorkers = apportion(cityWorkers[i]!, countyCommunities);
      for (const [countyIndex, county] of city.counties.entries()) {
        // ID numbers start with the county code: no clash across counties, so memory stays flat.
        usedIds.clear();
        yield* countyBatches(
          city,
          cityPath,
          county,
          countyIndex,
          countyCommunities[countyIndex]!,
          countyWorkers[countyIndex]!,
        );
      }
    }
  }

  /** One county: its streets, communities with facts and grids, and workers, street by street. */
  function* countyBatches(
    city: TDemoCity,
    cityPath: string,
    county: TDemoCity['counties'][number],
    countyIndex: number,
    countyCommunityCount: number,
    countyWorkerCount: number,
  ): Generator<TDemoBatch> {
    const batch: TDemoBatch = { orgs: [], facts: [], workers: [] };
    const countyPath = `${cityPath}${county.code}/`;
    batch.orgs.push({
      code: county.code,
      parentCode: city.city.code,
      level: 'county',
      name: county.name,
      path: countyPath,
      packId: city.countyPackId,
      countyCode: county.code,
      sort: countyIndex,
    });
    const nCommunities = Math.max(1, countyCommunityCount);
    const nStreets = Math.max(
      Math.min(county.streets.length, nCommunities),
      Math.ceil(nCommunities / 12),
    );
    const perStreet = apportion(
      nCommunities,
      Array.from({ length: nStreets }, () => 1),
    );
    const communitySizes = apportion(
      countyWorkerCount,
      Array.from({ length: nCommunities }, () => 0.6 + rng.next()),
    );
    let communityIndex = 0;
    for (let s = 0; s < nStreets; s++) {
      const streetCode = `${county.code}${pad(s + 1, 3)}000`;
      const streetPath = `${countyPath}${streetCode}/`;
      const streetName = county.streets[s] ?? `第${s + 1}街道`;
      batch.orgs.push({
        code: streetCode,
        parentCode: county.code,
        level: 'street',
        name: streetName,
        path: streetPath,
        packId: null,
        countyCode: county.code,
        sort: s,
      });
      const usedNames = new Set<string>();
      for (let k = 0; k < perStreet[s]!; k++) {
        const communityCode = `${county.code}${pad(s + 1, 3)}${pad(k + 1, 3)}`;
        const communityPath = `${streetPath}${communityCode}/`;
        let name = `${rng.pick(COMMUNITY_WORDS)}社区`;
        while (usedNames.has(name))
          name = `${rng.pick(COMMUNITY_WORDS)}${rng.pick(COMMUNITY_WORDS).slice(0, 1)}社区`;
        usedNames.add(name);
        batch.orgs.push({
          code: communityCode,
          parentCode: streetCode,
          level: 'community',
          name,
          path: communityPath,
          packId: null,
          countyCode: county.code,
          sort: k,
        });
        const households = rng.int(city.households[0], city.households[1]);
        const resident = Math.round(households * (0.9 + rng.next() * 0.35));
        const kind = rng.weighted([
          ['城市社区', 70],
          ['商住社区', 12],
          ['老旧社区', 15],
          ['农村社区', 3],
        ] as const);
        const star = rng.weighted([
          [0, 5],
          [1, 10],
          [2, 25],
          [3, 30],
          [4, 20],
          [5, 10],
        ] as const);
        batch.facts.push(
          {
            orgCode: communityCode,
            countyCode: county.code,
            effectiveFrom: '2024-01-01',
            householdsRegistered: Math.round(households * 0.95),
            householdsResident: Math.round(resident * 0.95),
            population: Math.round(resident * 0.95 * 2.6),
            kind,
            starRating: Math.max(0, star - 1),
          },
          {
            orgCode: communityCode,
            countyCode: county.code,
            effectiveFrom: '2026-01-01',
            householdsRegistered: households,
            householdsResident: resident,
            population: Math.round(resident * 2.6),
            kind,
            starRating: star,
          },
        );
        const nGrids = Math.max(1, Math.ceil(households / 420));
        const gridHouseholds = apportion(
          households,
          Array.from({ length: nGrids }, () => 0.8 + rng.next() * 0.4),
        );
        const gridCodes: string[] = [];
        for (let g = 0; g < nGrids; g++) {
          const gridCode = `${communityCode}${pad(g + 1, 3)}`;
          gridCodes.push(gridCode);
          batch.orgs.push({
            code: gridCode,
            parentCode: communityCode,
            level: 'grid',
            name: `第${g + 1}网格`,
            path: `${communityPath}${gridCode}/`,
            packId: null,
            countyCode: county.code,
            sort: g,
          });
          batch.facts.push({
            orgCode: gridCode,
            countyCode: county.code,
            effectiveFrom: '2026-01-01',
            householdsRegistered: gridHouseholds[g]!,
            householdsResident: gridHouseholds[g]!,
            population: Math.round(gridHouseholds[g]! * 2.6),
            kind: null,
            starRating: null,
          });
        }
        const posts = communityPosts(rng, communitySizes[communityIndex]!, city);
        let gridCursor = 0;
        for (const postTitle of posts) {
          workerSeq++;
          const worker = generateWorker(rng, usedIds, workerSeq, county.code, postTitle);
          const isGridWorker = postTitle === '网格员' || postTitle === '委员';
          batch.workers.push({
            ...worker,
            communityCode,
            gridCode:
              isGridWorker && gridCursor < gridCodes.length ? gridCodes[gridCursor++]! : null,
            orgPath: communityPath,
            countyCode: county.code,
          });
        }
        communityIndex++;
      }
      // One batch per street keeps memory flat at national scale.
      yield {
        orgs: batch.orgs.splice(0),
        facts: batch.facts.splice(0),
        workers: batch.workers.splice(0),
      };
    }
  }

  function generateWorker(
    r: TRandom,
    used: Set<string>,
    seq: number,
    countyCode: string,
    postTitle: TPostTitle,
  ): Omit<TDemoWorker, 'communityCode' | 'gridCode' | 'orgPath' | 'countyCode'> {
    const sex: '男' | '女' = r.next() < 0.62 ? '女' : '男';
    const leader = postTitle !== '网格员' && postTitle !== '专职工作人员' && postTitle !== '委员';
    const birthYear = leader ? r.int(1968, 1990) : r.int(1975, 2001);
    const birthDate = isoDate(birthYear, r.int(1, 12), r.int(1, 28));
    let idNumber = '';
    do {
      const seqDigits = r.int(0, 99) * 10 + (sex === '男' ? r.int(0, 4) * 2 + 1 : r.int(0, 4) * 2);
      const first17 = `${countyCode}${birthDate.replaceAll('-', '')}${pad(seqDigits, 3)}`;
      idNumber = first17 + idNumberCheckChar(first17);
    } while (used.has(idNumber));
    used.add(idNumber);
    const name =
      r.pick(SURNAMES) + r.pick(GIVEN_CHARS) + (r.next() < 0.7 ? r.pick(GIVEN_CHARS) : '');
    const ageAtAsOf = 2026 - birthYear;
    const maxYears = Math.max(0, Math.min(ageAtAsOf - 20, leader ? 34 : 22));
    const years = Math.min(maxYears, Math.floor(r.next() ** 1.6 * (maxYears + 1)));
    const serviceStartedOn = isoDate(
      2026 - years - (r.next() < 0.5 ? 1 : 0),
      r.int(1, 12),
      r.int(1, 28),
    );
    const start = serviceStartedOn > DEMO_AS_OF ? '2026-03-01' : serviceStartedOn;
    const recent = start >= '2026-08-01';
    const priorService: TServicePeriod[] =
      r.next() < 0.08
        ? [
            {
              from: addMonths(start, -12 * r.int(2, 6)),
              to: addMonths(start, -r.int(1, 6)),
              place: '本省其他社区',
            },
          ]
        : [];
    const education = r.weighted(EDUCATION);
    const certificate = r.weighted(CERTIFICATE);
    const certYear = Math.max(Number(start.slice(0, 4)), 2008) + r.int(0, 4);
    const status = recent ? '试用期' : r.next() < 0.015 ? '已退出' : '在岗';
    const assessments: Array<{ year: number; grade: string }> = [];
    for (let year = 2023; year <= 2025; year++) {
      if (Number(start.slice(0, 4)) < year) assessments.push({ year, grade: r.weighted(ASSESS) });
    }
    return {
      id: r.uuid7(DEMO_TIME_BASE + seq),
      name,
      idNumber,
      birthDate,
      sex,
      phone: `1${r.pick(['3', '5', '7', '8', '9'])}${pad(r.int(0, 999_999_999), 9)}`,
      ethnicity: r.weighted(ETHNICITIES),
      politicalStatus: leader ? (r.next() < 0.9 ? '中共党员' : '群众') : r.weighted(POLITICAL),
      educationLevel: education,
      educationMajor: education === '高中及以下' || education === '中专' ? null : r.pick(MAJORS),
      certificateLevel: certificate,
      certificateDate:
        certificate === '无' ? null : isoDate(Math.min(certYear, 2026), r.int(1, 10), r.int(1, 28)),
      veteran: sex === '男' && r.next() < 0.12,
      livesInCommunity: r.next() < 0.45,
      serviceStartedOn: start,
      priorService,
      status,
      postTitle,
      hiredOn: start,
      probationUntil: recent ? addMonths(start, 3) : null,
      exitedOn: status === '已退出' ? isoDate(2026, r.int(1, 9), r.int(1, 28)) : null,
      assessments,
    };
  }
}

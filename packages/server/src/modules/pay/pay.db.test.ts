import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import {
  createClient,
  seedDemo,
  seedUser,
  TEST_PASSWORD,
  type TTestClient,
} from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { editedPolicies, waitForJob } from './pay-test-helpers.ts';

// The Yinchuan 四岗十八级 table (004 附件 套改表, 职业化 (十六)、(十七)) through the whole path:
// registry → pay sheet → review → lock → export; corrections after a lock become arrears of the
// next month; a back-dated pack change (a new base from a past date) produces arrears for every
// locked month since.

const STREET = '640104001000';
const COMMUNITY = '640104001001';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (first17: string) =>
  first17 + '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0) % 11]!;

type TLine = {
  workerId: string;
  kind: string;
  forMonth: string;
  status: string;
  reason: string | null;
  post: string | null;
  years: number | null;
  grade: number | null;
  coefficient: string | null;
  probation: boolean;
  baseFen: number | null;
  annualFen: number | null;
  monthlyFen: number | null;
  payableFen: number | null;
};

describe(`pay sheets (${testDbKind()})`, () => {
  let services: TServices;
  let shippedPolicies: TServices['policies'];
  let admin: TTestClient;
  let street: TTestClient;
  const ids: Record<string, string> = {};

  const addWorker = async (key: string, body: Record<string, unknown>, seq: number) => {
    const res = await admin.post('/api/workers', {
      name: `测试${key}`,
      idNumber: idNumber(`64010419900101${String(100 + seq)}`),
      communityCode: COMMUNITY,
      ...body,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[key] = res.body.id;
  };

  const compute = async (month: string) => {
    const res = await street.post('/api/pay/runs/compute', { org: STREET, month });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return (await waitForJob(street, res.body.jobId)).result;
  };

  const runOf = async (month: string) => {
    const list = await street.get(`/api/pay/runs?org=${STREET}&month=${month}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const id = list.body.streets.find((s: { streetCode: string }) => s.streetCode === STREET).run
      .id;
    return (await street.get(`/api/pay/runs/${id}`)).body as {
      run: { id: string; status: string; version: number; totalFen: number };
      lines: TLine[];
    };
  };

  /** Computes the sheet of a street's month as `client` and reads it back (run and lines). */
  const sheetOf = async (client: TTestClient, org: string, month: string) => {
    const res = await client.post('/api/pay/runs/compute', { org, month });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitForJob(client, res.body.jobId);
    const list = await client.get(`/api/pay/runs?org=${org}&month=${month}`);
    const run = list.body.streets[0].run;
    const detail = await client.get(`/api/pay/runs/${run.id}`);
    return { run, runId: run.id as string, detail, lines: detail.body.lines };
  };

  const lineOf = (lines: TLine[], key: string, kind = 'regular', forMonth?: string) =>
    lines.find(
      (l) => l.workerId === ids[key] && l.kind === kind && (!forMonth || l.forMonth === forMonth),
    );

  // The street reviews its sheet; the city bureau locks it (pay:lock, never the reviewer).
  const lock = async (month: string) => {
    const { run } = await runOf(month);
    expect(
      (await street.post(`/api/pay/runs/${run.id}/review`, { version: run.version })).status,
    ).toBe(200);
    const locked = await admin.post(`/api/pay/runs/${run.id}/lock`, { version: run.version });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    expect(locked.body.status).toBe('locked');
  };

  beforeAll(async () => {
    services = await createTestServices();
    shippedPolicies = services.policies;
    await seedDemo(services, 120);
    await seedUser(services, { username: 'mz', role: 'civil-affairs-admin', orgCode: '640100' });
    await seedUser(services, { username: 'jd', role: 'street-admin', orgCode: STREET });
    admin = createClient(services);
    await admin.login('mz', TEST_PASSWORD);
    street = createClient(services);
    await street.login('jd', TEST_PASSWORD);
    // 004 附件 worked examples, as registry records (years counted on 2026-07-01).
    await addWorker(
      'A',
      {
        postTitle: '网格员',
        serviceStartedOn: '2021-03-01',
        hiredOn: '2021-03-01',
        educationLevel: '本科',
        certificateLevel: '助理社会工作师',
        certificateDate: '2022-01-01',
      },
      1,
    );
    await addWorker(
      'B',
      {
        postTitle: '委员',
        serviceStartedOn: '2024-03-01',
        hiredOn: '2024-03-01',
        educationLevel: '本科',
        certificateLevel: '社会工作师',
        certificateDate: '2025-01-01',
      },
      2,
    );
    await addWorker(
      'C',
      {
        postTitle: '书记兼主任',
        serviceStartedOn: '2014-05-01',
        hiredOn: '2014-05-01',
        educationLevel: '大专',
      },
      3,
    );
    // A grid worker recruited on 11 July: 试用期 three months at 1.00 (004 职业化 (九)、附件).
    await addWorker(
      'D',
      {
        postTitle: '网格员',
        serviceStartedOn: '2026-07-11',
        hiredOn: '2026-07-11',
        educationLevel: '大专',
        status: '试用期',
      },
      4,
    );
  });
  afterAll(() => services.database.close());

  it('computes the grades and base pay of the 套改表 for July', async () => {
    const result = await compute('2026-07');
    expect(result.computed).toBe(1);
    const { run, lines } = await runOf('2026-07');
    expect(run.status).toBe('draft');
    // 其他人员 5年 本科 助理社会工作师: 2级 +1 +1 = 4级, 1.30, 2600元.
    expect(lineOf(lines, 'A')).toMatchObject({
      post: '其他人员',
      years: 5,
      grade: 4,
      coefficient: '1.30',
      baseFen: 260000,
      payableFen: 260000,
    });
    // 两委成员 2年 本科 社会工作师: 2 +1 +2 = 5级, 1.35, 2700元.
    expect(lineOf(lines, 'B')).toMatchObject({ grade: 5, coefficient: '1.35', baseFen: 270000 });
    // 正职 12年 大专: 10级, 1.60, 3200元.
    expect(lineOf(lines, 'C')).toMatchObject({ grade: 10, coefficient: '1.60', baseFen: 320000 });
    // 试用期: 系数1.00, 2000元, base pay only.
    expect(lineOf(lines, 'D')).toMatchObject({
      probation: true,
      coefficient: '1.00',
      baseFen: 200000,
      monthlyFen: 200000,
    });
    // 星级绩效 is paid once a year (option starAllowancePeriod = year): not in the month.
    const a = lineOf(lines, 'A')!;
    expect(a.monthlyFen).toBe(260000);
    // The sheet's total is the sum of its lines.
    expect(run.totalFen).toBe(lines.reduce((s, l) => s + (l.payableFen ?? 0), 0));
  });

  it('explains a line with the clauses it comes from', async () => {
    const { run } = await runOf('2026-07');
    const res = await street.get(`/api/pay/runs/${run.id}/lines/${ids.A}/explain`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sources = res.body.trace.map((s: { source: string }) => s.source);
    expect(sources).toContain('004 职业化 (十七)');
    expect(sources).toContain('004 附件 套改表');
    expect(res.body.value).toMatchObject({ grade: 4, coefficient: '1.30', basePayFen: 260000 });
  });

  it('exports the 工资发放表 with the figures in 元', async () => {
    const { run } = await runOf('2026-07');
    const res = await street.app.request(`/api/pay/runs/${run.id}/export`, {
      headers: { Cookie: street.cookie },
    });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).map(String);
    const col = (name: string) => header.indexOf(name);
    let found = false;
    ws.eachRow((row) => {
      if (row.getCell(col('姓名')).value !== '测试A') return;
      found = true;
      expect(row.getCell(col('岗位等级')).value).toBe(4);
      expect(row.getCell(col('等级系数')).value).toBe('1.30');
      expect(row.getCell(col('基本薪酬')).value).toBe(2600);
      expect(row.getCell(col('本月应发')).value).toBe(2600);
    });
    expect(found).toBe(true);
  });

  it('refuses to lock before review and never changes a locked month', async () => {
    const { run, lines } = await runOf('2026-07');
    const early = await admin.post(`/api/pay/runs/${run.id}/lock`, { version: run.version });
    expect(early.status).toBe(409);
    // Separation of duties: reviewing and locking are distinct permissions, and whoever reviewed
    // a sheet may not lock it.
    const reviewed = await admin.post(`/api/pay/runs/${run.id}/review`, { version: run.version });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    // The sheet names its reviewer (id and name) and when.
    expect(reviewed.body.reviewedBy).toBeTruthy();
    expect(reviewed.body.reviewedByName).toBeTruthy();
    expect(reviewed.body.reviewedAt).toBeTruthy();
    expect((await runOf('2026-07')).run).toMatchObject({
      reviewedBy: reviewed.body.reviewedBy,
      reviewedByName: reviewed.body.reviewedByName,
      lockedByName: null,
    });
    const byReviewer = await admin.post(`/api/pay/runs/${run.id}/lock`, { version: run.version });
    expect(byReviewer.status).toBe(403);
    expect(byReviewer.body.error.message).toBe(
      '审核人不能锁定自己审核的工资表：请由另一位有锁定权限的人员锁定',
    );
    const byStreet = await street.post(`/api/pay/runs/${run.id}/lock`, { version: run.version });
    expect(byStreet.status).toBe(403);
    expect((await runOf('2026-07')).run.status).toBe('reviewed');
    const other = createClient(services);
    await seedUser(services, { username: 'mz2', role: 'civil-affairs-admin', orgCode: '640100' });
    await other.login('mz2', TEST_PASSWORD);
    const locked = await other.post(`/api/pay/runs/${run.id}/lock`, { version: run.version });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    expect(locked.body.status).toBe('locked');
    expect(locked.body.reviewedBy).toBe(reviewed.body.reviewedBy);
    expect(locked.body.lockedByName).toBeTruthy();
    expect(locked.body.lockedByName).not.toBe(reviewed.body.reviewedByName);
    // The locked month's cost joins the statistics of the street and every node above it.
    const stat = await queryRows<{ org: string; n: number }>(
      services.database.db,
      sql`select org_code as org, n from stat_rollup where dim = 'payFen' and value = '2026-07'
          and org_code in (${STREET}, '640104', '640100')`,
    );
    expect(stat.map((r) => Number(r.n))).toEqual([run.totalFen, run.totalFen, run.totalFen]);
    // A correction of the record after the lock: A's degree was a 硕士 all along (a correction,
    // not a degree obtained now: it applies to every month).
    const w = await admin.get(`/api/workers/${ids.A}`);
    const patch = await admin.patch(`/api/workers/${ids.A}`, {
      version: w.body.worker.version,
      educationLevel: '硕士',
      correction: true,
      reason: '更正：学历登记有误',
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const again = await compute('2026-07');
    expect(again.locked).toContain(STREET);
    const after = await runOf('2026-07');
    expect(after.run).toMatchObject({
      status: 'locked',
      version: run.version,
      totalFen: run.totalFen,
    });
    expect(after.lines).toEqual(lines);
  });

  it('pays the correction of a locked month as arrears in the next month', async () => {
    await compute('2026-08');
    const { lines } = await runOf('2026-08');
    // 其他人员 5年 硕士 助理社会工作师: 2级 +5 +1 = 8级, 1.50, 3000元.
    expect(lineOf(lines, 'A')).toMatchObject({ grade: 8, coefficient: '1.50', payableFen: 300000 });
    // July was paid 2600元 and locked: 3000 − 2600 = 400元 补发 in August.
    expect(lineOf(lines, 'A', 'arrears', '2026-07')).toMatchObject({ payableFen: 40000 });
    expect(lineOf(lines, 'B', 'arrears')).toBeUndefined();
    await lock('2026-08');
  });

  it('turns a back-dated pack change into arrears for every locked month since its date', async () => {
    // The pack gets a new base of 2400元 from 1 July 2026 — entered in September.
    services.policies = await editedPolicies('yinchuan-2018', (text) =>
      text.replace(
        '      - { effective_from: 2019-01-01, value: 2000 }\n  probationMonths:',
        '      - { effective_from: 2019-01-01, value: 2000 }\n      - { effective_from: 2026-07-01, value: 2400 }\n  probationMonths:',
      ),
    );
    // 薪酬套改: before and after for the district, then approved.
    const created = await admin.post('/api/pay/conversions', {
      org: '640104',
      packId: 'yinchuan-2018',
      effectiveOn: '2026-07-01',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    await waitForJob(admin, created.body.jobId);
    const conv = await admin.get(
      `/api/pay/conversions/${created.body.id}?filter=changed&limit=1000`,
    );
    expect(conv.body.conversion).toMatchObject({
      status: 'ready',
      lockedMonths: ['2026-07', '2026-08'],
    });
    const a = conv.body.items.find((l: { workerId: string }) => l.workerId === ids.A);
    // 8级 1.50: 2000 × 1.50 = 3000元 → 2400 × 1.50 = 3600元.
    expect(a).toMatchObject({
      beforeGrade: 8,
      beforeBaseFen: 300000,
      afterGrade: 8,
      afterBaseFen: 360000,
      diffFen: 60000,
    });
    expect(conv.body.conversion.afterTotalFen - conv.body.conversion.beforeTotalFen).toBe(
      conv.body.items.reduce((s: number, l: { diffFen: number }) => s + l.diffFen, 0),
    );
    const approved = await admin.post(`/api/pay/conversions/${created.body.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(202);
    await waitForJob(admin, approved.body.jobId);
    const archive = await queryRows<{ fen: string }>(
      services.database.db,
      sql`select (data->>'monthlyFen') as fen from archive_item
          where worker_id = ${ids.A} and kind = 'pay' and start_on = '2026-07-01'`,
    );
    expect(archive.map((r) => Number(r.fen))).toEqual([360000]);

    // 004 职业化 (二十): 在社区连续工作满20年，一次性5000元特殊荣誉奖励 — recorded in the archive,
    // paid with the month it is dated in.
    const reward = await admin.post(`/api/workers/${ids.C}/archive`, {
      kind: 'reward',
      startOn: '2026-09-15',
      data: { title: '连续工作满20年特殊荣誉奖励', amountFen: 500000 },
    });
    expect(reward.status, JSON.stringify(reward.body)).toBeLessThan(300);
    await compute('2026-09');
    const { lines } = await runOf('2026-09');
    expect(lineOf(lines, 'A')).toMatchObject({ grade: 8, baseFen: 360000 });
    // 3200 × 1.2 = 3840元 a month, and the one-off 5000元 in September.
    expect(lineOf(lines, 'C')).toMatchObject({
      baseFen: 384000,
      oneOffFen: 500000,
      payableFen: 884000,
    });
    // July and August were paid 3000元 each (2600 + 400 arrears; 3000): 600元 due for each.
    expect(lineOf(lines, 'A', 'arrears', '2026-07')).toMatchObject({ payableFen: 60000 });
    expect(lineOf(lines, 'A', 'arrears', '2026-08')).toMatchObject({ payableFen: 60000 });
    // 正职 10级 1.60: 3200 → 3840元, 640元 for each month.
    expect(lineOf(lines, 'C', 'arrears', '2026-07')).toMatchObject({ payableFen: 64000 });
    expect(lineOf(lines, 'C', 'arrears', '2026-08')).toMatchObject({ payableFen: 64000 });
    // The locked months themselves are unchanged.
    const july = await runOf('2026-07');
    expect(lineOf(july.lines, 'A')).toMatchObject({ payableFen: 260000 });
  });

  it("pro-rates the month of joining and of leaving by the pack's rule", async () => {
    // 银川 says nothing of part months: the pack's options joinMonth / leaveMonth (yc-proration)
    // choose calendar days, the joining and the leaving day included, half-up to the fen. The
    // registry as shipped (the back-dated edit of the previous case is undone).
    services.policies = shippedPolicies;
    const xx = '640105001001';
    const joiner = await admin.post('/api/workers', {
      name: '测试入职',
      idNumber: idNumber('64010519900101201'),
      communityCode: xx,
      postTitle: '委员',
      serviceStartedOn: '2026-09-21',
      hiredOn: '2026-09-21',
      educationLevel: '大专',
    });
    const leaver = await admin.post('/api/workers', {
      name: '测试离职',
      idNumber: idNumber('64010519900101202'),
      communityCode: xx,
      postTitle: '委员',
      serviceStartedOn: '2020-01-01',
      hiredOn: '2020-01-01',
      educationLevel: '大专',
    });
    const left = await admin.patch(`/api/workers/${leaver.body.id}`, {
      version: 1,
      status: '已退出',
      effectiveOn: '2026-09-10',
      reason: '辞职',
    });
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    const { lines } = await sheetOf(admin, '640105001000', '2026-09');
    const of = (id: string) => lines.find((l: TLine) => l.workerId === id);
    // 两委成员 0年 → 2级 1.20, 2400元: 21–30 September is 10 of 30 days, 800元.
    expect(of(joiner.body.id)).toMatchObject({
      grade: 2,
      monthlyFen: 240000,
      paidDays: 10,
      payableFen: 80000,
    });
    // 6年 → 3级 1.25, 2500元: 1–10 September, 10 of 30 days, 833.33元.
    expect(of(leaver.body.id)).toMatchObject({
      grade: 3,
      monthlyFen: 250000,
      paidDays: 10,
      payableFen: 83333,
    });
    // The worker page's figure (one worker, GET /api/pay/workers/:id) is the sheet's, to the fen.
    for (const id of [joiner.body.id, leaver.body.id]) {
      const one = await admin.get(`/api/pay/workers/${id}?month=2026-09`);
      expect(one.status, JSON.stringify(one.body)).toBe(200);
      const sheet = of(id);
      for (const k of ['grade', 'coefficient', 'baseFen', 'monthlyFen', 'paidDays', 'payableFen'])
        expect(one.body.line[k], k).toBe(sheet[k]);
      const steps = one.body.explanation.trace.map((t: { rule: string }) => t.rule);
      expect(steps).toContain('yc-proration');
    }
  });

  it('splits a month at a pack version starting inside it, on the sheet and in its 为什么', async () => {
    // A test edit of the 银川 pack (the seeds have no mid-month pay change): the 基本薪酬基准 rises
    // from 2000元 to 2200元 on 16 October 2026. October (31 days) is paid 1–15 at the old and
    // 16–31 at the new base, by calendar days as the pack's yc-proration counts part months,
    // each part rounded on the running sum so that the parts add up to the month.
    services.policies = await editedPolicies('yinchuan-2018', (text) =>
      text.replace(
        '      - { effective_from: 2019-01-01, value: 2000 }\n  probationMonths:',
        '      - { effective_from: 2019-01-01, value: 2000 }\n      - { effective_from: 2026-10-16, value: 2200 }\n  probationMonths:',
      ),
    );
    try {
      const xx = '640105001001';
      const stayer = await admin.post('/api/workers', {
        name: '测试月中调标',
        idNumber: idNumber('64010519900101203'),
        communityCode: xx,
        postTitle: '委员',
        serviceStartedOn: '2020-01-01',
        hiredOn: '2020-01-01',
        educationLevel: '大专',
      });
      const joiner = await admin.post('/api/workers', {
        name: '测试月中入职',
        idNumber: idNumber('64010519900101204'),
        communityCode: xx,
        postTitle: '委员',
        serviceStartedOn: '2026-10-10',
        hiredOn: '2026-10-10',
        educationLevel: '大专',
      });
      const { runId, lines } = await sheetOf(admin, '640105001000', '2026-10');
      const of = (id: string) => lines.find((l: TLine) => l.workerId === id);
      // 两委成员 6年 → 3级 1.25: 2500元 a month before, 2750元 after. 2500 × 15/31 = 1209.677…
      // → 1209.68; (2500×15 + 2750×16)/31 = 2629.032… → 2629.03 for the month (1419.35 after).
      expect(of(stayer.body.id)).toMatchObject({
        grade: 3,
        monthlyFen: 250000,
        paidDays: 31,
        payableFen: 262903,
      });
      // Joining on 10 October, 0年 → 2级 1.20: 2400元, then 2640元. 10–15 is 6 days, 16–31 is
      // 16: 2400 × 6/31 = 464.516… → 464.52; (2400×6 + 2640×16)/31 = 1827.096… → 1827.10.
      expect(of(joiner.body.id)).toMatchObject({
        grade: 2,
        monthlyFen: 240000,
        paidDays: 22,
        payableFen: 182710,
      });
      const why = await admin.get(`/api/pay/runs/${runId}/lines/${stayer.body.id}/explain`);
      expect(why.status, JSON.stringify(why.body)).toBe(200);
      expect(
        why.body.value.parts.map((p: Record<string, unknown>) => [
          p.from,
          p.to,
          p.version && (p.version as { from: string }).from,
          p.monthlyTotalFen,
          p.paidDays,
          p.payableFen,
        ]),
      ).toEqual([
        ['2026-10-01', '2026-10-15', '2024-03-28', 250000, 15, 120968],
        ['2026-10-16', '2026-10-31', '2026-10-16', 275000, 16, 141935],
      ]);
      expect(why.body.value.parts[1].changes).toMatchObject([
        {
          name: 'benchmarkPay',
          before: '2,000.00元',
          after: '2,200.00元',
          source: '004 职业化 (十六)',
        },
      ]);
      const parts = why.body.trace.filter((t: { rule: string }) => t.rule === 'version-part');
      expect(parts.map((t: { note: string }) => t.note.slice(0, 26))).toEqual([
        '第1段 2026-10-01至2026-10-15：',
        '第2段 2026-10-16至2026-10-31：',
      ]);
      expect(parts[1].source).toBe('004 职业化 (十六)');
      // The sheet (batch kernels per version) and the 为什么 (trace evaluator) agree on every
      // line of the street, and so does the worker page.
      for (const line of lines.filter((l: TLine) => l.status === 'ok')) {
        const e = await admin.get(`/api/pay/runs/${runId}/lines/${line.workerId}/explain`);
        expect(e.body.value.payableFen + (line.oneOffFen ?? 0), line.workerId).toBe(
          line.payableFen,
        );
      }
      const one = await admin.get(`/api/pay/workers/${stayer.body.id}?month=2026-10`);
      expect(one.body.line.payableFen).toBe(262903);
      expect(one.body.explanation.value.parts).toHaveLength(2);
    } finally {
      services.policies = shippedPolicies;
    }
  });

  it('splits a month at a new post taken inside it (人事档案 任职)', async () => {
    // 网格员 (其他人员) since 2020: 6年 → 2级 1.20, 2400元. Made 副主任 (副职) on 16 November 2026:
    // 副职 4-6年 → 5级 1.35, 2700元 (004 附件 套改表). November has 30 days: 1–15 at 2400元 is
    // 1200.00, 16–30 at 2700元 is 1350.00, by calendar days as yc-proration counts part months.
    const worker = await admin.post('/api/workers', {
      name: '测试月中调岗',
      idNumber: idNumber('64010519900101205'),
      communityCode: '640105001001',
      postTitle: '网格员',
      serviceStartedOn: '2020-01-01',
      hiredOn: '2020-01-01',
      educationLevel: '大专',
    });
    expect(worker.status, JSON.stringify(worker.body)).toBe(201);
    const moved = await admin.patch(`/api/workers/${worker.body.id}`, {
      version: 1,
      postTitle: '副主任',
      effectiveOn: '2026-11-16',
      reason: '调任副主任',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const { runId, lines } = await sheetOf(admin, '640105001000', '2026-11');
    const line = lines.find((l: TLine) => l.workerId === worker.body.id);
    expect(line).toMatchObject({
      title: '网格员',
      grade: 2,
      monthlyFen: 240000,
      paidDays: 30,
      payableFen: 255000,
    });
    const why = await admin.get(`/api/pay/runs/${runId}/lines/${worker.body.id}/explain`);
    expect(
      why.body.value.parts.map((p: Record<string, unknown>) => [
        p.from,
        p.to,
        p.grade,
        p.monthlyTotalFen,
        p.payableFen,
      ]),
    ).toEqual([
      ['2026-11-01', '2026-11-15', 2, 240000, 120000],
      ['2026-11-16', '2026-11-30', 5, 270000, 135000],
    ]);
    expect(why.body.value.parts[1].changes).toMatchObject([
      { kind: 'record', name: 'post', before: '网格员', after: '副主任', source: '人事档案' },
    ]);
    const one = await admin.get(`/api/pay/workers/${worker.body.id}?month=2026-11`);
    expect(one.body.line.payableFen).toBe(255000);
    // December is all 副主任: no split.
    const dec = await admin.get(`/api/pay/workers/${worker.body.id}?month=2026-12`);
    expect(dec.body.line).toMatchObject({ grade: 5, payableFen: 270000 });
    expect(dec.body.explanation.value.parts).toBeUndefined();
    // The sheet's 为什么 shows the parts stored with its line: a later change of the archive
    // (书记兼主任 from 21 November) changes what is computed now, not what the sheet paid.
    const again = await admin.patch(`/api/workers/${worker.body.id}`, {
      version: moved.body.version,
      postTitle: '书记兼主任',
      effectiveOn: '2026-11-21',
      reason: '调任书记兼主任',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const stored = await admin.get(`/api/pay/runs/${runId}/lines/${worker.body.id}/explain`);
    expect(
      stored.body.value.parts.map((p: { to: string; payableFen: number }) => [p.to, p.payableFen]),
    ).toEqual([
      ['2026-11-15', 120000],
      ['2026-11-30', 135000],
    ]);
    const now = await admin.get(`/api/pay/workers/${worker.body.id}?month=2026-11`);
    expect(now.body.explanation.value.parts).toHaveLength(3);
  });

  it('pays a month in which the pack starts for the days it governs (无适用政策 before)', async () => {
    // 长春新区 (000, 2 November 2020) and 吉林 (002, 14 May 2020) start inside a month, but
    // neither gives pay the registry can compute (长春新区's base pay table, 附件3, is
    // unpublished; 吉林 sets no figures). A test edit dates the 银川 pack from 14 January 2025
    // instead (its text says 2019-01-01; the demo communities have star ratings from 2024), with
    // a basis written as 吉林's: January is paid from the 14th by the pack's own table and
    // yc-proration (by calendar days), and 1–13 January are 无适用政策, a part paid nothing.
    services.policies = await editedPolicies('yinchuan-2018', (text) =>
      text.replace(
        /^effective_from: 2019-01-01$/m,
        'effective_from: 2025-01-14\neffective_basis: { source: 004 职业化 (十六), description: 测试：假定自2025年1月14日起执行 }',
      ),
    );
    try {
      const w = await admin.post('/api/workers', {
        name: '测试月中施行',
        idNumber: idNumber('64010519900101206'),
        communityCode: '640105001001',
        postTitle: '网格员',
        serviceStartedOn: '2015-01-01',
        hiredOn: '2015-01-01',
        educationLevel: '大专',
      });
      expect(w.status, JSON.stringify(w.body)).toBe(201);
      const { run, lines } = await sheetOf(admin, '640105001000', '2025-01');
      expect(run.packs).toEqual([{ packId: 'yinchuan-2018', from: '2025-01-14' }]);
      const line = lines.find((l: TLine) => l.workerId === w.body.id);
      // 其他人员, 10 years on 14 January → 4级 1.30, 2600元 a month (004 附件 套改表);
      // 14–31 January, 18 of 31 days: 2600 × 18/31 = 1509.677… → 1509.68元.
      expect(line, line?.reason).toMatchObject({
        status: 'ok',
        grade: 4,
        coefficient: '1.30',
        monthlyFen: 260000,
        paidDays: 18,
        monthDays: 31,
        payableFen: 150968,
      });
      const why = await admin.get(`/api/pay/runs/${run.id}/lines/${w.body.id}/explain`);
      expect(why.status, JSON.stringify(why.body)).toBe(200);
      expect(why.body.evalOn).toBe('2025-01-14');
      expect(
        why.body.value.parts.map((p: Record<string, unknown>) => [
          p.from,
          p.to,
          p.version && (p.version as { from: string }).from,
          p.paidDays,
          p.payableFen,
        ]),
      ).toEqual([
        ['2025-01-01', '2025-01-13', null, 0, 0],
        ['2025-01-14', '2025-01-31', '2025-01-14', 18, 150968],
      ]);
      expect(why.body.value.parts[0].noPolicy).toMatchObject({
        days: 13,
        source: '004 职业化 (十六)',
      });
      const gap = why.body.trace.find((t: { rule: string }) => t.rule === 'no-policy');
      expect(gap.note).toContain('第1段 2025-01-01至2025-01-13：无适用政策（13天）');
      expect(gap.note).toContain('自2025-01-14起施行（测试：假定自2025年1月14日起执行）');
      // Stored with the line (pay_line.parts), adding up to its amount to the fen.
      const stored = await queryRows<{ payableFen: string; oneOffFen: string; parts: unknown }>(
        services.database.db,
        sql`select payable_fen::text as "payableFen", one_off_fen::text as "oneOffFen", parts
            from pay_line where run_id = ${run.id} and worker_id = ${w.body.id}`,
      );
      expect(stored[0]?.parts).toEqual(why.body.value.parts);
      // Every line of the sheet: the sheet (batch) and its 为什么 (trace) agree.
      for (const l of lines.filter((x: TLine) => x.status === 'ok')) {
        const e = await admin.get(`/api/pay/runs/${run.id}/lines/${l.workerId}/explain`);
        expect(e.body.value.payableFen + (l.oneOffFen ?? 0), l.workerId).toBe(l.payableFen);
      }
    } finally {
      services.policies = shippedPolicies;
    }
  });

  it('evaluates 长春新区 November 2020 from 2 November: the line says what the pack lacks, not 尚未生效', async () => {
    // 长春新区 (000) starts on 2 November 2020; its base pay table (附件3) is unpublished, so
    // the registry cannot pay its workers (basePayFen not recorded): the line stays open with
    // that reason. Before, every line of the month was refused as 尚未生效.
    await seedUser(services, { username: 'cc', role: 'civil-affairs-admin', orgCode: '220100' });
    const cc = createClient(services);
    await cc.login('cc', TEST_PASSWORD);
    const w = await cc.post('/api/workers', {
      name: '测试新区',
      idNumber: idNumber('22017319900101208'),
      communityCode: '220173001001',
      postTitle: '委员',
      serviceStartedOn: '2018-01-01',
      hiredOn: '2018-01-01',
      educationLevel: '本科',
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const { run, lines } = await sheetOf(cc, '220173001000', '2020-11');
    expect(run.packs).toEqual([{ packId: 'changchun-xinqu-2020', from: '2020-11-02' }]);
    const line = lines.find((l: TLine) => l.workerId === w.body.id);
    expect(line.status).toBe('open');
    expect(line.reason).toMatch(/basePayFen/);
    expect(line.reason).not.toMatch(/尚未生效/);
  });

  it('pays a certificate obtained inside the month from the next month, or by days if the pack says so', async () => {
    // 网格员 (其他人员) since March 2020: 6年 → 2级 1.20, 2400元; 社会工作师 obtained on
    // 11 September 2026: +2 → 4级 1.30, 2600元 (004 职业化 (十七)、附件). The documents do not say
    // from when: 银川 reads it as from the next month (option certificateMonth).
    const w = await admin.post('/api/workers', {
      name: '测试月中取证',
      idNumber: idNumber('64010519900101207'),
      communityCode: '640105001001',
      postTitle: '网格员',
      serviceStartedOn: '2020-03-01',
      hiredOn: '2020-03-01',
      educationLevel: '大专',
      certificateLevel: '社会工作师',
      certificateDate: '2026-09-11',
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const sept = await admin.get(`/api/pay/workers/${w.body.id}?month=2026-09`);
    expect(sept.body.line).toMatchObject({ grade: 2, payableFen: 240000 });
    expect(sept.body.explanation.value.parts).toBeUndefined();
    const oct = await admin.get(`/api/pay/workers/${w.body.id}?month=2026-10`);
    expect(oct.body.line).toMatchObject({ grade: 4, payableFen: 260000 });
    // The other reading (a test edit choosing by-days): September (30 days) is split at the
    // 11th: 2400 × 10/30 = 800.00; (2400×10 + 2600×20)/30 = 2533.333… → 2533.33, so 1733.33.
    services.policies = await editedPolicies('yinchuan-2018', (text) =>
      text.replace(
        '    chosen: next-month\n    reason: (十六) 只说',
        '    chosen: by-days\n    reason: (十六) 只说',
      ),
    );
    try {
      const { runId, lines } = await sheetOf(admin, '640105001000', '2026-09');
      const line = lines.find((l: TLine) => l.workerId === w.body.id);
      expect(line).toMatchObject({
        grade: 2,
        monthlyFen: 240000,
        paidDays: 30,
        payableFen: 253333,
      });
      const why = await admin.get(`/api/pay/runs/${runId}/lines/${w.body.id}/explain`);
      expect(
        why.body.value.parts.map((p: Record<string, unknown>) => [
          p.from,
          p.to,
          p.grade,
          p.payableFen,
        ]),
      ).toEqual([
        ['2026-09-01', '2026-09-10', 2, 80000],
        ['2026-09-11', '2026-09-30', 4, 173333],
      ]);
      expect(why.body.value.parts[1].changes).toMatchObject([
        { kind: 'record', name: 'certificate', after: '社会工作师（2026-09-11取得）' },
      ]);
    } finally {
      services.policies = shippedPolicies;
    }
  });

  it('pays an education change from its effective month: months before it keep the old education', async () => {
    // 网格员 (其他人员) since March 2020: 6年 → 2级 1.20, 2400元; 本科 recognised: +1 → 3级 1.25,
    // 2500元 (004 职业化 (十七)「本科提高1级」、附件). The change is recorded on 15 October 2026: a
    // month is evaluated on its first day, so October stays at 大专 and November is 本科. A
    // further change (硕士, from 1 January 2027) entered now leaves 2026 alone.
    const w = await admin.post('/api/workers', {
      name: '测试学历提升',
      idNumber: idNumber('64010519900101208'),
      communityCode: '640105001001',
      postTitle: '网格员',
      serviceStartedOn: '2020-03-01',
      hiredOn: '2020-03-01',
      educationLevel: '大专',
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const up = await admin.patch(`/api/workers/${w.body.id}`, {
      version: 1,
      educationLevel: '本科',
      effectiveOn: '2026-10-15',
      reason: '取得本科学历',
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const detail = await admin.get(`/api/workers/${w.body.id}`);
    expect(detail.body.archive).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'education',
          startOn: '2026-10-15',
          data: expect.objectContaining({
            level: '本科',
            previous: expect.objectContaining({ level: '大专', recognised: true }),
          }),
        }),
      ]),
    );
    const payOf = async (month: string) =>
      (await admin.get(`/api/pay/workers/${w.body.id}?month=${month}`)).body.line;
    expect(await payOf('2026-10')).toMatchObject({ grade: 2, payableFen: 240000 });
    expect(await payOf('2026-11')).toMatchObject({ grade: 3, payableFen: 250000 });
    // A recomputed sheet of October (after the change was entered) still pays 大专.
    const { lines } = await sheetOf(admin, '640105001000', '2026-10');
    expect(lines.find((l: TLine) => l.workerId === w.body.id)).toMatchObject({
      grade: 2,
      payableFen: 240000,
    });
    const again = await admin.patch(`/api/workers/${w.body.id}`, {
      version: up.body.version,
      educationLevel: '硕士',
      effectiveOn: '2027-01-01',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(await payOf('2026-10')).toMatchObject({ grade: 2 });
    expect(await payOf('2026-12')).toMatchObject({ grade: 3, payableFen: 250000 });
    expect((await payOf('2027-01')).grade).toBeGreaterThan(3);
  });

  it('pays a certificate upgrade from its day: months before it keep the certificate held then', async () => {
    // 网格员 (其他人员) since March 2020: 6年 → 2级; 助理社会工作师 since 2022: +1 → 3级 1.25,
    // 2500元; 社会工作师 obtained 11 September 2026, entered in December: +2 → 4级 1.30, 2600元
    // (004 职业化 (十七)、附件). 银川 counts it from the next month (certificateMonth): August and
    // September keep the 助理 bump (before this change both lost every bump: the record only
    // held the new certificate with its later day), October has the new one.
    const w = await admin.post('/api/workers', {
      name: '测试证书晋级',
      idNumber: idNumber('64010519900101209'),
      communityCode: '640105001001',
      postTitle: '网格员',
      serviceStartedOn: '2020-03-01',
      hiredOn: '2020-03-01',
      educationLevel: '大专',
      certificateLevel: '助理社会工作师',
      certificateDate: '2022-01-01',
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const up = await admin.patch(`/api/workers/${w.body.id}`, {
      version: 1,
      certificateLevel: '社会工作师',
      certificateDate: '2026-09-11',
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const payOf = async (month: string) =>
      (await admin.get(`/api/pay/workers/${w.body.id}?month=${month}`)).body;
    expect((await payOf('2026-08')).line).toMatchObject({ grade: 3, payableFen: 250000 });
    const sept = await payOf('2026-09');
    expect(sept.line).toMatchObject({ grade: 3, payableFen: 250000 });
    expect(JSON.stringify(sept.explanation)).toContain('当日持助理社会工作师证书，提高1级');
    expect((await payOf('2026-10')).line).toMatchObject({ grade: 4, payableFen: 260000 });
    const detail = await admin.get(`/api/workers/${w.body.id}`);
    expect(
      detail.body.archive
        .filter((i: { kind: string }) => i.kind === 'certificate')
        .map((i: { startOn: string; data: unknown }) => [i.startOn, i.data]),
    ).toEqual([
      [
        '2026-09-11',
        {
          level: '社会工作师',
          on: '2026-09-11',
          previous: { level: '助理社会工作师', on: '2022-01-01' },
        },
      ],
    ]);
  });

  it('stores the parts of every split line, adding up to its amount to the fen', async () => {
    // The sheets computed above with split months (September, October and November 2026,
    // January 2025).
    const rows = await queryRows<{ payableFen: string; oneOffFen: string; parts: unknown }>(
      services.database.db,
      sql`select payable_fen::text as "payableFen", one_off_fen::text as "oneOffFen", parts
          from pay_line where parts is not null`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) {
      const parts = r.parts as { payableFen: number; paidDays: number }[];
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.reduce((s, p) => s + p.payableFen, 0) + Number(r.oneOffFen)).toBe(
        Number(r.payableFen),
      );
    }
    // A month of one part stores none.
    const one = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from pay_line where parts is null and status = 'ok'`,
    );
    expect(one[0]?.n).toBeGreaterThan(0);
  });

  it('names the reason when a pack cannot give a worker pay (未核定)', async () => {
    const wz = createClient(services);
    await seedUser(services, { username: 'wz', role: 'civil-affairs-admin', orgCode: '330300' });
    await wz.login('wz', TEST_PASSWORD);
    const { detail, lines } = await sheetOf(wz, '330302001000', '2026-07');
    const open = lines.filter((l: TLine) => l.status === 'open');
    expect(open.length).toBe(lines.length);
    // 温州 needs 起始等级 and 城镇常住居民人均可支配收入 the documents do not give.
    for (const l of open) expect(l.reason).toMatch(/entryGrade|人均可支配收入|岗位类别不含/);
    expect(detail.body.run.totalFen).toBe(0);
  });

  it('keeps a street admin to the street', async () => {
    const other = await street.post('/api/pay/runs/compute', {
      org: '640105001000',
      month: '2026-07',
    });
    expect(other.status).toBe(404);
  });
});

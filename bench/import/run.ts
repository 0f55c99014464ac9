// Import of 100,000 worker rows (.xlsx through the whole pipeline: streaming read, shared-schema
// checks, encryption, COPY into staging, set-based upsert with archive and audit rows) against
// a COPY of the same rows, already encrypted, as CSV into the same `worker` table in the same
// run. Prints the ratio and the peak RSS, on PGlite and (with DATABASE_URL) on PostgreSQL.
//
//   node --import tsx bench/import/run.ts [rows]
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/import/run.ts
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadPolicyRegistry } from '@shegong/policy';
import { loadConfig, systemActor, type TServices } from '@shegong/server';
import { openAuditBulk, type TCreatedRecord } from '@shegong/server/audit/audit.ts';
import { ensureRootOrg } from '@shegong/server/bootstrap.ts';
import { openDatabase, runMigrations, type TDatabase } from '@shegong/server/db/client.ts';
import { loadDemo } from '@shegong/server/demo/load-demo.ts';
import { createLogger } from '@shegong/server/logger.ts';
import { copyInto } from '@shegong/server/modules/excel/copy.ts';
import {
  newWorkerSnapshotValues,
  SNAPSHOT_COLUMNS,
} from '@shegong/server/modules/excel/import-workers.ts';
import { readRecords } from '@shegong/server/modules/excel/parse-file.ts';
import { readRows } from '@shegong/server/modules/excel/read-sheet.ts';
import { createImportBatch, runImport } from '@shegong/server/modules/excel/run-import.ts';
import { createFieldCrypto } from '@shegong/server/security/field-crypto.ts';
import { newId } from '@shegong/server/security/ids.ts';
import {
  IMPORT_SPECS,
  idNumberCheckChar,
  maskIdNumber,
  maskPhone,
  ROLE_PERMISSIONS,
} from '@shegong/shared';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import pg from 'pg';

const ROWS = Number(process.argv[2] ?? 100_000);

type TRow = { name: string; id: string; phone: string; community: string; start: string };

const rowsOf = (n: number, communities: string[]): TRow[] =>
  Array.from({ length: n }, (_, i) => {
    // Distinct numbers: 1,000 sequence numbers per birth date, 600 birth dates per region.
    const d = Math.floor(i / 1000) % 600;
    const birth = `${1960 + (d % 50)}${String(1 + Math.floor(d / 50)).padStart(2, '0')}15`;
    const region = ['110105', '110106', '110108'][Math.floor(i / 600_000) % 3];
    const id17 = `${region}${birth}${String(i % 1000).padStart(3, '0')}`;
    return {
      name: `测试${i}`,
      id: id17 + idNumberCheckChar(id17),
      phone: `139${String(i).padStart(8, '0')}`,
      community: communities[i % communities.length]!,
      start: `20${10 + (i % 14)}-0${1 + (i % 9)}-01`,
    };
  });

const buildXlsx = async (rows: TRow[]) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const ws = wb.addWorksheet('花名册');
  ws.columns = ['姓名', '身份证号', '手机号', '学历', '社区代码', '职务', '参加社区工作时间'].map(
    (h) => ({ header: h, style: { numFmt: '@' } }),
  );
  for (const r of rows)
    ws.addRow([r.name, r.id, r.phone, '本科', r.community, '网格员', r.start]).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
};

const services = async (database: TDatabase): Promise<TServices> => ({
  config: loadConfig({ LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: '/tmp/shegong-bench-import' }),
  database,
  log: createLogger('silent'),
  crypto: createFieldCrypto(crypto.randomBytes(32)),
  policies: await loadPolicyRegistry(path.resolve(import.meta.dirname, '../../policies')),
});

// Time spent per phase of runImport (read → check → write), from its progress reports.
let marks: [string, number][] = [];
const phases = () => {
  marks = [['start', performance.now()]];
  return (p: { phase: string }) => {
    if (marks.at(-1)![0] !== p.phase) marks.push([p.phase, performance.now()]);
  };
};
const phaseLog = () => {
  const end = performance.now();
  return marks
    .map(([name, at], i) => `${name} ${(((marks[i + 1]?.[1] ?? end) - at) / 1000).toFixed(1)} s`)
    .join(', ');
};

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

// CPU ms per thread of this process, from /proc (Linux; empty elsewhere). The threads present
// when the bench starts are the main thread and V8's helper threads (concurrent compilers and
// GC); threads started later are libuv's pool and the import's worker threads.
const startupThreads = new Set(threadIds());
function threadIds(): string[] {
  try {
    return fs.readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}
const threadCpu = () => {
  const cpu = new Map<string, number>();
  for (const tid of threadIds()) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    // utime and stime in clock ticks (100 a second on Linux)
    cpu.set(tid, (Number(f[11]) + Number(f[12])) * 10);
  }
  return cpu;
};
const threadLog = (before: Map<string, number>, after: Map<string, number>) => {
  const main = String(process.pid);
  let helpers = 0;
  const later: string[] = [];
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === main) continue;
    if (startupThreads.has(tid)) helpers += used;
    else if (used > 0) later.push(`${tid} ${used}`);
  }
  const mainMs = (after.get(main) ?? 0) - (before.get(main) ?? 0);
  return `main ${mainMs} ms, V8 helpers ${helpers} ms, later threads (tid ms) ${later.join(', ') || 'none'}`;
};

/**
 * CPU seconds used so far by the PostgreSQL backends of this database (on this host, from
 * /proc; undefined where that cannot be read): the server's share of a load, which the wall
 * time of a busy machine hides.
 */
const pgCpu = async (database: TDatabase): Promise<Map<number, number> | undefined> => {
  if (database.kind !== 'postgres') return undefined;
  const pids = (
    (await database.db.execute(
      sql`select pid from pg_stat_activity where datname = current_database()`,
    )) as unknown as { rows: { pid: number }[] }
  ).rows;
  try {
    return new Map(
      pids.map(({ pid }) => {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
        return [pid, (Number(fields[11]) + Number(fields[12])) / 100];
      }),
    );
  } catch {
    return undefined;
  }
};
const pgCpuSince = async (database: TDatabase, before: Map<number, number> | undefined) => {
  const now = await pgCpu(database);
  if (!before || !now) return undefined;
  let s = 0;
  for (const [pid, t] of now) s += t - (before.get(pid) ?? 0);
  return s;
};

const measure = async (label: string, database: TDatabase) => {
  await runMigrations(database);
  const s = await services(database);
  await ensureRootOrg(s);
  await loadDemo(database, s.crypto, { workers: 200, seed: 7 });
  const { db } = database;
  const orgs = new Map(
    (
      (await db.execute(sql`select code, path, county_code from org`)) as unknown as {
        rows: { code: string; path: string; county_code: string }[];
      }
    ).rows.map((r) => [r.code, r]),
  );
  const communities = [...orgs.keys()]
    .filter((c) => /^6401\d{8}$/.test(c) && !c.endsWith('000'))
    .slice(0, 8);
  let rows: TRow[] | undefined = rowsOf(ROWS, communities);
  if (new Set(rows.map((r) => r.id)).size !== rows.length) throw new Error('duplicate ids');
  const file = await buildXlsx(rows);
  console.log(`file: ${rows.length} rows, ${(file.length / 1024 / 1024).toFixed(1)} MB .xlsx`);
  // Baseline: the same rows, encrypted beforehand, as one COPY … CSV into `worker`. Preparing
  // them (2 encryptions, 2 blind indexes, masks a row) is timed as the cost of the crypto.
  let t = performance.now();
  let cpu0 = process.cpuUsage();
  let copyRows: unknown[][] | undefined = rows.map((r) => {
    const o = orgs.get(r.community)!;
    return [
      newId(),
      r.name,
      s.crypto.encrypt(r.id),
      s.crypto.blindIndex(r.id),
      maskIdNumber(r.id),
      `${r.id.slice(6, 10)}-${r.id.slice(10, 12)}-${r.id.slice(12, 14)}`,
      Number(r.id[16]) % 2 ? '男' : '女',
      s.crypto.encrypt(r.phone),
      s.crypto.blindIndex(r.phone),
      maskPhone(r.phone),
      '本科',
      r.start,
      r.community,
      o.path,
      o.county_code,
      '网格员',
      r.start,
    ];
  });
  const cols = [
    'id',
    'name',
    'id_number_cipher',
    'id_number_hash',
    'id_number_masked',
    'birth_date',
    'sex',
    'phone_cipher',
    'phone_hash',
    'phone_masked',
    'education_level',
    'service_started_on',
    'community_code',
    'org_path',
    'county_code',
    'post_title',
    'hired_on',
  ];
  const cryptoMs = performance.now() - t;
  const cryptoCpu = cpuMs(cpu0);
  let pg0 = await pgCpu(database);
  const copyCpu0 = process.cpuUsage();
  t = performance.now();
  await db.transaction(async (tx) =>
    copyInto(database, tx as never, 'worker', cols, copyRows as never),
  );
  const copyMs = performance.now() - t;
  const copyNodeCpu = cpuMs(copyCpu0) / 1000;
  const copyPgCpu = await pgCpuSince(database, pg0);
  // The import starts from the same table, without the baseline's dead rows, and without the
  // bench's own arrays on the heap.
  await db.execute(sql`delete from worker where name like '测试%'`);
  await db.execute(sql`vacuum analyze worker`);
  rows = undefined;
  copyRows = undefined;
  const ctx = {
    db,
    actor: { ...systemActor(), permissions: ROLE_PERMISSIONS['system-admin'] },
    services: s,
    log: s.log,
  };
  // BENCH_PROFILE=<file>: a CPU profile of the first import only (open it in Chrome DevTools).
  const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  pg0 = await pgCpu(database);
  const threads0 = threadCpu();
  t = performance.now();
  const cpu = process.cpuUsage();
  const batch = await createImportBatch(ctx, {
    kind: 'workers',
    orgCode: '640100',
    fileName: 'bench.xlsx',
    file,
  });
  const outcome = await runImport(ctx, batch.id, { onError: 'stop' }, phases());
  const importMs = performance.now() - t;
  // The table's maintenance after a large import (VACUUM (ANALYZE) worker) runs after the
  // answer: timed to its end too, and its CPU counted in the import's.
  await database.settled();
  const settledMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const threads1 = threadCpu();
  const importPgCpu = await pgCpuSince(database, pg0);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.writeFileSync(`${process.env.BENCH_PROFILE}.${label}.cpuprofile`, JSON.stringify(profile));
    profiler.disconnect();
  }
  // CPU of this process (parsing, checks, encryption, hashing; its threads too), and of the
  // database's backends: what contention cannot hide. On a machine busy with other work the
  // wall time follows the CPU used more than the overlap of the two.
  const importNodeCpu = (used.user + used.system) / 1e6;
  console.log(`  phases: ${phaseLog()}; Node CPU ${importNodeCpu.toFixed(1)} s`);
  console.log(`  threads: ${threadLog(threads0, threads1)}`);
  if (importPgCpu !== undefined && copyPgCpu !== undefined) {
    const cpuRatio = (importNodeCpu + importPgCpu) / (copyNodeCpu + copyPgCpu);
    console.log(
      `  CPU: import ${importNodeCpu.toFixed(1)} s Node + ${importPgCpu.toFixed(1)} s PostgreSQL, COPY ${copyNodeCpu.toFixed(1)} s Node + ${copyPgCpu.toFixed(1)} s PostgreSQL, ratio ${cpuRatio.toFixed(1)}×`,
    );
  }
  if (outcome.counts.created !== ROWS) {
    const { allIssues } = await import('@shegong/server/modules/excel/import.repo.ts');
    console.log((await allIssues(db, batch.id)).slice(0, 3));
    throw new Error(`expected ${ROWS} created, got ${JSON.stringify(outcome.counts)}`);
  }
  t = performance.now();
  const again = await createImportBatch(ctx, {
    kind: 'workers',
    orgCode: '640100',
    fileName: 'bench.xlsx',
    file,
  });
  const second = await runImport(ctx, again.id, { onError: 'stop' }, phases());
  const reimportMs = performance.now() - t;
  console.log(`  re-import phases: ${phaseLog()}`);
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `${label}: ${ROWS} rows — import ${(importMs / 1000).toFixed(1)} s, COPY CSV ${(copyMs / 1000).toFixed(1)} s, ratio ${(importMs / copyMs).toFixed(1)}× (with the vacuum after it ${(settledMs / 1000).toFixed(1)} s, ${(settledMs / copyMs).toFixed(1)}×); re-import (${second.counts.unchanged} unchanged) ${(reimportMs / 1000).toFixed(1)} s; peak RSS ${rss} MB`,
  );
  // Stages of the import measured alone, for the shares of its cost (after the import: the
  // peak RSS above is the import's).
  const stage = async (fn: () => Promise<unknown>) => {
    const at = performance.now();
    cpu0 = process.cpuUsage();
    await fn();
    return `${((performance.now() - at) / 1000).toFixed(1)} s (Node CPU ${(cpuMs(cpu0) / 1000).toFixed(1)} s)`;
  };
  const readMs = await stage(async () => {
    for await (const _ of readRows(file, { fileName: 'bench.xlsx' })) void _;
  });
  const recordsMs = await stage(async () => {
    for await (const _ of readRecords(file, IMPORT_SPECS.workers, {
      fileName: 'bench.xlsx',
      issues: [],
    }))
      void _;
  });
  // Audit rows alone: each new worker's snapshot, in the chunk's snapshot document, and its
  // short row, hashed into the chain and COPY'd, rolled back (as the import writes them).
  const auditMs = await stage(() =>
    db
      .transaction(async (tx) => {
        const audit = await openAuditBulk(database, tx as never);
        const records: TCreatedRecord[] = [];
        const flush = () =>
          audit.addCreated({
            actorId: null,
            actorName: 'bench',
            entity: 'worker',
            reason: 'bench',
            batchId: '0193a000-0000-7000-8000-000000000001',
            columns: SNAPSHOT_COLUMNS,
            records: records.splice(0),
          });
        let row = 1;
        for (const r of rowsOf(ROWS, communities)) {
          const o = orgs.get(r.community)!;
          const id = newId();
          const w = {
            ...{ name: r.name, idNumber: r.id, phone: r.phone, educationLevel: '本科' },
            ...{ postTitle: '网格员', serviceStartedOn: r.start, status: '在职', veteran: false },
            ...{ ethnicity: '汉族', politicalStatus: '群众', educationRecognised: true },
            ...{ certificateLevel: '无', livesInCommunity: false },
          };
          const values = newWorkerSnapshotValues(
            {
              w: w as never,
              birthDate: '1960-01-15',
              sex: '男',
              community: { code: r.community, path: o.path, countyCode: o.county_code } as never,
            },
            '2026-11-23',
          );
          records.push({ entityId: id, orgPath: o.path, row: ++row, values });
          if (records.length === 5000) await flush();
        }
        await flush();
        await audit.end();
        throw new Error('rollback');
      })
      .catch(() => undefined),
  );
  console.log(
    `  stages alone: encrypt + blind-index the rows ${(cryptoMs / 1000).toFixed(1)} s (Node CPU ${(cryptoCpu / 1000).toFixed(1)} s), read xlsx (rows) ${readMs}, read + cells into records ${recordsMs}, audit rows (hash + COPY) ${auditMs}`,
  );
};

// BENCH_DB=pglite or BENCH_DB=pg measures one database only.
const only = process.env.BENCH_DB;
if (only !== 'pg') {
  // On disk, as `npm start` runs it (an in-memory PGlite grows its files by copying).
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-bench-import-'));
  const database = await openDatabase({ kind: 'pglite', dataDir });
  try {
    await measure('PGlite', database);
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
if (process.env.DATABASE_URL && only !== 'pglite') {
  const name = `shegong_bench_import_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  if (process.env.BENCH_EXPLAIN) {
    // Plans of statements slower than BENCH_EXPLAIN ms, with timings, in the server's log.
    await admin.query(`alter database ${name} set session_preload_libraries = 'auto_explain'`);
    await admin.query(
      `alter database ${name} set auto_explain.log_min_duration = ${Number(process.env.BENCH_EXPLAIN)}`,
    );
    await admin.query(`alter database ${name} set auto_explain.log_analyze = on`);
  }
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  try {
    await measure('PostgreSQL', database);
  } finally {
    await database.close();
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}

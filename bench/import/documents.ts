// The audit snapshot documents of a 100,000-row import alone, on PostgreSQL: the same records
// (as the import makes them, `newWorkerSnapshotValues`, 8 communities) written a chunk of 5,000
// at a time by `openAuditBulk().addCreated` in a transaction rolled back, a few rounds; prints
// each round's Node CPU, the backend's CPU (from /proc: the server on this host) and the wall.
//
//   node --import tsx bench/import/documents.ts [rounds]   (DATABASE_URL, default local postgres)
import fs from 'node:fs';
import { openAuditBulk, type TCreatedRecord } from '@shegong/server/audit/audit.ts';
import { openDatabase, runMigrations } from '@shegong/server/db/client.ts';
import {
  newWorkerSnapshotValues,
  SNAPSHOT_COLUMNS,
} from '@shegong/server/modules/excel/import-workers.ts';
import { newId } from '@shegong/server/security/ids.ts';
import { sql } from 'drizzle-orm';
import pg from 'pg';

const ROUNDS = Number(process.argv[2] ?? 6);
const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `shegong_bench_documents_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
const database = await openDatabase({ kind: 'postgres', url: url.toString() });

const backendCpuMs = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

try {
  await runMigrations(database);
  const communities = Array.from({ length: 8 }, (_, i) => ({
    code: `64010${i}001001`,
    countyCode: `64010${i}`,
    path: `/000000/640000/640100/64010${i}/64010${i}001000/64010${i}001001/`,
  }));
  const records: TCreatedRecord[] = [];
  for (let i = 0; i < 100_000; i++) {
    const community = communities[i % 8]!;
    const w = {
      ...{ name: `测试${i}`, idNumber: `11010519600115${String(i % 1000).padStart(3, '0')}X` },
      ...{ phone: `139${String(i).padStart(8, '0')}`, educationLevel: '本科' },
      ...{ postTitle: '网格员', serviceStartedOn: `20${10 + (i % 14)}-0${1 + (i % 9)}-01` },
      ...{ status: '在岗', veteran: false, ethnicity: '汉族', politicalStatus: '群众' },
      ...{ educationRecognised: true, certificateLevel: '无', livesInCommunity: false },
    };
    const values = newWorkerSnapshotValues(
      {
        w: w as never,
        birthDate: `${1960 + (Math.floor(i / 1000) % 50)}-01-15`,
        sex: i % 2 ? '男' : '女',
        community: community as never,
      },
      '2026-11-23',
    );
    records.push({ entityId: newId(), orgPath: community.path, row: i + 2, values });
  }
  for (let round = 0; round < ROUNDS; round++) {
    let backend = 0;
    const cpu = process.cpuUsage();
    const at = performance.now();
    await database.db
      .transaction(async (tx) => {
        const pid = (
          (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
            rows: { pid: number }[];
          }
        ).rows[0]!.pid;
        const before = backendCpuMs(pid);
        const audit = await openAuditBulk(database, tx as never);
        for (let i = 0; i < records.length; i += 5000)
          await audit.addCreated({
            ...{ actorId: null, actorName: 'bench', entity: 'worker', reason: 'bench' },
            batchId: '0193a000-0000-7000-8000-000000000001',
            columns: SNAPSHOT_COLUMNS,
            records: records.slice(i, i + 5000),
          });
        await audit.end();
        backend = backendCpuMs(pid) - before;
        throw new Error('rollback');
      })
      .catch((e: Error) => {
        if (e.message !== 'rollback') throw e;
      });
    const used = process.cpuUsage(cpu);
    console.log(
      `round ${round + 1}: Node CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, PostgreSQL backend ${backend} ms, wall ${(performance.now() - at).toFixed(0)} ms`,
    );
  }
} finally {
  await database.close();
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}

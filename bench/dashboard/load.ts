// Loads national-scale synthetic data (the demo generator: the three demo cities, then synthetic
// cities in the other provinces) into a PostgreSQL database with COPY, then builds the statistics
// rollup. Multi-row INSERTs (shegong demo) take about 15 min per million workers; COPY with the
// secondary indexes dropped and rebuilt afterwards is several times faster.
//
//   node --import tsx bench/dashboard/load.ts [--workers 4500000] [--db shegong_bench]
//   node --import tsx bench/dashboard/load.ts --rollup-only [--db shegong_bench]   (rebuild only)
//
// The database is dropped and created again. Personal data is encrypted as the app does (with the
// fixed key of bench-key.ts: the data is synthetic). The archive is not loaded (the dashboard never
// reads it).
import type { Writable } from 'node:stream';
import { maskIdNumber, maskPhone } from '@shegong/shared';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase, runMigrations } from '../../packages/server/src/db/client.ts';
import { generateDemo } from '../../packages/server/src/demo/generate-demo.ts';
import { rebuildStatRollup } from '../../packages/server/src/modules/stats/stat-maintenance.ts';
import { createFieldCrypto } from '../../packages/server/src/security/field-crypto.ts';
import { newId } from '../../packages/server/src/security/ids.ts';
import { BENCH_DATA_KEY } from './bench-key.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] as string) : fallback;
};
const workers = Number(flag('--workers', '4500000'));
const dbName = flag('--db', 'shegong_bench');
const pgBase = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const url = `${pgBase}/${dbName}`;

const log = (message: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** A value in COPY text format. */
const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
};
const line = (values: unknown[]) => `${values.map(cell).join('\t')}\n`;

const COLUMNS = {
  org: ['code', 'parent_code', 'level', 'name', 'path', 'pack_id', 'county_code', 'sort'],
  org_fact: [
    'id',
    'org_code',
    'county_code',
    'effective_from',
    'households_registered',
    'households_resident',
    'population',
    'kind',
    'star_rating',
  ],
  worker: [
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
    'ethnicity',
    'political_status',
    'education_level',
    'education_major',
    'education_recognised',
    'certificate_level',
    'certificate_date',
    'veteran',
    'lives_in_community',
    'service_started_on',
    'prior_service',
    'status',
    'community_code',
    'grid_code',
    'org_path',
    'county_code',
    'post_title',
    'hired_on',
    'probation_until',
    'exited_on',
  ],
} as const;
type TTable = keyof typeof COLUMNS;

const openCopy = async (table: TTable) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const stream = client.query(
    copyFrom(`copy ${table} (${COLUMNS[table].join(', ')}) from stdin`),
  ) as Writable;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let buffer = '';
  return {
    push: async (text: string) => {
      buffer += text;
      if (buffer.length < 1 << 20) return;
      const chunk = buffer;
      buffer = '';
      if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
    },
    end: async () => {
      if (buffer) stream.write(buffer);
      stream.end();
      await done;
      await client.end();
    },
  };
};

const buildRollup = async (database: Awaited<ReturnType<typeof openDatabase>>, t0: number) => {
  const pool = database.pool as pg.Pool;
  const t2 = performance.now();
  let last = 0;
  const result = await rebuildStatRollup(database.db, (done, total) => {
    if (done - last >= 200 || done === total) {
      last = done;
      log(`rollup: ${done}/${total} counties`);
    }
  });
  log(
    `rollup built: ${result.rows.toLocaleString('en')} rows from ${result.workers.toLocaleString('en')} workers in ${seconds(t2)} s`,
  );
  // Sets the visibility map as autovacuum would after a while (index-only scans).
  await pool.query('vacuum analyze stat_rollup');
  const size = await pool.query<{ db: string; rollup: string }>(
    `select pg_size_pretty(pg_database_size(current_database())) as db,
            pg_size_pretty(pg_total_relation_size('stat_rollup')) as rollup`,
  );
  log(
    `database size ${size.rows[0]?.db}, of which stat_rollup ${size.rows[0]?.rollup}; total ${seconds(t0)} s`,
  );
};

const main = async () => {
  const t0 = performance.now();
  if (args.includes('--rollup-only')) {
    const database = await openDatabase({ kind: 'postgres', url, max: 2 });
    await buildRollup(database, t0);
    await database.close();
    return;
  }
  const admin = new pg.Client({ connectionString: `${pgBase}/postgres` });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const database = await openDatabase({ kind: 'postgres', url, max: 2 });
  await runMigrations(database);
  const pool = database.pool as pg.Pool;
  // Secondary indexes are rebuilt after the load (a bulk load's usual order).
  const indexes = (
    await pool.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes
       where tablename in ('org', 'org_fact', 'worker') and indexname not in (
         select conname from pg_constraint where contype = 'p')`,
    )
  ).rows;
  for (const i of indexes) await pool.query(`drop index ${i.name}`);
  log(`database ${dbName} ready; loading ${workers.toLocaleString('en')} workers`);

  const fieldCrypto = createFieldCrypto(Buffer.from(BENCH_DATA_KEY, 'base64'));
  const copies = {
    org: await openCopy('org'),
    org_fact: await openCopy('org_fact'),
    worker: await openCopy('worker'),
  };
  let loaded = 0;
  let orgs = 0;
  let lastReport = 0;
  for (const batch of generateDemo({ workers })) {
    let text = '';
    for (const o of batch.orgs) {
      text += line([o.code, o.parentCode, o.level, o.name, o.path, o.packId, o.countyCode, o.sort]);
    }
    await copies.org.push(text);
    text = '';
    for (const f of batch.facts) {
      text += line([
        newId(),
        f.orgCode,
        f.countyCode,
        f.effectiveFrom,
        f.householdsRegistered,
        f.householdsResident,
        f.population,
        f.kind,
        f.starRating,
      ]);
    }
    await copies.org_fact.push(text);
    text = '';
    for (const w of batch.workers) {
      text += line([
        w.id,
        w.name,
        fieldCrypto.encrypt(w.idNumber),
        fieldCrypto.blindIndex(w.idNumber),
        maskIdNumber(w.idNumber),
        w.birthDate,
        w.sex,
        fieldCrypto.encrypt(w.phone),
        fieldCrypto.blindIndex(w.phone),
        maskPhone(w.phone),
        w.ethnicity,
        w.politicalStatus,
        w.educationLevel,
        w.educationMajor,
        true,
        w.certificateLevel,
        w.certificateDate,
        w.veteran,
        w.livesInCommunity,
        w.serviceStartedOn,
        w.priorService,
        w.status,
        w.communityCode,
        w.gridCode,
        w.orgPath,
        w.countyCode,
        w.postTitle,
        w.hiredOn,
        w.probationUntil,
        w.exitedOn,
      ]);
    }
    await copies.worker.push(text);
    loaded += batch.workers.length;
    orgs += batch.orgs.length;
    if (loaded - lastReport >= 250_000) {
      lastReport = loaded;
      log(
        `${loaded.toLocaleString('en')} workers, ${orgs.toLocaleString('en')} org nodes (${seconds(t0)} s)`,
      );
    }
  }
  for (const c of Object.values(copies)) await c.end();
  log(
    `copied ${loaded.toLocaleString('en')} workers and ${orgs.toLocaleString('en')} org nodes in ${seconds(t0)} s`,
  );

  const t1 = performance.now();
  for (const i of indexes) await pool.query(i.def);
  await pool.query('analyze');
  log(`indexes rebuilt and analyzed in ${seconds(t1)} s`);

  await buildRollup(database, t0);
  await database.close();
};

await main();

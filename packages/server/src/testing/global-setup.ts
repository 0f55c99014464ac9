import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase, runMigrations } from '../db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDumpFile: string;
    pgTemplate: string;
    pgRunId: string;
  }
}

const tmpDir = path.resolve(import.meta.dirname, '../../../../.tmp');

/** Connection string of another database on the same server. */
export const withDatabase = (url: string, database: string): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

/**
 * Migrates once per run: PGlite → a gzip dump each test file loads (≈1 s instead of a full
 * initdb + migrate); PostgreSQL → a template database each test file clones.
 */
export default async function setup(project: TestProject) {
  // The project's `env` reaches the test workers, not this process: decide by project name.
  const kind = project.name === 'db-pg' ? 'pg' : 'pglite';
  if (kind === 'pg') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('SHEGONG_TEST_DB=pg needs DATABASE_URL');
    const runId = `${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
    const template = `shegong_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const database = await openDatabase({
      kind: 'postgres',
      url: withDatabase(url, template),
      max: 1,
    });
    await runMigrations(database);
    await database.close();
    project.provide('pgTemplate', template);
    project.provide('pgRunId', runId);
    project.provide('pgliteDumpFile', '');
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname = $2`,
        [`shegong_t_${runId}_%`, template],
      );
      for (const row of rows)
        await admin.query(`drop database if exists ${row.datname} with (force)`);
      await admin.end();
    };
  }
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `pglite-migrated-${process.pid}.tar.gz`);
  const database = await openDatabase({ kind: 'pglite' });
  await runMigrations(database);
  const dump = await database.pglite!.dumpDataDir('gzip');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteDumpFile', file);
  project.provide('pgTemplate', '');
  project.provide('pgRunId', '');
  return () => fs.rmSync(file, { force: true });
}

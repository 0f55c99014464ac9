import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPolicyRegistry, type TPolicyRegistry } from '@shegong/policy';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type TConfig } from '../config.ts';
import type { TCtx, TServices } from '../context.ts';
import { openDatabase, type TDatabase } from '../db/client.ts';
import { createLogger } from '../logger.ts';
import { createFieldCrypto } from '../security/field-crypto.ts';
import { withDatabase } from './global-setup.ts';

export type TTestDbKind = 'pglite' | 'pg';
export const testDbKind = (): TTestDbKind =>
  process.env.SHEGONG_TEST_DB === 'pg' ? 'pg' : 'pglite';

/** A fresh, migrated database for one test file: PGlite from the run's dump, or a PG clone. */
export const openTestDatabase = async (): Promise<TDatabase> => {
  if (testDbKind() === 'pg') {
    const url = process.env.DATABASE_URL!;
    const name = `shegong_t_${inject('pgRunId')}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    } finally {
      await admin.end();
    }
    const database = await openDatabase({ kind: 'postgres', url: withDatabase(url, name), max: 4 });
    return {
      ...database,
      close: async () => {
        await database.close();
        const drop = new pg.Client({ connectionString: url });
        await drop.connect();
        await drop.query(`drop database if exists ${name} with (force)`).finally(() => drop.end());
      },
    };
  }
  const dump = fs.readFileSync(inject('pgliteDumpFile'));
  return openDatabase({ kind: 'pglite', loadDataDir: new Blob([dump]) });
};

/** Services over a fresh test database, with a random field key and a throw-away data dir. */
export const createTestServices = async (
  overrides: Record<string, string> = {},
): Promise<TServices> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-test-'));
  const config: TConfig = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    ...overrides,
  });
  const database = await openTestDatabase();
  const close = database.close;
  return {
    config,
    database: {
      ...database,
      close: async () => {
        await close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    },
    log: createLogger('silent'),
    crypto: createFieldCrypto(crypto.randomBytes(32)),
    policies: await testPolicies(),
  };
};

let policies: Promise<TPolicyRegistry> | undefined;
/** The repository's policy packs, loaded once per test process. */
export const testPolicies = (): Promise<TPolicyRegistry> => {
  policies ??= loadPolicyRegistry(path.resolve(import.meta.dirname, '../../../../policies'));
  return policies;
};

export const ctxFor = (services: TServices, actor: TCtx['actor']): TCtx => ({
  db: services.database.db,
  actor,
  services,
  log: services.log,
});

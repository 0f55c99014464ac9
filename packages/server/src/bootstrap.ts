import fs from 'node:fs';
import path from 'node:path';
import { loadPolicyRegistry } from '@shegong/policy';
import { eq, sql } from 'drizzle-orm';
import { setAuditHashSuite } from './audit/audit.ts';
import type { TConfig } from './config.ts';
import { systemActor, type TServices } from './context.ts';
import { openDatabase, runMigrations, type TDatabase } from './db/client.ts';
import { appUser, org } from './db/schema/index.ts';
import { DEMO_ROOT } from './demo/demo-structure.ts';
import { loadDemo } from './demo/load-demo.ts';
import { createLogger, type TLogger } from './logger.ts';
import { createUser } from './modules/auth/create-user.ts';
import { openFieldCrypto } from './security/crypto-state.ts';
import { loadMasterKey } from './security/field-crypto.ts';

/** Opens the configured database (PGlite in DATA_DIR unless DATABASE_URL is set). */
export const openConfiguredDatabase = (config: TConfig, log?: TLogger): Promise<TDatabase> =>
  config.DATABASE_URL
    ? openDatabase({
        kind: 'postgres',
        url: config.DATABASE_URL,
        max: config.DB_POOL_MAX,
        maxCancels: config.DB_CANCEL_MAX_INFLIGHT,
        log,
      })
    : openDatabase({ kind: 'pglite', dataDir: config.dataDir });

/** Opens the database, applies migrations and builds the long-lived services. */
export const createServices = async (config: TConfig, log?: TLogger): Promise<TServices> => {
  const logger = log ?? createLogger(config.LOG_LEVEL);
  const database = await openConfiguredDatabase(config, logger);
  try {
    await runMigrations(database);
    const masterKey = loadMasterKey(config.SHEGONG_DATA_KEY, config.dataDir);
    const crypto = await openFieldCrypto(database.db, masterKey, config.CRYPTO_SUITE, logger);
    setAuditHashSuite(config.CRYPTO_SUITE);
    const policies = await loadPolicyRegistry(config.policiesDir);
    return { config, database, log: logger, crypto, policies };
  } catch (error) {
    await database.close();
    throw error;
  }
};

export const ensureRootOrg = async (services: TServices) => {
  const { db } = services.database;
  const rows = await db.select({ code: org.code }).from(org).where(eq(org.code, DEMO_ROOT.code));
  if (rows.length === 0) {
    await db.insert(org).values({
      code: DEMO_ROOT.code,
      parentCode: null,
      level: 'country',
      name: DEMO_ROOT.name,
      path: `/${DEMO_ROOT.code}/`,
      packId: DEMO_ROOT.packId,
      countyCode: null,
    });
  }
};

export type TInitialAdmin = { username: string; password: string; file: string };

/**
 * On first start (no user at all) creates the administrator `admin` with a generated password,
 * returned once and written to `<dataDir>/initial-admin.txt` (mode 0600). No default password.
 */
export const ensureInitialAdmin = async (
  services: TServices,
): Promise<TInitialAdmin | undefined> => {
  const { db } = services.database;
  const count = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(appUser);
  if ((count[0]?.n ?? 0) > 0) return undefined;
  const ctx = { db, actor: systemActor(), services, log: services.log };
  const created = await createUser(ctx, {
    username: 'admin',
    displayName: '系统管理员',
    role: 'system-admin',
    orgCode: DEMO_ROOT.code,
  });
  const file = path.join(services.config.dataDir, 'initial-admin.txt');
  fs.mkdirSync(services.config.dataDir, { recursive: true });
  fs.writeFileSync(
    file,
    `# shegong 初始管理员（首次登录后请修改密码并删除本文件）\nusername=${created.username}\npassword=${created.password}\n`,
    { mode: 0o600 },
  );
  fs.chmodSync(file, 0o600);
  return { username: created.username, password: created.password, file };
};

/** Loads the demo cities when the database has no workers and the demo is enabled. */
export const ensureDemo = async (
  services: TServices,
  onProgress?: (done: number, total: number) => void,
) => {
  const { config, database } = services;
  const enabled = config.DEMO ?? true;
  if (!enabled) return undefined;
  const orgs = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(org);
  if ((orgs[0]?.n ?? 0) > 1) return undefined;
  return loadDemo(database, services.crypto, { workers: config.DEMO_WORKERS }, (p) =>
    onProgress?.(p.workers, p.total),
  );
};

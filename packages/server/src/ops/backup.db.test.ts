import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAudit } from '../audit/audit.ts';
import type { TServices } from '../context.ts';
import { openDatabase, type TDatabase } from '../db/client.ts';
import { appUser } from '../db/schema/index.ts';
import { withDatabase } from '../testing/global-setup.ts';
import { seedDemo, seedUser } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import {
  backupDatabase,
  backupKindOf,
  checkBackupFile,
  restorePglite,
  restorePostgres,
} from './backup.ts';
import { diffFingerprints, tableFingerprints } from './fingerprint.ts';

describe(`backup and restore round trip (${testDbKind()})`, () => {
  let services: TServices;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-backup-'));
  const opened: TDatabase[] = [];
  const createdDbs: string[] = [];
  const adminUrl = process.env.DATABASE_URL ?? '';
  const urlOf = (database: TDatabase) =>
    (database.pool as unknown as { options: { connectionString: string } }).options
      .connectionString;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    if (createdDbs.length) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      for (const name of createdDbs)
        await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    await services.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the restore target: a fresh data dir (PGlite) or a new empty database (PostgreSQL). */
  const restoreTarget = async (file: string, name: string): Promise<TDatabase> => {
    if (testDbKind() === 'pglite') {
      const dataDir = path.join(dir, name);
      await restorePglite(file, dataDir);
      const database = await openDatabase({ kind: 'pglite', dataDir });
      opened.push(database);
      return database;
    }
    const dbName = `${new URL(urlOf(services.database)).pathname.slice(1)}_${name}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    createdDbs.push(dbName);
    const url = withDatabase(adminUrl, dbName);
    await restorePostgres(file, url);
    const database = await openDatabase({ kind: 'postgres', url, max: 2 });
    opened.push(database);
    return database;
  };

  it('restores every table with the same rows and content, and nothing written after the backup', async () => {
    const { db } = services.database;
    const before = await tableFingerprints(db);
    expect(before['public.worker']!.rows).toBeGreaterThanOrEqual(60);
    expect(before['public.audit_log']!.rows).toBeGreaterThan(0);
    expect(before['drizzle.__drizzle_migrations']!.rows).toBeGreaterThan(0);
    const file = path.join(dir, testDbKind() === 'pglite' ? 'b1.tar.gz' : 'b1.dump');
    const manifest = await backupDatabase(services.database, {
      out: file,
      url: testDbKind() === 'pg' ? urlOf(services.database) : undefined,
    });
    expect(manifest.tables).toEqual(before);
    expect(manifest.kind).toBe(testDbKind() === 'pg' ? 'postgres' : 'pglite');
    expect(backupKindOf(file)).toBe(manifest.kind);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await checkBackupFile(file)).toEqual(manifest);

    // Changes after the backup are not in it.
    await db.transaction((tx) =>
      writeAudit(tx, {
        actorId: null,
        actorName: 't',
        action: 'after-backup',
        entity: 'e',
        entityId: '1',
      }),
    );
    await db
      .update(appUser)
      .set({ displayName: '改过的名字' })
      .where(eq(appUser.username, 'admin'));
    const changed = await tableFingerprints(db);
    expect(
      diffFingerprints(before, changed)
        .map((d) => d.table)
        .sort(),
    ).toEqual(['public.app_user', 'public.audit_log']);

    const restored = await restoreTarget(file, 'r1');
    expect(diffFingerprints(manifest.tables, await tableFingerprints(restored.db))).toEqual([]);
  });

  it('replaces the data of a target that already has some, keeping the old data aside (PGlite)', async () => {
    const file = path.join(dir, testDbKind() === 'pglite' ? 'b2.tar.gz' : 'b2.dump');
    const manifest = await backupDatabase(services.database, {
      out: file,
      url: testDbKind() === 'pg' ? urlOf(services.database) : undefined,
    });
    if (testDbKind() === 'pglite') {
      const dataDir = path.join(dir, 'r2');
      await restorePglite(file, dataDir);
      const first = await openDatabase({ kind: 'pglite', dataDir });
      await first.db.update(appUser).set({ displayName: 'x' });
      await first.close();
      const { previous } = await restorePglite(file, dataDir);
      expect(previous && fs.existsSync(previous)).toBe(true);
      const again = await openDatabase({ kind: 'pglite', dataDir });
      opened.push(again);
      expect(diffFingerprints(manifest.tables, await tableFingerprints(again.db))).toEqual([]);
    } else {
      const target = await restoreTarget(file, 'r2');
      await target.db.update(appUser).set({ displayName: 'x' });
      await restorePostgres(file, urlOf(target));
      expect(diffFingerprints(manifest.tables, await tableFingerprints(target.db))).toEqual([]);
    }
  });

  it('refuses a damaged backup file and a file that is not a backup', async () => {
    const file = path.join(dir, 'b3.bin');
    await backupDatabase(services.database, {
      out: file,
      url: testDbKind() === 'pg' ? urlOf(services.database) : undefined,
    });
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expect(checkBackupFile(file)).rejects.toThrow(/SHA-256 与清单不符/);
    const junk = path.join(dir, 'junk.txt');
    fs.writeFileSync(junk, 'hello');
    expect(() => backupKindOf(junk)).toThrow(/不是 shegong 备份文件/);
  });

  it.runIf(testDbKind() === 'pglite')(
    'refuses to restore into a data directory a server holds',
    async () => {
      const dataDir = path.join(dir, 'busy');
      fs.mkdirSync(dataDir, { recursive: true });
      // The lock of a live server process (here: the parent of this test process).
      fs.writeFileSync(path.join(dataDir, 'shegong.lock'), `${process.ppid}\n`);
      const file = path.join(dir, 'b4.tar.gz');
      await backupDatabase(services.database, { out: file });
      await expect(restorePglite(file, dataDir)).rejects.toThrow(/正被另一个进程/);
      expect(fs.existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
    },
  );
});

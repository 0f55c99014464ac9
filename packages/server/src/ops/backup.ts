import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '@shegong/shared';
import type { TDatabase } from '../db/client.ts';
import { acquireDirLock } from '../db/dir-lock.ts';
import { readCryptoState } from '../security/crypto-state.ts';
import { type TTableFingerprint, tableFingerprints } from './fingerprint.ts';

export type TBackupKind = 'pglite' | 'postgres';

/** Written beside a backup as `<file>.json`: what it holds, to check a restore against. */
export type TBackupManifest = {
  format: 'shegong-backup-1';
  kind: TBackupKind;
  createdAt: string;
  file: string;
  bytes: number;
  sha256: string;
  /** Check value of the master key the data is encrypted under (not the key itself). */
  keyCheck: string | null;
  indexSuite: string | null;
  tables: Record<string, TTableFingerprint>;
};

export const manifestPath = (file: string) => `${file}.json`;

const sha256File = async (file: string): Promise<string> => {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/** Runs a PostgreSQL client program; its stderr becomes the Chinese error's detail. */
const runTool = (command: string, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (error) =>
      reject(
        new AppError(
          'INTERNAL',
          `无法运行 ${command}（是否已安装 PostgreSQL 客户端？）：${error.message}`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new AppError(
              'INTERNAL',
              `${command} 失败（退出码 ${code}）：${stderr.trim().slice(-800)}`,
            ),
          ),
    );
  });

/**
 * Backs up the whole database to one file and writes its manifest. PGlite: `dumpDataDir` of the
 * open instance (a gzip tar of the data directory) — the caller holds the data-dir lock, so no
 * server is writing. PostgreSQL: `pg_dump --format=custom`, a consistent snapshot taken while the
 * servers keep running.
 */
export const backupDatabase = async (
  database: TDatabase,
  options: { out: string; url?: string },
): Promise<TBackupManifest> => {
  const out = path.resolve(options.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.part`;
  const tables = await tableFingerprints(database.db);
  const state = await readCryptoState(database.db);
  try {
    if (database.kind === 'pglite') {
      const dump = await database.pglite!.dumpDataDir('gzip');
      fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    } else {
      if (!options.url) throw new AppError('CONFIG_INVALID', 'PostgreSQL 备份需要 DATABASE_URL');
      await runTool('pg_dump', [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${tmp}`,
        `--dbname=${options.url}`,
      ]);
      fs.chmodSync(tmp, 0o600);
    }
    fs.renameSync(tmp, out);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  const manifest: TBackupManifest = {
    format: 'shegong-backup-1',
    kind: database.kind,
    createdAt: new Date().toISOString(),
    file: path.basename(out),
    bytes: fs.statSync(out).size,
    sha256: await sha256File(out),
    keyCheck: state?.keyCheck ?? null,
    indexSuite: state?.indexSuite ?? null,
    tables,
  };
  fs.writeFileSync(manifestPath(out), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
};

/** The kind of a backup file, from its first bytes (gzip → PGlite, PGDMP → pg_dump custom). */
export const backupKindOf = (file: string): TBackupKind => {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(5);
  fs.readSync(fd, head, 0, 5, 0);
  fs.closeSync(fd);
  if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  if (head.toString('latin1') === 'PGDMP') return 'postgres';
  throw new AppError(
    'BAD_REQUEST',
    `${path.basename(file)} 不是 shegong 备份文件（PGlite 或 pg_dump 格式）`,
    {
      where: { file },
    },
  );
};

/** Reads and checks the manifest beside a backup (when present): size and SHA-256 must match. */
export const checkBackupFile = async (file: string): Promise<TBackupManifest | undefined> => {
  if (!fs.existsSync(file))
    throw new AppError('NOT_FOUND', `备份文件 ${file} 不存在`, { where: { file } });
  const mpath = manifestPath(file);
  if (!fs.existsSync(mpath)) return undefined;
  const manifest = JSON.parse(fs.readFileSync(mpath, 'utf8')) as TBackupManifest;
  if (manifest.sha256 !== (await sha256File(file))) {
    throw new AppError('CONFLICT', '备份文件的 SHA-256 与清单不符：文件损坏或被修改', {
      where: { file },
    });
  }
  return manifest;
};

/**
 * Restores a PGlite backup into `<dataDir>/pgdata`. Holds the data-dir lock (no server may run);
 * the backup is unpacked beside the current data and swapped in only once it opens cleanly; the
 * data it replaces is kept as `pgdata.before-restore-<time>`.
 */
export const restorePglite = async (
  file: string,
  dataDir: string,
): Promise<{ previous: string | undefined }> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = acquireDirLock(dataDir);
  try {
    const staging = path.join(dataDir, 'pgdata.restoring');
    fs.rmSync(staging, { recursive: true, force: true });
    const pglite = await PGlite.create({
      dataDir: staging,
      loadDataDir: new Blob([fs.readFileSync(file)]),
    });
    await pglite.query('select 1');
    await pglite.close();
    const live = path.join(dataDir, 'pgdata');
    let previous: string | undefined;
    if (fs.existsSync(live)) {
      previous = path.join(
        dataDir,
        `pgdata.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      );
      fs.renameSync(live, previous);
    }
    fs.renameSync(staging, live);
    return { previous };
  } finally {
    lock.release();
  }
};

/**
 * Restores a pg_dump backup into the database at `url` in one transaction (`--clean --if-exists`:
 * the dump's tables replace the existing ones). Stop the servers first.
 */
export const restorePostgres = (file: string, url: string): Promise<void> =>
  runTool('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    `--dbname=${url}`,
    file,
  ]);

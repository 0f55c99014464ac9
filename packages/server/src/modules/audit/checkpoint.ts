import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AppError } from '@shegong/shared';
import { asc, desc, gt } from 'drizzle-orm';
import {
  auditHash,
  checkpointPayload,
  GENESIS_HASH,
  hashSuiteOf,
  type TCheckpointRow,
  verifyAuditChain,
} from '../../audit/audit.ts';
import type { TExecutor } from '../../db/client.ts';
import { auditCheckpoint, auditLog } from '../../db/schema/index.ts';
import type { TFieldCrypto } from '../../security/field-crypto.ts';
import { newId } from '../../security/ids.ts';

const insertCheckpoint = async (
  db: TExecutor,
  fc: TFieldCrypto,
  cp: Omit<TCheckpointRow, 'id' | 'signature' | 'createdAt'>,
): Promise<TCheckpointRow> => {
  const row = { ...cp, id: newId(), createdAt: new Date().toISOString() };
  const full = { ...row, signature: fc.sign(checkpointPayload(row)) };
  await db.insert(auditCheckpoint).values(full);
  return full;
};

export const listCheckpoints = (db: TExecutor) =>
  db.select().from(auditCheckpoint).orderBy(asc(auditCheckpoint.throughSeq));

/**
 * Seals the head of the chain: a signed checkpoint of the last row, after verifying the whole
 * chain. Run daily (cron): a chain rewritten later by someone without the key no longer passes
 * through the sealed hash.
 */
export const sealAudit = async (db: TExecutor, fc: TFieldCrypto, createdBy: string) => {
  const check = await verifyAuditChain(db, { crypto: fc });
  if (!check.ok) throw new AppError('CONFLICT', `无法封存：${check.message}`);
  const last = (await db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0];
  if (!last) throw new AppError('CONFLICT', '审计日志为空，无需封存');
  return insertCheckpoint(db, fc, {
    kind: 'seal',
    throughSeq: last.seq,
    throughHash: last.hash,
    throughAt: new Date(last.at).toISOString(),
    rowCount: check.count,
    fileName: null,
    fileSha256: null,
    createdBy,
  });
};

export type TArchiveResult = {
  file: string;
  rows: number;
  fromSeq: number;
  throughSeq: number;
  sha256: string;
  checkpoint: TCheckpointRow;
};

/**
 * Exports the audit rows older than the retention window (and not yet archived) to a gzip JSON
 * Lines file, verifying their chain on the way, and records a signed `archive` checkpoint with
 * the file's SHA-256 and the last hash. Nothing is deleted: removing archived rows from the
 * database is a separate, documented DBA step, after which the chain verifies from the
 * checkpoint. Rows inside the retention window cannot be archived.
 */
export const archiveAudit = async (
  db: TExecutor,
  fc: TFieldCrypto,
  options: {
    out: string;
    retentionDays: number;
    /** Archive only rows at or before this instant (default: the retention boundary). */
    through?: Date;
    createdBy: string;
    now?: Date;
  },
): Promise<TArchiveResult> => {
  const now = options.now ?? new Date();
  const boundary = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const through = options.through ?? boundary;
  if (through.getTime() > boundary.getTime()) {
    throw new AppError(
      'VALIDATION_FAILED',
      `审计记录须保留至少 ${options.retentionDays} 天：只能归档 ${boundary.toISOString().slice(0, 10)} 之前的记录`,
      { where: { field: 'through' } },
    );
  }
  const check = await verifyAuditChain(db, { crypto: fc });
  if (!check.ok) throw new AppError('CONFLICT', `无法归档：${check.message}`);
  const lastArchive = (
    await db.select().from(auditCheckpoint).orderBy(desc(auditCheckpoint.throughSeq))
  ).find((cp) => cp.kind === 'archive');
  const startSeq = lastArchive?.throughSeq ?? 0;
  let prevHash = lastArchive?.throughHash ?? GENESIS_HASH;
  const throughIso = through.toISOString();
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  const tmp = `${options.out}.part`;
  let rows = 0;
  let fromSeq = 0;
  let lastRow: typeof auditLog.$inferSelect | undefined;
  async function* lines() {
    let after = startSeq;
    for (;;) {
      const page = await db
        .select()
        .from(auditLog)
        .where(gt(auditLog.seq, after))
        .orderBy(asc(auditLog.seq))
        .limit(2000);
      if (page.length === 0) return;
      for (const row of page) {
        const at = new Date(row.at).toISOString();
        // Stop at the first row inside the window: an archive is a contiguous run of the chain.
        if (at > throughIso) return;
        const expected = auditHash(prevHash, { ...row, at }, hashSuiteOf(row.hash));
        if (row.prevHash !== prevHash || row.hash !== expected) {
          throw new AppError('CONFLICT', `审计链在第 ${row.seq} 条记录处断裂，已停止归档`);
        }
        if (fromSeq === 0) fromSeq = row.seq;
        prevHash = row.hash;
        lastRow = row;
        rows++;
        yield `${JSON.stringify({ ...row, at })}\n`;
      }
      after = page.at(-1)!.seq;
    }
  }
  const hash = crypto.createHash('sha256');
  const gzip = zlib.createGzip();
  gzip.on('data', (chunk: Buffer) => hash.update(chunk));
  try {
    await pipeline(lines, gzip, fs.createWriteStream(tmp, { mode: 0o600 }));
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  if (!lastRow) {
    fs.rmSync(tmp, { force: true });
    throw new AppError('CONFLICT', `没有 ${throughIso.slice(0, 10)} 之前且尚未归档的审计记录`);
  }
  const sha256 = hash.digest('hex');
  fs.renameSync(tmp, options.out);
  const checkpoint = await insertCheckpoint(db, fc, {
    kind: 'archive',
    throughSeq: lastRow.seq,
    throughHash: lastRow.hash,
    throughAt: new Date(lastRow.at).toISOString(),
    rowCount: rows,
    fileName: path.basename(options.out),
    fileSha256: sha256,
    createdBy: options.createdBy,
  });
  return { file: options.out, rows, fromSeq, throughSeq: lastRow.seq, sha256, checkpoint };
};

/**
 * Verifies an archive file on its own: its SHA-256 against a checkpoint and the chain of its
 * rows from `prevHash` (the previous archive's last hash, or genesis) to the checkpoint's hash.
 */
export const verifyArchiveFile = async (
  file: string,
  checkpoint: Pick<TCheckpointRow, 'fileSha256' | 'throughHash' | 'throughSeq' | 'rowCount'>,
): Promise<{ ok: true; rows: number } | { ok: false; message: string }> => {
  const data = fs.readFileSync(file);
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  if (sha256 !== checkpoint.fileSha256) {
    return {
      ok: false,
      message: '归档文件的 SHA-256 与检查点不符：文件被修改或不是该检查点的文件',
    };
  }
  const text = zlib.gunzipSync(data).toString('utf8');
  const lines = text.split('\n').filter(Boolean);
  let prevHash: string | undefined;
  for (const [i, line] of lines.entries()) {
    const row = JSON.parse(line) as typeof auditLog.$inferSelect;
    if (prevHash !== undefined && row.prevHash !== prevHash) {
      return { ok: false, message: `归档文件第 ${i + 1} 行与上一行不相接` };
    }
    if (auditHash(row.prevHash, row, hashSuiteOf(row.hash)) !== row.hash) {
      return { ok: false, message: `归档文件第 ${i + 1} 行（第 ${row.seq} 条）的哈希不符` };
    }
    prevHash = row.hash;
  }
  if (prevHash !== checkpoint.throughHash || lines.length !== checkpoint.rowCount) {
    return { ok: false, message: '归档文件的最后一条记录或行数与检查点不符' };
  }
  return { ok: true, rows: lines.length };
};

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '@shegong/shared';
import type { TLogger } from '../logger.ts';
import { assertSuiteAvailable, deriveKey, macBytes, type TCryptoSuite } from './crypto-suite.ts';
import { encryptAesGcm, encryptSm4Cbc, G1, hmacSha256Hex } from './field-crypto-core.mjs';

/**
 * Encryption of personal data at rest (身份证号, phone), and a keyed hash (blind index) to find
 * a record by its value without decrypting. Every stored value names its algorithm, so values
 * written under either suite stay readable after the configuration changes:
 *
 * - `v1:<base64 iv(12)|tag(16)|ciphertext>` — AES-256-GCM (suite `intl`);
 * - `g1:<base64 iv(16)|ciphertext|mac(32)>` — SM4-CBC, then HMAC-SM3 over `g1:`|iv|ciphertext
 *   (suite `gm`; encrypt-then-MAC because Node's OpenSSL has no SM4-GCM).
 *
 * Blind indexes: HMAC-SHA-256 as 64 hex digits (`intl`), `sm3:` + HMAC-SM3 hex (`gm`). All keys
 * are derived from one 32-byte master key by HKDF (HKDF-SM3 for `gm`).
 */
export type TFieldCrypto = {
  /** Encrypts under `suite`. */
  encrypt: (plain: string) => string;
  /**
   * Encrypts many values (null stays null) as `encrypt` does, in a worker thread when there are
   * enough of them to pay for the trip: a bulk import's main thread reads and checks the next
   * rows meanwhile, on the other core. If the thread dies or cannot start, the batch is
   * encrypted in the calling thread (same result), the failure is logged, and the next batch
   * starts a new thread, up to MAX_ENCRYPTION_THREADS failures.
   */
  encryptMany: (plains: readonly (string | null)[]) => Promise<(string | null)[]>;
  /** `blindIndex` of many values (null stays null), in the thread of `encryptMany` as it does. */
  blindIndexMany: (plains: readonly (string | null)[]) => Promise<(string | null)[]>;
  /** Decrypts a value of either suite, under the current key or a previous one (rekey). */
  decrypt: (stored: string) => string;
  /** Deterministic keyed hash of a normalised value, for lookups and uniqueness. */
  blindIndex: (plain: string) => string;
  /** Suite of new ciphertexts. */
  suite: TCryptoSuite;
  /** Suite of blind indexes: the database's, until `shegong rekey` moves it. */
  indexSuite: TCryptoSuite;
  /** A check value of the master key (under `indexSuite`), stored to refuse a wrong key. */
  keyCheck: () => string;
  /** A keyed signature (`<suite>:<hex>`), e.g. of an audit checkpoint. */
  sign: (data: string) => string;
  /** Whether `signature` was made by `sign` with this master key (either suite). */
  verifySignature: (data: string, signature: string) => boolean;
};

export type TFieldCryptoOptions = {
  /** Suite of new ciphertexts (default intl). */
  suite?: TCryptoSuite;
  /** Suite of blind indexes (default: `suite`). */
  indexSuite?: TCryptoSuite;
  /** Earlier master keys still accepted by `decrypt` (while a rekey is under way). */
  previousKeys?: Buffer[];
  /** Where a failure of the encryption thread is logged (warn). */
  log?: Pick<TLogger, 'warn'>;
};

// Keys are KeyObjects: a cipher or HMAC built from one skips importing raw key bytes each call
// (half the cost of encrypting a short value, which bulk imports do 200,000 times).
type TKeySet = {
  aesKey: crypto.KeyObject;
  /** HMAC-SHA-256 of the blind index (`hmacSha256Hex`). */
  intlIndex: (plain: string) => string;
  /** Its key (for the worker thread). */
  intlIndexKey: Buffer;
  intlSignKey: Buffer;
  gm:
    | {
        sm4Key: crypto.KeyObject;
        macKey: crypto.KeyObject;
        indexKey: crypto.KeyObject;
        signKey: Buffer;
      }
    | undefined;
};

const assertMasterKey = (key: Buffer) => {
  if (key.length !== 32) {
    throw new AppError('CONFIG_INVALID', '数据加密主密钥必须为32字节（base64编码）', {
      where: { key: 'SHEGONG_DATA_KEY' },
    });
  }
};

const keySet = (master: Buffer): TKeySet => {
  assertMasterKey(master);
  let gm: TKeySet['gm'];
  const intlIndexKey = deriveKey('intl', master, 'shegong blind index v1', 32);
  return {
    // The intl derivations are those of the first release: existing data stays readable.
    aesKey: crypto.createSecretKey(deriveKey('intl', master, 'shegong field encryption v1', 32)),
    intlIndex: hmacSha256Hex(intlIndexKey),
    intlIndexKey,
    intlSignKey: deriveKey('intl', master, 'shegong audit checkpoint v1', 32),
    get gm() {
      gm ??= {
        sm4Key: crypto.createSecretKey(
          deriveKey('gm', master, 'shegong sm4 field encryption v1', 16),
        ),
        macKey: crypto.createSecretKey(deriveKey('gm', master, 'shegong sm4 field mac v1', 32)),
        indexKey: crypto.createSecretKey(deriveKey('gm', master, 'shegong sm3 blind index v1', 32)),
        signKey: deriveKey('gm', master, 'shegong sm3 audit checkpoint v1', 32),
      };
      return gm;
    },
  };
};

const gmKeys = (keys: TKeySet) => {
  assertSuiteAvailable('gm');
  return keys.gm!;
};

const encryptIntl = (keys: TKeySet, plain: string): string => encryptAesGcm(keys.aesKey, plain);

const decryptIntl = (keys: TKeySet, raw: Buffer): string => {
  const decipher = crypto.createDecipheriv('aes-256-gcm', keys.aesKey, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  // Decoded as it is deciphered (a character split between the two calls is joined by the
  // decipher's decoder): no concatenated buffer a value.
  return decipher.update(raw.subarray(28), undefined, 'utf8') + decipher.final('utf8');
};

const encryptGm = (keys: TKeySet, plain: string): string => {
  const k = gmKeys(keys);
  return encryptSm4Cbc(k.sm4Key, k.macKey, plain);
};

const decryptGm = (keys: TKeySet, raw: Buffer): string => {
  const k = gmKeys(keys);
  if (raw.length < 16 + 16 + 32) throw new Error('short');
  const iv = raw.subarray(0, 16);
  const body = raw.subarray(16, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  // Check the tag before decrypting (no padding oracle).
  if (!crypto.timingSafeEqual(mac, macBytes('gm', k.macKey, G1, iv, body))) {
    throw new Error('mac');
  }
  const decipher = crypto.createDecipheriv('sm4-cbc', k.sm4Key, iv);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
};

const indexOf = (keys: TKeySet, suite: TCryptoSuite, plain: string): string =>
  suite === 'intl'
    ? keys.intlIndex(plain)
    : `sm3:${macBytes('gm', gmKeys(keys).indexKey, plain).toString('hex')}`;

const signWith = (keys: TKeySet, suite: TCryptoSuite, data: string): string =>
  suite === 'intl'
    ? `intl:${macBytes('intl', keys.intlSignKey, data).toString('hex')}`
    : `gm:${macBytes('gm', gmKeys(keys).signKey, data).toString('hex')}`;

/** The encryption thread's entry (plain JavaScript: a thread gets no TypeScript loader). */
const THREAD_ENTRY = new URL('./field-crypto-thread.mjs', import.meta.url);

/** Values below which `encryptMany` encrypts in the calling thread (the trip costs more). */
const WORKER_MIN = 1000;

/**
 * Threads `encryptMany` starts in a process at most: after this many have died or failed to
 * start, it encrypts in the calling thread for good (a thread that cannot run here, e.g. under a
 * resource limit, is not retried for ever).
 */
export const MAX_ENCRYPTION_THREADS = 3;

/** The thread died or could not start (not a value it failed to encrypt). */
class ThreadFailed extends Error {}

type TWorkerOp = 'encrypt' | 'index';

/**
 * A worker thread encrypting or blind-indexing batches of values under the keys; unref'd while
 * idle. When
 * the thread dies or fails to start, its batches reject with ThreadFailed and `onFailure` is
 * called once for it; the next batch starts a new thread.
 */
const encryptionWorker = (
  suite: TCryptoSuite,
  indexSuite: TCryptoSuite,
  keys: TKeySet,
  onFailure: (error: unknown) => void,
) => {
  type TJob = { resolve: (v: (string | null)[]) => void; reject: (e: Error) => void };
  let current: { thread: Worker; waiting: Map<number, TJob> } | undefined;
  let next = 0;
  const start = () => {
    const workerData = {
      ...(suite === 'intl'
        ? { suite, key: keys.aesKey.export() }
        : { suite, key: gmKeys(keys).sm4Key.export(), macKey: gmKeys(keys).macKey.export() }),
      indexSuite,
      indexKey: indexSuite === 'intl' ? keys.intlIndexKey : gmKeys(keys).indexKey.export(),
    };
    const thread = new Worker(THREAD_ENTRY, { workerData });
    const waiting = new Map<number, TJob>();
    const self = { thread, waiting };
    let failed = false;
    // 'error' is followed by 'exit': the thread's batches fail once, and only its own (a new
    // thread may have been started meanwhile).
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      if (current === self) current = undefined;
      const reason = new ThreadFailed('encryption thread failed', { cause: error });
      for (const job of waiting.values()) job.reject(reason);
      waiting.clear();
      onFailure(error);
    };
    thread.on('message', (m: { id: number; out?: (string | null)[]; error?: string }) => {
      const job = waiting.get(m.id);
      waiting.delete(m.id);
      if (waiting.size === 0) thread.unref();
      if (m.out) job?.resolve(m.out);
      else job?.reject(new Error(m.error));
    });
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`encryption thread exited (code ${code})`)));
    thread.unref();
    return self;
  };
  return (op: TWorkerOp, plains: readonly (string | null)[]): Promise<(string | null)[]> => {
    try {
      current ??= start();
    } catch (error) {
      onFailure(error);
      return Promise.reject(new ThreadFailed('encryption thread did not start', { cause: error }));
    }
    const { thread, waiting } = current;
    const id = next++;
    thread.ref();
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      thread.postMessage({ id, op, plains });
    });
  };
};

/** Builds the field crypto of a master key; see {@link TFieldCrypto}. */
export const createFieldCrypto = (
  masterKey: Buffer,
  options: TFieldCryptoOptions = {},
): TFieldCrypto => {
  const suite = options.suite ?? 'intl';
  const indexSuite = options.indexSuite ?? suite;
  assertSuiteAvailable(suite);
  assertSuiteAvailable(indexSuite);
  const current = keySet(masterKey);
  const ring = [current, ...(options.previousKeys ?? []).map(keySet)];
  const encrypt = (plain: string) =>
    suite === 'intl' ? encryptIntl(current, plain) : encryptGm(current, plain);
  // Threads that died or failed to start; each is logged once, with what follows.
  let threadFailures = 0;
  const onThreadFailure = (error: unknown) => {
    threadFailures++;
    const rest =
      threadFailures < MAX_ENCRYPTION_THREADS
        ? '正在处理的批次改在主线程加密，下一批启动新的加密线程'
        : `已失败 ${threadFailures} 次，此后在主线程加密（导入变慢，结果不变）`;
    options.log?.warn({ err: error, threadFailures }, `字段加密线程异常退出或无法启动：${rest}`);
  };
  let inWorker: ReturnType<typeof encryptionWorker> | undefined;
  const blindIndex = (plain: string) => indexOf(current, indexSuite, plain);
  /** A batch in the thread, or here when small, when the thread fails or refuses a value. */
  const many = async (
    op: TWorkerOp,
    plains: readonly (string | null)[],
    here: (plain: string) => string,
  ) => {
    if (plains.length >= WORKER_MIN && threadFailures < MAX_ENCRYPTION_THREADS) {
      inWorker ??= encryptionWorker(suite, indexSuite, current, onThreadFailure);
      try {
        return await inWorker(op, plains);
      } catch {
        // The thread died or did not start (logged), or refused a value: this batch is
        // done here (a bad value then throws its own error).
      }
    }
    return plains.map((p) => (p === null ? null : here(p)));
  };
  return {
    suite,
    indexSuite,
    encrypt,
    encryptMany: (plains) => many('encrypt', plains, encrypt),
    blindIndexMany: (plains) => many('index', plains, blindIndex),
    decrypt: (stored) => {
      const prefix = stored.slice(0, 3);
      if (prefix !== 'v1:' && prefix !== 'g1:') {
        throw new AppError('INTERNAL', '无法识别的加密数据格式');
      }
      const raw = Buffer.from(stored.slice(3), 'base64');
      for (const keys of ring) {
        try {
          return prefix === 'v1:' ? decryptIntl(keys, raw) : decryptGm(keys, raw);
        } catch {
          // Not this key (the tag does not verify): try the next one.
        }
      }
      throw new AppError('INTERNAL', '加密数据无法解密：密钥不符或数据已被篡改');
    },
    blindIndex,
    keyCheck: () => indexOf(current, indexSuite, 'shegong key check v1'),
    sign: (data) => signWith(current, suite, data),
    verifySignature: (data, signature) => {
      const signedSuite = signature.startsWith('gm:') ? 'gm' : 'intl';
      const expected = Buffer.from(signWith(current, signedSuite, data));
      const given = Buffer.from(signature);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    },
  };
};

/** Parses a base64 master key, refusing anything but 32 bytes. */
export const parseMasterKey = (base64: string, where = 'SHEGONG_DATA_KEY'): Buffer => {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) {
    throw new AppError('CONFIG_INVALID', `${where} 必须是32字节随机数的 base64 编码`, {
      where: { key: where },
    });
  }
  return key;
};

/**
 * The master key: from SHEGONG_DATA_KEY, or for the embedded default generated once into
 * `<dataDir>/secret.key` (mode 0600). Never in the repository.
 */
export const loadMasterKey = (envKey: string | undefined, dataDir: string): Buffer => {
  if (envKey) return Buffer.from(envKey, 'base64');
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
};

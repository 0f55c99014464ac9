import crypto from 'node:crypto';
import { AppError } from '@shegong/shared';

/**
 * The cryptographic suites shegong offers. `intl` (default): AES-256-GCM, HMAC-SHA-256,
 * SHA-256. `gm` (商用密码, for 密评): SM4 (CBC with an HMAC-SM3 tag, encrypt-then-MAC, because
 * Node's OpenSSL 3.0 has no SM4-GCM), HMAC-SM3 and SM3 (GB/T 32905, GB/T 32907).
 */
export const CRYPTO_SUITES = ['intl', 'gm'] as const;
export type TCryptoSuite = (typeof CRYPTO_SUITES)[number];

export const SUITE_LABELS: Record<TCryptoSuite, string> = {
  intl: 'AES-256-GCM / HMAC-SHA-256 / SHA-256',
  gm: 'SM4-CBC + HMAC-SM3 / HMAC-SM3 / SM3',
};

const HASH: Record<TCryptoSuite, 'sha256' | 'sm3'> = { intl: 'sha256', gm: 'sm3' };

/** Hash algorithm name (Node's) of a suite. */
export const suiteHash = (suite: TCryptoSuite): 'sha256' | 'sm3' => HASH[suite];

/** Whether this Node build provides SM3 and SM4-CBC (OpenSSL 3 does). */
export const gmAvailable = (): boolean =>
  crypto.getHashes().includes('sm3') && crypto.getCiphers().includes('sm4-cbc');

export const assertSuiteAvailable = (suite: TCryptoSuite): void => {
  if (suite === 'gm' && !gmAvailable()) {
    throw new AppError(
      'CONFIG_INVALID',
      '当前 Node.js 的 OpenSSL 不提供 SM3/SM4，无法使用国密套件（CRYPTO_SUITE=gm）',
      { where: { key: 'CRYPTO_SUITE' } },
    );
  }
};

/** Hex digest of the parts, in the suite's hash. */
export const digestHex = (suite: TCryptoSuite, ...parts: (string | Buffer)[]): string => {
  const h = crypto.createHash(HASH[suite]);
  for (const part of parts) h.update(part);
  return h.digest('hex');
};

/** Keyed MAC (HMAC-SHA-256 or HMAC-SM3). */
export const macBytes = (
  suite: TCryptoSuite,
  key: Buffer | crypto.KeyObject,
  ...parts: (string | Buffer)[]
) => {
  const h = crypto.createHmac(HASH[suite], key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** HKDF with the suite's hash (RFC 5869; HKDF-SM3 for gm). */
export const deriveKey = (
  suite: TCryptoSuite,
  master: Buffer,
  info: string,
  length: number,
): Buffer => Buffer.from(crypto.hkdfSync(HASH[suite], master, Buffer.alloc(0), info, length));

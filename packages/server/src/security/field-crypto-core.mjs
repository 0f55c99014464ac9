// The encryptions and the HMAC-SHA-256 of field-crypto.ts, as plain JavaScript: field-crypto.ts
// and its encryption thread (field-crypto-thread.mjs, which runs without a TypeScript loader)
// share this one copy. Formats: see field-crypto.ts.
import crypto from 'node:crypto';

/* Random bytes for IVs, drawn from the CSPRNG 16 KB at a time: a `randomBytes` call per value
 * cost about as much as the encryption itself. Each IV is used once, as from `randomBytes`. */
let ivPool = Buffer.alloc(0);
let ivAt = 0;
/** @param {number} length */
const randomIv = (length) => {
  if (ivAt + length > ivPool.length) {
    ivPool = crypto.randomBytes(16 * 1024);
    ivAt = 0;
  }
  const iv = ivPool.subarray(ivAt, ivAt + length);
  ivAt += length;
  return iv;
};

/**
 * `v1:` + base64 of iv(12) | tag(16) | AES-256-GCM ciphertext.
 *
 * @param {Buffer | crypto.KeyObject} key
 * @param {string} plain
 */
export const encryptAesGcm = (key, plain) => {
  const iv = randomIv(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
};

/** The prefix of an SM4 value, also covered by its MAC. */
export const G1 = Buffer.from('g1:');

/**
 * `g1:` + base64 of iv(16) | SM4-CBC ciphertext | HMAC-SM3 over `g1:`|iv|ciphertext.
 *
 * @param {Buffer | crypto.KeyObject} key
 * @param {Buffer | crypto.KeyObject} macKey
 * @param {string} plain
 */
export const encryptSm4Cbc = (key, macKey, plain) => {
  const iv = randomIv(16);
  const cipher = crypto.createCipheriv('sm4-cbc', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const mac = crypto.createHmac('sm3', macKey).update(G1).update(iv).update(body).digest();
  return `g1:${Buffer.concat([iv, body, mac]).toString('base64')}`;
};

/**
 * HMAC-SHA-256 (RFC 2104) under a key of at most 64 bytes, as hex: two one-shot SHA-256 over
 * the padded key and the value, in buffers kept between calls. The same digest as
 * `createHmac('sha256', key)` (a test checks it) at about two thirds of the cost of building an
 * Hmac object per value, which a bulk import does twice a row.
 *
 * @param {Buffer} key
 * @returns {(plain: string) => string}
 */
export const hmacSha256Hex = (key) => {
  let inner = Buffer.alloc(64 + 256);
  const outer = Buffer.alloc(64 + 32);
  const pad = (buf, byte) => {
    buf.fill(byte, 0, 64);
    for (let i = 0; i < key.length; i++) buf[i] = key[i] ^ byte;
  };
  pad(inner, 0x36);
  pad(outer, 0x5c);
  return (plain) => {
    if (64 + plain.length * 3 > inner.length) {
      const grown = Buffer.alloc(64 + plain.length * 3);
      inner.copy(grown, 0, 0, 64);
      inner = grown;
    }
    const n = inner.write(plain, 64, 'utf8');
    crypto.hash('sha256', inner.subarray(0, 64 + n), 'buffer').copy(outer, 64);
    return crypto.hash('sha256', outer, 'hex');
  };
};

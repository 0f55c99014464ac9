// HMAC-SHA-256 of the blind indexes, as plain JavaScript: field-crypto.ts and its encryption
// thread (field-crypto-thread.mjs, which runs without a TypeScript loader) share this one copy.
import crypto from 'node:crypto';

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

// The worker thread of `encryptMany` and `blindIndexMany` (field-crypto.ts): the same two
// encryptions as encryptIntl and encryptGm (a test checks that the main thread decrypts what it
// makes) and the same blind indexes as indexOf (a test compares them), as plain JavaScript, so
// it runs without a TypeScript loader.
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { hmacSha256Hex } from './hmac-sha256.mjs';

const { suite, key, macKey, indexSuite, indexKey } = workerData;
let pool = Buffer.alloc(0);
let at = 0;
const randomIv = (n) => {
  if (at + n > pool.length) {
    pool = crypto.randomBytes(16 * 1024);
    at = 0;
  }
  const iv = pool.subarray(at, at + n);
  at += n;
  return iv;
};
const G1 = Buffer.from('g1:');
const encrypt =
  suite === 'intl'
    ? (plain) => {
        const iv = randomIv(12);
        const c = crypto.createCipheriv('aes-256-gcm', key, iv);
        const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
        return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
      }
    : (plain) => {
        const iv = randomIv(16);
        const c = crypto.createCipheriv('sm4-cbc', key, iv);
        const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
        const mac = crypto.createHmac('sm3', macKey).update(G1).update(iv).update(body).digest();
        return `g1:${Buffer.concat([iv, body, mac]).toString('base64')}`;
      };
// HMAC-SHA-256 (hmac-sha256.mjs, as indexOf), or HMAC-SM3.
const index =
  indexSuite === 'intl'
    ? hmacSha256Hex(indexKey)
    : (plain) => `sm3:${crypto.createHmac('sm3', indexKey).update(plain).digest('hex')}`;
parentPort.on('message', ({ id, op, plains }) => {
  try {
    const f = op === 'index' ? index : encrypt;
    parentPort.postMessage({ id, out: plains.map((p) => (p === null ? null : f(p))) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});

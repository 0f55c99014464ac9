// The worker thread of `encryptMany` and `blindIndexMany` (field-crypto.ts): the encryptions and
// blind indexes of field-crypto-core.mjs, as field-crypto.ts makes them (tests compare them),
// loaded as plain JavaScript, without a TypeScript loader.
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { encryptAesGcm, encryptSm4Cbc, hmacSha256Hex } from './field-crypto-core.mjs';

const { suite, key, macKey, indexSuite, indexKey } = workerData;
const encrypt =
  suite === 'intl'
    ? (plain) => encryptAesGcm(key, plain)
    : (plain) => encryptSm4Cbc(key, macKey, plain);
// HMAC-SHA-256 (as indexOf), or HMAC-SM3.
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

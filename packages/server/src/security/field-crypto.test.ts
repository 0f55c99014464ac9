import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestHex, gmAvailable } from './crypto-suite.ts';
import { createFieldCrypto, parseMasterKey } from './field-crypto.ts';

describe('field crypto (intl: AES-256-GCM, HMAC-SHA-256)', () => {
  const fc = createFieldCrypto(crypto.randomBytes(32));

  it('round-trips a value and never stores it in clear', () => {
    const stored = fc.encrypt('64010419850612001X');
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('64010419850612001X');
    expect(fc.decrypt(stored)).toBe('64010419850612001X');
    expect(fc.encrypt('64010419850612001X')).not.toBe(stored); // random IV
  });

  it('decodes multi-byte text whole, as the concatenated bytes decode (empty, CJK, 4-byte, long)', () => {
    const key = crypto.randomBytes(32);
    const intl = createFieldCrypto(key);
    const values = [
      '',
      '张',
      '张三丰'.repeat(40),
      '𠮷野家😀',
      `a${'\u{20BB7}'.repeat(300)}b`,
      'x'.repeat(4097),
    ];
    for (const v of values) {
      const stored = intl.encrypt(v);
      expect(intl.decrypt(stored)).toBe(v);
      // The value as the whole plaintext decoded at once (the format: iv 12 | tag 16 | body).
      const raw = Buffer.from(stored.slice(3), 'base64');
      const aes = crypto.hkdfSync(
        'sha256',
        key,
        Buffer.alloc(0),
        'shegong field encryption v1',
        32,
      );
      const d = crypto.createDecipheriv('aes-256-gcm', Buffer.from(aes), raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      const whole = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      expect(intl.decrypt(stored)).toBe(whole);
    }
  });

  it('detects a tampered ciphertext', () => {
    const stored = fc.encrypt('13800138000');
    const raw = Buffer.from(stored.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => fc.decrypt(`v1:${raw.toString('base64')}`)).toThrow(/无法解密/);
  });

  it('gives a deterministic blind index that depends on the key', () => {
    expect(fc.blindIndex('x')).toBe(fc.blindIndex('x'));
    expect(fc.blindIndex('x')).toMatch(/^[0-9a-f]{64}$/);
    expect(createFieldCrypto(crypto.randomBytes(32)).blindIndex('x')).not.toBe(fc.blindIndex('x'));
  });

  it('computes the blind index as HMAC-SHA-256 does, for short, long and non-ASCII values', () => {
    const master = Buffer.alloc(32, 9);
    const macKey = Buffer.from(
      crypto.hkdfSync('sha256', master, Buffer.alloc(0), 'shegong blind index v1', 32),
    );
    const fc9 = createFieldCrypto(master);
    for (const v of ['', 'x', '64010419850612001X', '测试'.repeat(200), 'a'.repeat(1000), 'é']) {
      expect(fc9.blindIndex(v)).toBe(crypto.createHmac('sha256', macKey).update(v).digest('hex'));
    }
  });

  it('keeps the derivation of the first release, so existing data stays readable', () => {
    // A value encrypted by the first release's code: AES-256-GCM under HKDF-SHA-256(master,
    // info 'shegong field encryption v1'), and its HMAC-SHA-256 blind index.
    const master = Buffer.alloc(32, 7);
    const encKey = Buffer.from(
      crypto.hkdfSync('sha256', master, Buffer.alloc(0), 'shegong field encryption v1', 32),
    );
    const macKey = Buffer.from(
      crypto.hkdfSync('sha256', master, Buffer.alloc(0), 'shegong blind index v1', 32),
    );
    const iv = Buffer.alloc(12, 1);
    const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
    const body = Buffer.concat([cipher.update('13800138000', 'utf8'), cipher.final()]);
    const legacy = `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    const current = createFieldCrypto(master);
    expect(current.decrypt(legacy)).toBe('13800138000');
    expect(current.blindIndex('13800138000')).toBe(
      crypto.createHmac('sha256', macKey).update('13800138000').digest('hex'),
    );
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => createFieldCrypto(Buffer.alloc(16))).toThrow(/32字节/);
    expect(() => parseMasterKey(Buffer.alloc(31).toString('base64'))).toThrow(/32字节/);
  });
});

describe.runIf(gmAvailable())('field crypto (gm: SM4, HMAC-SM3, SM3)', () => {
  const master = crypto.randomBytes(32);
  const gm = createFieldCrypto(master, { suite: 'gm' });

  it('computes SM3 and SM4 as GB/T 32905 and GB/T 32907 specify (their own examples)', () => {
    expect(digestHex('gm', 'abc')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const ecb = crypto.createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([ecb.update(key), ecb.final()]).toString('hex')).toBe(
      '681edf34d206965e86b3e94f536e4246',
    );
  });

  it('encrypts with SM4 under a g1: prefix and round-trips', () => {
    const stored = gm.encrypt('64010419850612001X');
    expect(stored).toMatch(/^g1:/);
    expect(stored).not.toContain('6401');
    expect(gm.decrypt(stored)).toBe('64010419850612001X');
    expect(gm.encrypt('64010419850612001X')).not.toBe(stored);
    expect(gm.decrypt(gm.encrypt(''))).toBe('');
    expect(gm.decrypt(gm.encrypt('张三丰'.repeat(40)))).toBe('张三丰'.repeat(40));
  });

  it('refuses a ciphertext whose HMAC-SM3 tag does not verify (any bit flipped)', () => {
    const raw = Buffer.from(gm.encrypt('13800138000').slice(3), 'base64');
    for (const at of [0, 17, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at]! ^= 0x40;
      expect(() => gm.decrypt(`g1:${bad.toString('base64')}`)).toThrow(/无法解密/);
    }
  });

  it('reads values of either suite under one key: a data directory keeps working after a switch', () => {
    const intl = createFieldCrypto(master, { suite: 'intl' });
    expect(gm.decrypt(intl.encrypt('a-value'))).toBe('a-value');
    expect(intl.decrypt(gm.encrypt('a-value'))).toBe('a-value');
  });

  it('computes an sm3: blind index only when the index suite is gm', () => {
    expect(gm.blindIndex('x')).toMatch(/^sm3:[0-9a-f]{64}$/);
    const mixed = createFieldCrypto(master, { suite: 'gm', indexSuite: 'intl' });
    expect(mixed.blindIndex('x')).toBe(createFieldCrypto(master).blindIndex('x'));
    expect(mixed.keyCheck()).not.toBe(gm.keyCheck());
  });

  it('decrypts under a previous key while a rekey is under way, and not without it', () => {
    const oldKey = crypto.randomBytes(32);
    const stored = createFieldCrypto(oldKey).encrypt('v');
    expect(() => gm.decrypt(stored)).toThrow(/无法解密/);
    const ring = createFieldCrypto(master, { suite: 'gm', previousKeys: [oldKey] });
    expect(ring.decrypt(stored)).toBe('v');
  });

  it('signs and verifies with a key-dependent MAC', () => {
    const signature = gm.sign('checkpoint');
    expect(signature).toMatch(/^gm:[0-9a-f]{64}$/);
    expect(gm.verifySignature('checkpoint', signature)).toBe(true);
    expect(gm.verifySignature('checkpoint!', signature)).toBe(false);
    expect(createFieldCrypto(crypto.randomBytes(32)).verifySignature('checkpoint', signature)).toBe(
      false,
    );
  });
});

describe('encryptMany (a worker thread for bulk imports)', () => {
  const values = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      i % 7 === 3 ? null : `1390000${String(i).padStart(4, '0')}`,
    );

  it('encrypts many values in a worker thread as encrypt would: readable, a fresh IV each, null kept', async () => {
    const fc = createFieldCrypto(crypto.randomBytes(32));
    const plains = values(2500);
    const stored = await fc.encryptMany(plains);
    expect(stored).toHaveLength(plains.length);
    expect(stored.map((c) => (c === null ? null : fc.decrypt(c)))).toEqual(plains);
    expect(stored.every((c) => c === null || /^v1:/.test(c))).toBe(true);
    expect(new Set(stored.filter((c) => c !== null)).size).toBe(plains.filter(Boolean).length);
    // A few values: in this thread.
    const few = await fc.encryptMany(['13912345678', null]);
    expect([fc.decrypt(few[0]!), few[1]]).toEqual(['13912345678', null]);
  });

  it.runIf(gmAvailable())('does the same under the gm suite (SM4-CBC + HMAC-SM3)', async () => {
    const fc = createFieldCrypto(crypto.randomBytes(32), { suite: 'gm' });
    const plains = values(1200);
    const stored = await fc.encryptMany(plains);
    expect(stored.every((c) => c === null || /^g1:/.test(c))).toBe(true);
    expect(stored.map((c) => (c === null ? null : fc.decrypt(c)))).toEqual(plains);
  });

  // Values of every length class the one-shot HMAC handles: short, long, non-ASCII, empty.
  const indexValues = [...values(1500), '', '测试'.repeat(200), 'a'.repeat(1000), 'é'];

  it('blind-indexes many values in the thread exactly as blindIndex does, null kept', async () => {
    const fc = createFieldCrypto(crypto.randomBytes(32));
    const hashes = await fc.blindIndexMany(indexValues);
    expect(hashes).toEqual(indexValues.map((v) => (v === null ? null : fc.blindIndex(v))));
    expect(await fc.blindIndexMany(['x', null])).toEqual([fc.blindIndex('x'), null]);
  });

  it.runIf(gmAvailable())(
    'blind-indexes under the index suite, which may differ from the encryption suite (rekey)',
    async () => {
      const master = crypto.randomBytes(32);
      for (const [suite, indexSuite] of [
        ['gm', 'gm'],
        ['intl', 'gm'],
        ['gm', 'intl'],
      ] as const) {
        const fc = createFieldCrypto(master, { suite, indexSuite });
        const hashes = await fc.blindIndexMany(indexValues);
        expect(hashes).toEqual(indexValues.map((v) => (v === null ? null : fc.blindIndex(v))));
        expect(hashes[0]!.startsWith('sm3:')).toBe(indexSuite === 'gm');
        // The thread's encryptions are still the suite's.
        const [c] = await fc.encryptMany(values(1200));
        expect(c!.slice(0, 3)).toBe(suite === 'gm' ? 'g1:' : 'v1:');
      }
    },
  );
});

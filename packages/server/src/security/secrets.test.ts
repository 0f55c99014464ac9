import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../../..');

// Secrets come only from the environment (SHEGONG_DATA_KEY, DATABASE_URL) or are generated into
// the data directory at run time; none may be committed.
const RULES: { name: string; re: RegExp }[] = [
  { name: 'private key', re: /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
  // A base64 value of exactly 32 bytes, as SHEGONG_DATA_KEY is.
  { name: '32-byte base64 key', re: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/ },
  // password=<literal>
  // (a template like password=${…}, a placeholder <…> or a regex like password=(.+) is fine).
  { name: 'password= literal', re: /\bpassword=(?![$<{'"`\s([\\.*]|x+\b)[^\s&'"`]{4,}/i },
  { name: 'password in a database URL', re: /postgres(ql)?:\/\/[^:/\s@]+:(?![$<{])[^@\s/]+@/ },
];

const FORBIDDEN_FILES =
  /(^|\/)(\.env(\.\w+)?|secret\.key(\.\w+)?|initial-admin\.txt|[^/]*\.(pem|p12|pfx|key))$/;

const tracked = () =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);

const isText = (buf: Buffer) => !buf.subarray(0, 8000).includes(0);

describe('secrets only from the environment', () => {
  it('commits no key, password or credential file', () => {
    const files = tracked();
    expect(files.length).toBeGreaterThan(50);
    const findings: string[] = [];
    for (const file of files) {
      if (FORBIDDEN_FILES.test(file)) findings.push(`${file}: file that holds secrets`);
      const full = path.join(root, file);
      if (!fs.existsSync(full) || fs.statSync(full).size > 5_000_000) continue;
      const buf = fs.readFileSync(full);
      if (!isText(buf)) continue;
      const lines = buf.toString('utf8').split('\n');
      lines.forEach((line, i) => {
        for (const rule of RULES) {
          if (rule.re.test(line))
            findings.push(`${file}:${i + 1}: ${rule.name}: ${line.trim().slice(0, 80)}`);
        }
      });
    }
    expect(findings).toEqual([]);
  });

  it('recognises what it looks for', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const samples = [
      `SHEGONG_DATA_KEY=${key}`,
      ['-----BEGIN', 'PRIVATE KEY-----'].join(' '),
      ['pass', 'word=Hunter2024'].join(''),
      ['postgres://app:', 's3cret@db:5432/x'].join(''),
    ];
    for (const s of samples)
      expect(
        RULES.some((r) => r.re.test(s)),
        s,
      ).toBe(true);
    for (const ok of [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
      'password=${created.password}',
      'text.match(/^password=(.+)$/m)',
      'postgres://postgres@127.0.0.1:5432/test',
      'integrity sha512-iK2f+YrcmoeGqk6fA0ea2bptcu/itMIm4NfEozq6N25+aG6h7s5HZbB/k1aV7b5w5sFLMCbbtRUsTVR+BgC3xw==',
    ])
      expect(
        RULES.some((r) => r.re.test(ok)),
        ok,
      ).toBe(false);
    expect(FORBIDDEN_FILES.test('data/secret.key')).toBe(true);
    expect(FORBIDDEN_FILES.test('packages/server/src/security/field-crypto.ts')).toBe(false);
  });
});

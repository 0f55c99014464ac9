import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../../..');

// Statements that would change or remove audit rows. The application never issues one: the
// audit log is append-only for every role, the system administrator included (等保 2.0
// 8.1.4.3 c: 应对审计记录进行保护，避免受到未预期的删除、修改或覆盖).
const FORBIDDEN = [
  /\.(update|delete)\(\s*auditLog\b/,
  /\.(update|delete)\(\s*auditCheckpoint\b/,
  /\b(update|delete\s+from|truncate(\s+table)?)\s+"?audit_(log|checkpoint)\b/i,
];

// Exceptions, each with its reason. `shegong rekey` (run as the schema owner, server stopped)
// re-signs the checkpoints under the new key after verifying them under the old one; it
// touches no audit_log row.
const ALLOWED: Record<string, RegExp> = {
  'packages/server/src/ops/rekey.ts': /\.update\(\s*auditCheckpoint$/,
};

describe('audit log immutability', () => {
  it('has no code outside tests that updates, deletes or truncates audit rows', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => /^packages\/[^/]+\/(src|bin)\/.*\.(ts|tsx|mjs|js|sql)$/.test(f))
      .filter((f) => !/\.test\.ts$/.test(f) && !f.includes('/testing/'))
      // The optional Citus layout redistributes tables; it does not touch rows.
      .filter((f) => !f.includes('/db/citus/'));
    expect(files.length).toBeGreaterThan(20);
    const offending = files.filter((f) => {
      const full = path.join(root, f);
      if (!fs.existsSync(full)) return false;
      const text = fs.readFileSync(full, 'utf8');
      return FORBIDDEN.some((re) =>
        [...text.matchAll(new RegExp(re.source, `${re.flags}g`))].some(
          (m) => !ALLOWED[f]?.test(m[0]),
        ),
      );
    });
    expect(offending).toEqual([]);
  });

  it('recognises the statements it forbids', () => {
    const samples = [
      'db.delete(auditLog).where(x)',
      'tx.update(auditLog).set({})',
      'delete from audit_log where seq < 10',
      'TRUNCATE audit_log',
      'update "audit_checkpoint" set x = 1',
    ];
    for (const s of samples)
      expect(
        FORBIDDEN.some((re) => re.test(s)),
        s,
      ).toBe(true);
    expect(FORBIDDEN.some((re) => re.test('db.insert(auditLog).values(rows)'))).toBe(false);
  });
});

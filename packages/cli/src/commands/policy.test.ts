import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `shegong policy eval … pay --month`: a whole month, split where the record changes inside it,
// as the 银川 worked example of a post taken on the 16th (004 职业化 (十六)、附件 套改表).

const BIN = fileURLToPath(new URL('../../bin/shegong.mjs', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'shegong-policy-eval-'));
const json = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
};
const shegong = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'policy', 'eval', ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
};
const worker = { post: '其他人员', years: 6, education: '大专', stars: 3 };

describe('shegong policy eval --month', () => {
  it('pays November 2026 1–15 at 2400元 and 16–30 as 副职 at 2700元: 2550.00元', () => {
    const r = shegong(
      'yinchuan-2018',
      'pay',
      '--month',
      '2026-11',
      '--input',
      json('worker.json', worker),
      '--records',
      json('records.json', [{ on: '2026-11-16', input: { ...worker, post: '副职' } }]),
      '--no-trace',
    );
    expect(r.status, r.err).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.evalOn).toBe('2026-11-01');
    expect(v.payableFen).toBe(255000);
    expect(
      v.parts.map((p: { grade: number; payableFen: number }) => [p.grade, p.payableFen]),
    ).toEqual([
      [2, 120000],
      [5, 135000],
    ]);
  }, 30_000);

  it('refuses --month for another evaluation, and a month with --date, in Chinese', () => {
    const input = json('w.json', worker);
    const grade = shegong('yinchuan-2018', 'grade', '--month', '2026-11', '--input', input);
    expect(grade.status).not.toBe(0);
    expect(grade.err).toContain('--month 只用于 pay');
    const none = shegong('yinchuan-2018', 'pay', '--input', input);
    expect(none.status).not.toBe(0);
    expect(none.err).toContain('请给出 --date');
  }, 30_000);
});

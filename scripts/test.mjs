#!/usr/bin/env node
// `npm test`: the whole suite — type check, lint, unit + database tests (PGlite, and PostgreSQL
// when DATABASE_URL is set), the web build and the browser tests in Chromium. Every step runs
// even when an earlier one fails; the last line is `N passed, N failed` over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reports = path.join(root, 'reports');
fs.rmSync(reports, { recursive: true, force: true });
fs.mkdirSync(reports, { recursive: true });

const only = process.argv.slice(2);
const steps = [];
let passed = 0;
let failed = 0;

const run = (name, command, args, env = {}) => {
  if (only.length > 0 && !only.includes(name)) return undefined;
  const started = Date.now();
  process.stdout.write(`\n━━ ${name}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  steps.push({ name, ok, seconds });
  return ok;
};

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

// A check that is one pass or one failure.
const check = (name, command, args) => {
  const ok = run(name, command, args);
  if (ok === undefined) return;
  if (ok) passed++;
  else failed++;
};

const bin = (name) => path.join(root, 'node_modules', '.bin', name);

check('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
check('lint', bin('biome'), ['check', '.']);

const vitestJson = path.join(reports, 'vitest.json');
const vitestOk = run('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (vitestOk !== undefined) {
  const report = readJson(vitestJson);
  if (report) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A file that failed to load counts as a failure even though none of its tests ran.
    failed += report.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
  } else {
    failed++;
  }
  if (!vitestOk && report && report.numFailedTests === 0) failed++;
}

const built = run('web-build', 'npm', ['run', 'build', '-w', '@shegong/web']);
if (built === false) failed++;

const pwJson = path.join(reports, 'playwright.json');
const e2eOk =
  built === false
    ? false
    : run('e2e', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts'], {
        PW_JSON_OUTPUT: pwJson,
      });
if (e2eOk !== undefined) {
  const report = readJson(pwJson);
  if (report?.stats) {
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    if (!e2eOk && report.stats.unexpected === 0) failed++;
  } else {
    failed++;
  }
}

process.stdout.write('\n━━ 汇总 summary\n');
for (const step of steps) {
  process.stdout.write(`${step.ok ? '✔' : '✘'} ${step.name} (${step.seconds}s)\n`);
}
const line = `${passed} passed, ${failed} failed`;
fs.writeFileSync(path.join(reports, 'summary.txt'), `${line}\n`);
process.stdout.write(`${line}\n`);
process.exit(failed > 0 || steps.some((s) => !s.ok) ? 1 : 0);

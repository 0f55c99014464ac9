// Crash safety of the first start on PGlite: SIGKILL `shegong start` at a random moment while it
// creates the data directory (initdb), applies the migrations or loads the demo, then start it
// again on the same directory and check that it comes up (health, login) — or report how it fails.
//
//   node --import tsx bench/crash/first-start.ts [--trials 20] [--demo-workers 500]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseOptions, positiveInt } from './args.ts';
import { collectOutput } from './child.ts';

const root = path.resolve(import.meta.dirname, '../..');
const USAGE = 'node --import tsx bench/crash/first-start.ts [--trials 20] [--demo-workers 500]';
const options = parseOptions(
  {
    trials: { type: 'string', default: '20' },
    'demo-workers': { type: 'string', default: '500' },
  },
  USAGE,
);
const trials = positiveInt('trials', options.trials, USAGE);
const demoWorkers = String(positiveInt('demo-workers', options['demo-workers'], USAGE));
const port = 3331;

const launch = (dataDir: string) => {
  const child = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/bin/shegong.mjs'), 'start'],
    {
      env: {
        ...(process.env as Record<string, string>),
        PORT: String(port),
        DATA_DIR: dataDir,
        DEMO_WORKERS: demoWorkers,
        LOG_LEVEL: 'warn',
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = collectOutput(child);
  const up = async (timeoutMs: number) => {
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      if (child.exitCode !== null) return { ok: false, ms: performance.now() - t0 };
      try {
        if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok)
          return { ok: true, ms: performance.now() - t0 };
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, ms: performance.now() - t0 };
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  return { child, up, stop, output };
};

const dataDir = path.join(root, '.tmp/bench-crash-first');
// Calibrate: a whole first start.
fs.rmSync(dataDir, { recursive: true, force: true });
const calib = launch(dataDir);
const c = await calib.up(600_000);
await calib.stop('SIGTERM');
if (!c.ok) throw new Error(`first start failed: ${calib.output().slice(-2000)}`);
console.log(
  `first start (initdb, migrations, demo of ${demoWorkers}): ${(c.ms / 1000).toFixed(1)} s`,
);
let failures = 0;
for (let trial = 1; trial <= trials; trial++) {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const first = launch(dataDir);
  const delay = Math.round(Math.random() * c.ms);
  await new Promise((r) => setTimeout(r, delay));
  await first.stop('SIGKILL');
  const files = fs.existsSync(path.join(dataDir, 'pgdata'))
    ? fs.readdirSync(path.join(dataDir, 'pgdata')).length
    : 0;
  const hasVersion = fs.existsSync(path.join(dataDir, 'pgdata/PG_VERSION'));
  const stage = /已启动/.test(first.output())
    ? 'started'
    : /载入演示数据/.test(first.output())
      ? 'demo'
      : 'initdb/migrations';
  const second = launch(dataDir);
  const r = await second.up(300_000);
  let login = '';
  if (r.ok) {
    const text = fs.existsSync(path.join(dataDir, 'initial-admin.txt'))
      ? fs.readFileSync(path.join(dataDir, 'initial-admin.txt'), 'utf8')
      : '';
    const password = text.match(/^password=(.+)$/m)?.[1];
    const res = password
      ? await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        })
      : undefined;
    login = res?.ok ? 'login ok' : `login FAILED (${res?.status ?? 'no initial-admin.txt'})`;
    if (!res?.ok) failures++;
  } else {
    failures++;
  }
  await second.stop('SIGTERM');
  console.log(
    `trial ${trial}: killed at ${delay} ms (${stage}; pgdata ${files} entries, PG_VERSION ${hasVersion ? 'yes' : 'no'}) → restart ${r.ok ? `up in ${(r.ms / 1000).toFixed(1)} s, ${login}` : `FAILED after ${(r.ms / 1000).toFixed(1)} s: ${second.output().slice(-300).replace(/\s+/g, ' ')}`}`,
  );
}
console.log(`${trials - failures}/${trials} first-start kills recovered`);
process.exit(failures === 0 ? 0 : 1);

// Why a PGlite data directory killed during its creation may never open again: a child creates
// PGlite in a fresh directory; this process kills it (SIGKILL) a given time after PG_VERSION
// appears in the directory, then tries to open the directory in another child.
//
//   node --import tsx bench/crash/initdb-kill.ts [delays in ms after PG_VERSION, e.g. 0 20 100 400]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { collectOutput } from './child.ts';

const root = path.resolve(import.meta.dirname, '../..');
const delays = process.argv.slice(2).map(Number);
const open = (dir: string) =>
  spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { PGlite } from '@electric-sql/pglite';
       const t0 = Date.now();
       const db = await PGlite.create({ dataDir: ${JSON.stringify(dir)} });
       const r = await db.query('select count(*)::int as n from pg_class');
       console.log('opened in', Date.now() - t0, 'ms, pg_class rows', r.rows[0].n);
       await db.close();`,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
for (const delay of delays.length ? delays : [0, 20, 100, 400]) {
  const dir = path.join(root, `.tmp/bench-crash-initdb/d${delay}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const child = open(dir);
  const t0 = performance.now();
  let seen = 0;
  while (child.exitCode === null) {
    if (!seen && fs.existsSync(path.join(dir, 'PG_VERSION'))) seen = performance.now();
    if (seen && performance.now() - seen >= delay) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).length : 0;
  const again = open(dir);
  const out = collectOutput(again);
  const code = await new Promise((r) => again.once('exit', r));
  console.log(
    `kill ${delay} ms after PG_VERSION (at ${((seen - t0) / 1000).toFixed(1)} s, ${files} entries) → reopen exit ${code}: ${out().trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`,
  );
}

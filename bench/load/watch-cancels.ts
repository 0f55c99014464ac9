// Watches the statement cancels of a load run's end (docs/reliability.md): polls pg_stat_activity
// every ≈ 5 ms until SIGINT, then prints the last changes in the connections on the bench
// database, the most `shegong-cancel` connections at once and how many distinct ones were seen.
//
//   BENCH_LOAD_DB=bench_load node --import tsx bench/load/watch-cancels.ts &   (then the run;
//   kill -INT the watcher a few seconds after the run ends)
import pg from 'pg';

const db = process.env.BENCH_LOAD_DB ?? 'bench_load';
const base = process.env.PG_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const client = new pg.Client({ connectionString: `${base}/postgres` });
await client.connect();
let peak = 0;
let peakAt = '';
let polls = 0;
let last = -1;
const seen = new Set<number>();
const changes: string[] = [];
let stop = false;
process.on('SIGINT', () => {
  stop = true;
});
while (!stop) {
  const { rows } = await client.query<{ pid: number; application_name: string; state: string }>(
    `select pid, application_name, state from pg_stat_activity
      where datname = $1 and pid <> pg_backend_pid()`,
    [db],
  );
  polls++;
  const cancels = rows.filter((r) => r.application_name === 'shegong-cancel');
  for (const r of cancels) seen.add(r.pid);
  if (cancels.length > peak) {
    peak = cancels.length;
    peakAt = new Date().toISOString();
  }
  if (rows.length !== last) {
    const active = rows.filter((r) => r.state === 'active').length;
    changes.push(
      `${new Date().toISOString().slice(11, 23)} on ${db}: ${rows.length} connections (${cancels.length} cancel, ${active} active)`,
    );
    last = rows.length;
  }
  await new Promise((r) => setTimeout(r, 5));
}
console.log(changes.slice(-12).join('\n'));
console.log(
  `polls ${polls}, most shegong-cancel connections at once ${peak}${peakAt ? ` (${peakAt})` : ''}, distinct ${seen.size}`,
);
await client.end();

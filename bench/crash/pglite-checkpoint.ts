// PGlite checkpoints: does the redo point move when WAL passes max_wal_size? (It does not: PGlite
// is one backend without a checkpointer; only CHECKPOINT or a clean close move it.)
//
//   node --import tsx bench/crash/pglite-checkpoint.ts
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const dir = '.tmp/bench-crash-ckpt';
fs.rmSync(dir, { recursive: true, force: true });
let db = await PGlite.create({ dataDir: dir });
await db.exec(`alter system set max_wal_size = '32MB'`);
await db.exec(`alter system set min_wal_size = '32MB'`);
await db.close();
db = await PGlite.create({ dataDir: dir });
const show = async (label: string) => {
  const r = await db.query<any>(
    `select current_setting('max_wal_size') m, pg_current_wal_lsn()::text cur, redo_lsn::text redo, pg_size_pretty(pg_current_wal_lsn() - redo_lsn) since from pg_control_checkpoint()`,
  );
  console.log(label, r.rows[0]);
};
await show('start');
await db.exec(`create table t (id int, pad text)`);
for (let i = 0; i < 6; i++) {
  await db.exec(`insert into t select g, repeat('x', 500) from generate_series(1, 40000) g`);
  await show(`after ${(i + 1) * 40000} rows`);
}
await db.exec('checkpoint');
await show('after CHECKPOINT');
await db.close();

import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openTestDatabase, testDbKind } from '../testing/test-db.ts';
import { queryRows } from './client.ts';

// `afterwards`: maintenance after an answer (the VACUUM (ANALYZE) after a large import) runs in
// order, never throws to the caller, and `close` waits for it.
describe(`maintenance after the answer (${testDbKind()})`, () => {
  it('runs the tasks in order; a failure goes to its handler and the next task still runs', async () => {
    const database = await openTestDatabase();
    try {
      const ran: string[] = [];
      const failures: unknown[] = [];
      database.afterwards(async () => {
        await database.db.execute(sql`create table after_t (v int)`);
        ran.push('create');
      }, failures.push.bind(failures));
      database.afterwards(
        () => database.db.execute(sql`insert into no_such_table values (1)`),
        (error) => failures.push(error),
      );
      database.afterwards(async () => {
        await database.db.execute(sql`insert into after_t values (1), (2)`);
        await database.db.execute(sql`vacuum (analyze) after_t`);
        ran.push('vacuum');
      }, failures.push.bind(failures));
      expect(ran).toEqual([]);
      await database.settled();
      expect(ran).toEqual(['create', 'vacuum']);
      expect(failures).toHaveLength(1);
      expect(String((failures[0] as Error).cause ?? failures[0])).toMatch(/no_such_table/);
      const [t] = await queryRows<{ tuples: number }>(
        database.db,
        sql`select reltuples::int as tuples from pg_class where relname = 'after_t'`,
      );
      expect(t!.tuples).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('close waits for what is queued', async () => {
    const database = await openTestDatabase();
    let done = false;
    database.afterwards(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await database.db.execute(sql`select 1`);
        done = true;
      },
      () => undefined,
    );
    await database.close();
    expect(done).toBe(true);
  });
});

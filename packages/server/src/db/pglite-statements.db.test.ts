import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { seedDemo } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { queryRows } from './client.ts';
import { PgliteStatements } from './pglite-statements.ts';

// drizzle's two configurations of the pglite driver (raw `execute` and the query builders).
const drizzleParsers = {
  1114: (v: string) => v,
  1184: (v: string) => v,
  1186: (v: string) => v,
  1082: (v: string) => v,
  1231: (v: string) => v,
  1115: (v: string) => v,
  1185: (v: string) => v,
  1187: (v: string) => v,
  1182: (v: string) => v,
};

const typed = `select $1::int8 as big, $2::numeric as num, $3::date as d, $4::timestamptz as ts,
  $5::jsonb as doc, $6::text[] as texts, $7::int4[] as ints, $8::bool as flag, $9::bytea as raw,
  $10::text as nothing, $11::float8 as f, '名字'::text as "名字", $12::interval as span,
  $13::uuid as id`;
const typedParams = [
  '9007199254740993',
  '12.50',
  '2026-12-08',
  '2026-12-08T01:02:03.456Z',
  { a: [1, '二'], b: null },
  ['a', 'b c', '"q"', null],
  [1, 2, 3],
  true,
  new Uint8Array([0, 1, 255]),
  null,
  1.25,
  '1 day 02:00:00',
  '0b8f0b6e-8a4f-4a1e-9d7e-3d4c5b6a7f80',
];

describe('PgliteStatements: every statement as a kept named statement on PGlite', () => {
  let pglite: PGlite;
  let statements: PgliteStatements;

  beforeAll(async () => {
    pglite = await PGlite.create();
    statements = new PgliteStatements(pglite, 3);
    await pglite.exec(`create table t (id int primary key, name text not null unique, n int8);
      insert into t values (1, 'a', 10), (2, 'b', 20)`);
  });
  afterAll(() => pglite.close());

  it('gives what PGlite query gives: rows, fields, counts, each type, both row modes', async () => {
    for (const options of [
      undefined,
      { rowMode: 'object' as const, parsers: drizzleParsers },
      { rowMode: 'array' as const, parsers: drizzleParsers },
    ]) {
      for (let run = 0; run < 7; run++) {
        const mine = await statements.query(typed, typedParams, options);
        const theirs = await pglite.query(typed, typedParams, options);
        expect(mine).toEqual(theirs);
      }
    }
    const nulls = typedParams.map(() => null);
    expect(await statements.query(typed, nulls)).toEqual(await pglite.query(typed, nulls));
    for (const [text, params] of [
      ['update t set n = n + 1 where id > $1', [0]],
      ['insert into t values ($1, $2, $3) on conflict (id) do nothing', [1, 'a', 1]],
      ['select id, name from t where id = any($1::int[]) order by id', [[1, 2]]],
      ['select id from t where false', []],
    ] as const) {
      const mine = await statements.query(text, [...params]);
      const theirs = await pglite.query(text, [...params]);
      if (text.startsWith('update')) {
        expect(mine.affectedRows).toBe(2);
        expect(theirs.affectedRows).toBe(2);
      } else expect(mine).toEqual(theirs);
    }
  });

  it('keeps at most max statements, closing the oldest; a closed one is parsed again', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await statements.query(`select $1::int + ${i} as v`, [1])).rows).toEqual([
        { v: 1 + i },
      ]);
    }
    expect(statements.size).toBe(3);
    const kept = await pglite.query<{ n: number }>(
      'select count(*)::int as n from pg_prepared_statements',
    );
    expect(kept.rows[0]!.n).toBe(3);
    // The same text with declared parameter types: parsed again, the other one closed.
    expect((await statements.query('select $1 as v', ['7'], { paramTypes: [23] })).rows).toEqual([
      { v: 7 },
    ]);
    expect((await statements.query('select $1 as v', ['7'], { paramTypes: [25] })).rows).toEqual([
      { v: '7' },
    ]);
    await statements.query('select 2 as two', []);
    const after = await pglite.query<{ n: number }>(
      'select count(*)::int as n from pg_prepared_statements',
    );
    expect(after.rows[0]!.n).toBe(statements.size);
    expect((await statements.query('select $1::int + 0 as v', [2])).rows).toEqual([{ v: 2 }]);
  });

  it('forgets its statements after a change of the schema (no stale result type)', async () => {
    await statements.query('create table u (a int)', []);
    await statements.query('insert into u values ($1)', [1]);
    for (let i = 0; i < 7; i++) {
      expect((await statements.query('select * from u', [])).rows).toEqual([{ a: 1 }]);
    }
    await statements.query('alter table u add column b text', []);
    expect((await statements.query('select * from u', [])).rows).toEqual([{ a: 1, b: null }]);
    await statements.query('drop table u', []);
    expect(statements.size).toBe(0);
    // The forgotten ones are closed with the next parse.
    await statements.query('select 1 as one', []);
    const kept = await pglite.query<{ n: number }>(
      'select count(*)::int as n from pg_prepared_statements',
    );
    expect(kept.rows[0]!.n).toBe(statements.size);
  });

  it('throws PGlite’s database error with the statement; the next statements run', async () => {
    const error = await statements
      .query('insert into t (id, name) values ($1, $2)', [3, 'a'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: '23505',
      constraint: 't_name_key',
      query: 'insert into t (id, name) values ($1, $2)',
      params: [3, 'a'],
    });
    const parseError = await statements.query('select nope from t', []).catch((e) => e);
    expect(parseError).toMatchObject({ code: '42703' });
    await expect(statements.query('select nope from t', [])).rejects.toMatchObject({
      code: '42703',
    });
    expect((await statements.query('select count(*)::int as n from t', [])).rows).toEqual([
      { n: 2 },
    ]);
  });

  it('leaves a COPY from a Blob to PGlite, outside and inside a transaction', async () => {
    await statements.query("copy t (id, name, n) from '/dev/blob' with (format csv)", [], {
      blob: new Blob(['7,g,70\n']),
    });
    await statements.transaction(async (tx) => {
      await tx.query("copy t (id, name, n) from '/dev/blob' with (format csv)", [], {
        blob: new Blob(['8,h,80\n']),
      });
      expect((await tx.query('select count(*)::int as n from t', [])).rows).toEqual([{ n: 4 }]);
    });
    await statements.query('delete from t where id in ($1, $2)', [7, 8]);
  });

  it('runs a transaction’s statements in it; a failed one rolls it back', async () => {
    await expect(
      statements.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2, $3)', [3, 'c', 30]);
        expect((await tx.query('select count(*)::int as n from t', [])).rows).toEqual([{ n: 3 }]);
        await tx.query('insert into t values ($1, $2, $3)', [4, 'c', 40]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await statements.query('select count(*)::int as n from t', [])).rows).toEqual([
      { n: 2 },
    ]);
    // A statement outside waits for the transaction in course (it does not run inside it).
    let outside: Promise<unknown> | undefined;
    await statements.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2, $3)', [5, 'e', 50]);
      outside = statements.query('select count(*)::int as n from t', []);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.rollback();
    });
    expect(((await outside) as { rows: unknown[] }).rows).toEqual([{ n: 2 }]);
  });
});

describe(`drizzle over the database's client (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 3);
  });
  afterAll(() => services.database.close());

  it('reads the same rows with and without a transaction, many times', async () => {
    const { db } = services.database;
    const read = sql`select code, level, name, path from org where parent_code is not distinct from ${null} or code = ${'640104'} order by code`;
    const first = await queryRows(db, read);
    expect(first.length).toBeGreaterThan(0);
    for (let i = 0; i < 8; i++) expect(await queryRows(db, read)).toEqual(first);
    await db.transaction(async (tx) => {
      expect(await queryRows(tx, read)).toEqual(first);
    });
  });
});

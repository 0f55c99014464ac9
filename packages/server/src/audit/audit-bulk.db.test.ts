import { asc } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { auditLog } from '../db/schema/index.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import {
  auditJson,
  canonicalJson,
  openAuditBulk,
  setAuditHashSuite,
  type TAuditEntry,
  verifyAuditChain,
  writeAudit,
  writeAuditBulk,
} from './audit.ts';

// The bulk path (COPY) must leave rows that writeAudit could have written: the same columns,
// one chain across both writers, under either hash suite.

const entry = (i: number, extra: Partial<TAuditEntry> = {}): TAuditEntry => ({
  actorId: null,
  actorName: '导入员',
  action: 'create',
  entity: 'worker',
  entityId: `w${i}`,
  orgPath: '/000000/640000/',
  after: { name: `张三${i}`, n: i, ok: i % 2 === 0, at: new Date(Date.UTC(2020, 0, 1 + i)) },
  reason: 'Excel 导入：花名册.xlsx',
  ...extra,
});

describe('auditJson', () => {
  it('is canonicalJson of the value after a JSON round trip, for any JSON-like value', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({ noInvalidDate: true }),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const expected =
          v === undefined ? 'null' : canonicalJson(JSON.parse(JSON.stringify(v) ?? 'null'));
        expect(auditJson(v)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe(`bulk audit writer (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(() => services.database.close());
  afterEach(() => setAuditHashSuite('intl'));

  it('continues the chain of writeAudit and stores the same values, and the chain verifies', async () => {
    const { database } = services;
    const { db } = database;
    await db.transaction((tx) => writeAudit(tx, entry(0)));
    await db.transaction(async (tx) => {
      // More than one COPY chunk, with before/after absent, null and nested.
      const entries = Array.from({ length: 12_000 }, (_, i) =>
        entry(i + 1, i % 3 === 0 ? { after: undefined, before: null } : {}),
      );
      expect(await writeAuditBulk(database, tx, entries)).toBe(12_000);
      // writeAudit after the bulk rows in the same transaction continues from their last hash.
      await writeAudit(tx, entry(99_999, { before: { a: [1, { b: 'x' }] } }));
    });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 12_002 });
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq)).limit(3);
    expect(rows.map((r) => [r.entityId, r.before, r.after])).toEqual([
      ['w0', null, { name: '张三0', n: 0, ok: true, at: '2020-01-01T00:00:00.000Z' }],
      ['w1', null, null],
      ['w2', null, { name: '张三2', n: 2, ok: true, at: '2020-01-03T00:00:00.000Z' }],
    ]);
  });

  it('hashes with SM3 under the gm suite, and a mixed chain still verifies', async () => {
    const { database } = services;
    setAuditHashSuite('gm');
    await database.db.transaction(async (tx) => {
      const writer = await openAuditBulk(database, tx);
      for (let i = 0; i < 30; i++) await writer.add(entry(i));
      await writer.addJson({
        actorId: null,
        actorName: 't',
        action: 'create',
        entity: 'worker',
        entityId: 'json',
        afterJson: auditJson({ b: 1, a: '二' }),
      });
      expect(await writer.end()).toBe(31);
    });
    const last = await database.db
      .select()
      .from(auditLog)
      .orderBy(asc(auditLog.seq))
      .offset(12_002);
    expect(last).toHaveLength(31);
    expect(last.every((r) => r.hash.startsWith('sm3:'))).toBe(true);
    expect(last.at(-1)!.after).toEqual({ a: '二', b: 1 });
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, count: 12_033 });
  });

  it('stores text that COPY must quote or could misread as it was given', async () => {
    // The bulk rows go as CSV with a tab between values and U+0001 as the quote (`rawLine`):
    // tabs, line breaks, the quote itself, backslashes, an empty string against null, and
    // JSON text holding escapes must all come back unchanged and hash as writeAudit's.
    const { database } = services;
    const awkward = ['a\tb', 'c\nd\re', 'f\u0001g', 'h\\i', '\\N', '\\.', '"j",k', ''];
    await database.db.transaction(async (tx) => {
      const writer = await openAuditBulk(database, tx);
      for (const [i, text] of awkward.entries())
        await writer.add(
          entry(i, {
            actorName: text,
            entityId: `awkward${i}`,
            reason: text,
            after: { text, nested: JSON.stringify([text]) },
          }),
        );
      await writer.add(entry(99, { entityId: 'nulls', orgPath: null, reason: null }));
      await writer.end();
    });
    const rows = await database.db
      .select()
      .from(auditLog)
      .orderBy(asc(auditLog.seq))
      .offset(12_033);
    expect(rows.map((r) => [r.actorName, r.reason, r.after])).toEqual([
      ...awkward.map((text) => [text, text, { text, nested: JSON.stringify([text]) }]),
      ['导入员', null, expect.objectContaining({ n: 99 })],
    ]);
    expect(rows.at(-1)!.orgPath).toBeNull();
    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: true,
      count: 12_033 + awkward.length + 1,
    });
  });

  it('writes nothing when the transaction rolls back', async () => {
    const { database } = services;
    await expect(
      database.db.transaction(async (tx) => {
        await writeAuditBulk(database, tx, [entry(1), entry(2)]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, count: 12_042 });
  });
});

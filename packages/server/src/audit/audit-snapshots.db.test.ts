import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { auditLog } from '../db/schema/index.ts';
import { findImportCreations, listAuditRows } from '../modules/audit/audit.repo.ts';
import { newId } from '../security/ids.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import {
  auditHash,
  auditJson,
  openAuditBulk,
  SNAPSHOT_DOCUMENT,
  setAuditHashSuite,
  snapshotRecord,
  type TCreatedRecord,
  type TSnapshotDocument,
  verifyAuditChain,
  writeAudit,
} from './audit.ts';

// Records created by an import are audited in the compact form: one row of the chain per chunk
// (the snapshot document), holding every record's id and snapshot. A record's history must still
// show its snapshot, and verification must catch a document changed.

const BATCH = '0193a000-0000-7000-8000-000000000001';
const ROOT = { kind: 'org', path: '/000000/', orgCode: '000000' } as const;
const scopeOf = (path: string) =>
  ({ kind: 'org', path, orgCode: path.split('/').at(-2) as string }) as const;
const COLUMNS = ['name', 'orgPath', 'postTitle'];

const records = (n: number): TCreatedRecord[] =>
  Array.from({ length: n }, (_, i) => {
    const orgPath = `/000000/640000/64010${i % 2}/`;
    return { entityId: newId(), orgPath, row: i + 2, values: [`张三${i}`, orgPath, '网格员'] };
  });

describe(`import snapshot documents in the audit chain (${testDbKind()})`, () => {
  let services: TServices;
  beforeEach(async () => {
    services = await createTestServices();
  });
  afterEach(async () => {
    setAuditHashSuite('intl');
    await services.database.close();
  });

  const writeCreated = async (list: TCreatedRecord[]) => {
    const { database } = services;
    await database.db.transaction(async (tx) => {
      await writeAudit(tx, {
        actorId: null,
        actorName: 't',
        action: 'a',
        entity: 'e',
        entityId: '0',
      });
      const bulk = await openAuditBulk(database, tx);
      await bulk.addCreated({
        actorId: null,
        actorName: '导入员',
        entity: 'worker',
        reason: `Excel 导入（批次 ${BATCH}）`,
        batchId: BATCH,
        columns: COLUMNS,
        records: list,
      });
      await bulk.end();
    });
  };

  /** A document as `addCreated` wrote it before format 3 — format 1 (rows as arrays, no `v`)
   * or format 2 (each row the JSON text of its array, `v: 2`): existing data directories hold
   * such rows, which must still be read and verified. */
  const writeOld = async (format: 1 | 2, list: TCreatedRecord[]) => {
    const { database } = services;
    const rowsOf = list.map((r) => [...r.values, r.row]);
    await database.db.transaction(async (tx) => {
      const bulk = await openAuditBulk(database, tx);
      await bulk.addJson({
        actorId: null,
        actorName: '导入员',
        action: 'create',
        entity: SNAPSHOT_DOCUMENT,
        entityId: list[0]!.entityId,
        orgPath: '/000000/640000/',
        afterJson: auditJson({
          batchId: BATCH,
          columns: [...COLUMNS, 'row'],
          entity: 'worker',
          ids: list.map((r) => r.entityId),
          rows: format === 1 ? rowsOf : rowsOf.map((r) => JSON.stringify(r)),
          ...(format === 2 ? { v: 2 } : {}),
        }),
        reason: `Excel 导入（批次 ${BATCH}）`,
      });
      await bulk.end();
    });
  };

  const rows = () => services.database.db.select().from(auditLog).orderBy(asc(auditLog.seq));

  it('writes one chained row for the records, and finds each record’s snapshot in it again', async () => {
    const list = records(7);
    await writeCreated(list);
    const all = await rows();
    expect(all.map((r) => r.entity)).toEqual(['e', SNAPSHOT_DOCUMENT]);
    const doc = all[1]!;
    // The narrowest org holding every record, and the smallest id (the lookup's key).
    expect(doc.orgPath).toBe('/000000/640000/');
    expect(doc.entityId).toBe(list[0]!.entityId);
    // Format 3: the value all records share once (postTitle), each record's other values (and
    // its row in the file) as the JSON text of an array, one jsonb string a record; two org
    // paths among 7 records are not worth coding.
    expect(doc.after).toEqual({
      batchId: BATCH,
      codes: {},
      columns: ['name', 'orgPath', 'row'],
      entity: 'worker',
      fixed: { postTitle: '网格员' },
      ids: list.map((r) => r.entityId),
      rows: list.map((r) => JSON.stringify([r.values[0], r.values[1], r.row])),
      v: 3,
    });
    expect(snapshotRecord(doc.after as TSnapshotDocument, 2)).toEqual({
      name: '张三2',
      orgPath: '/000000/640000/640100/',
      postTitle: '网格员',
      row: 4,
    });
    const third = await findImportCreations(
      services.database.db,
      ROOT,
      'worker',
      list[2]!.entityId,
    );
    expect(third).toEqual([
      {
        seq: doc.seq,
        id: doc.id,
        at: new Date(doc.at).toISOString(),
        actorId: null,
        actorName: '导入员',
        action: 'create',
        entity: 'worker',
        entityId: list[2]!.entityId,
        orgPath: '/000000/640000/640100/',
        before: null,
        after: {
          id: list[2]!.entityId,
          name: '张三2',
          orgPath: '/000000/640000/640100/',
          postTitle: '网格员',
        },
        reason: `Excel 导入（批次 ${BATCH}）`,
        importRef: { batchId: BATCH, row: 4, documentSeq: doc.seq },
      },
    ]);
    expect(await findImportCreations(services.database.db, ROOT, 'worker', newId())).toEqual([]);
    // Listed, the document is its batch and number of records, not its 7 snapshots.
    const listed = await listAuditRows(services.database.db, ROOT, {
      entity: SNAPSHOT_DOCUMENT,
      limit: 10,
    });
    expect(listed.map((r) => r.after)).toEqual([{ batchId: BATCH, entity: 'worker', records: 7 }]);
    expect(await verifyAuditChain(services.database.db)).toMatchObject({ ok: true, count: 2 });
  });

  it('holds a column of few distinct values once (coded) and reads its records back', async () => {
    const { database } = services;
    const { db } = database;
    // Columns in sorted order, as an import gives them.
    const columns = ['flag', 'name', 'note', 'odd', 'orgPath', 'postTitle'];
    const odd = 'q"\\\n\u2028\t\u0001';
    const list: TCreatedRecord[] = Array.from({ length: 40 }, (_, i) => {
      const orgPath = `/000000/640000/64010${i % 2}/`;
      const note = ['a"b\\c', 'x\u2028', null][i % 3]!;
      return {
        entityId: newId(),
        orgPath,
        row: i + 2,
        values: [i % 4 === 0, `张三${i}`, note, odd, orgPath, '网格员'],
      };
    });
    await database.db.transaction(async (tx) => {
      const bulk = await openAuditBulk(database, tx);
      await bulk.addCreated({
        actorId: null,
        actorName: '导入员',
        entity: 'worker',
        reason: 'r',
        batchId: BATCH,
        columns,
        records: list,
      });
      await bulk.end();
    });
    const [doc] = await rows();
    const after = doc!.after as TSnapshotDocument;
    // Two org paths, two flags and three notes (one null) among 40 records: coded; the names
    // are not. The escapes of a fixed or coded value are JSON's.
    expect(after.codes).toEqual({
      flag: [true, false],
      note: ['a"b\\c', 'x\u2028', null],
      orgPath: ['/000000/640000/640100/', '/000000/640000/640101/'],
    });
    expect(after.fixed).toEqual({ odd, postTitle: '网格员' });
    expect(after.columns).toEqual(['flag', 'name', 'note', 'orgPath', 'row']);
    expect(after.rows[4]).toBe(JSON.stringify([0, '张三4', 1, 0, 6]));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 1 });
    for (const i of [0, 5, 39]) {
      const expected = Object.fromEntries(columns.map((c, j) => [c, list[i]!.values[j]]));
      expect(snapshotRecord(after, i)).toEqual({ ...expected, row: i + 2 });
      const found = await findImportCreations(db, ROOT, 'worker', list[i]!.entityId);
      expect(found.map((f) => [f.after, f.orgPath, f.importRef.row])).toEqual([
        [{ ...expected, id: list[i]!.entityId }, list[i]!.orgPath, i + 2],
      ]);
    }
    // The scope applies to the record's own org, read through its code.
    const street = scopeOf('/000000/640000/640100/');
    expect(await findImportCreations(db, street, 'worker', list[5]!.entityId)).toEqual([]);
    expect(await findImportCreations(db, street, 'worker', list[4]!.entityId)).toHaveLength(1);
    // A coded value changed changes every record holding it, and breaks the chain.
    await db.execute(
      sql`update audit_log set after = jsonb_set(after, '{codes,orgPath,1}', '"/000000/650000/"')
           where seq = ${doc!.seq}`,
    );
    expect(
      (await findImportCreations(db, ROOT, 'worker', list[5]!.entityId)).map((f) => f.orgPath),
    ).toEqual(['/000000/650000/']);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: doc!.seq });
  });

  it('keeps a value jsonb cannot hold as text (NUL, a lone surrogate) in the rows, even one all records share', async () => {
    const { database } = services;
    const list: TCreatedRecord[] = Array.from({ length: 8 }, (_, i) => ({
      entityId: newId(),
      orgPath: '/000000/640000/',
      row: i + 2,
      values: ['a\u0000', `张三${i}`, '\ud800', '网格员'],
    }));
    await database.db.transaction(async (tx) => {
      const bulk = await openAuditBulk(database, tx);
      await bulk.addCreated({
        actorId: null,
        actorName: '导入员',
        entity: 'worker',
        reason: 'r',
        batchId: BATCH,
        columns: ['a', 'name', 'b', 'postTitle'],
        records: list,
      });
      await bulk.end();
    });
    const after = (await rows())[0]!.after as TSnapshotDocument;
    expect(after.fixed).toEqual({ postTitle: '网格员' });
    expect(after.columns).toEqual(['a', 'name', 'b', 'row']);
    expect(snapshotRecord(after, 3)).toEqual({
      a: 'a\u0000',
      name: '张三3',
      b: '\ud800',
      postTitle: '网格员',
      row: 5,
    });
    expect(await verifyAuditChain(services.database.db)).toMatchObject({ ok: true, count: 1 });
  });

  it('shows a record’s creation only to a scope holding the record, not the document', async () => {
    const list = records(4);
    await writeCreated(list);
    const { db } = services.database;
    // The document's org_path is /000000/640000/; record 2 is under 640100, record 3 under 640101.
    const street = scopeOf('/000000/640000/640100/');
    const found = await findImportCreations(db, street, 'worker', list[2]!.entityId);
    expect(found.map((f) => f.orgPath)).toEqual(['/000000/640000/640100/']);
    expect(await findImportCreations(db, street, 'worker', list[3]!.entityId)).toEqual([]);
    expect(
      await findImportCreations(db, scopeOf('/000000/650000/'), 'worker', list[2]!.entityId),
    ).toEqual([]);
  });

  it('detects a changed snapshot in a document', async () => {
    const list = records(3);
    await writeCreated(list);
    const doc = (await rows())[1]!;
    const { db } = services.database;
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 });
    const forgedRow = JSON.stringify(['李四', list[1]!.orgPath, 3]);
    await db.execute(
      sql`update audit_log set after = jsonb_set(after, '{rows,1}', to_jsonb(${forgedRow}::text))
           where seq = ${doc.seq}`,
    );
    // The forged name is what the worker's history would now show …
    const found = await findImportCreations(db, ROOT, 'worker', list[1]!.entityId);
    expect(found[0]!.after).toMatchObject({ name: '李四' });
    // … and the chain breaks at the document.
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: doc.seq });
  });

  it.each([1, 2] as const)(
    'reads and verifies a document of format %i, and detects it changed',
    async (format) => {
      const list = records(5);
      await writeOld(format, list);
      await writeCreated(records(2));
      const { db } = services.database;
      const [old, , doc] = await rows();
      expect((old!.after as TSnapshotDocument).v).toBe(format === 1 ? undefined : 2);
      expect((doc!.after as TSnapshotDocument).v).toBe(3);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 3 });
      expect(snapshotRecord(old!.after as TSnapshotDocument, 3)).toEqual({
        name: '张三3',
        orgPath: '/000000/640000/640101/',
        postTitle: '网格员',
        row: 5,
      });
      const found = await findImportCreations(db, ROOT, 'worker', list[3]!.entityId);
      expect(found).toEqual([
        expect.objectContaining({
          seq: old!.seq,
          entityId: list[3]!.entityId,
          orgPath: '/000000/640000/640101/',
          after: {
            id: list[3]!.entityId,
            name: '张三3',
            orgPath: '/000000/640000/640101/',
            postTitle: '网格员',
          },
          importRef: { batchId: BATCH, row: 5, documentSeq: old!.seq },
        }),
      ]);
      // The scope applies to the record's own org in the old formats too.
      const street = scopeOf('/000000/640000/640100/');
      expect(await findImportCreations(db, street, 'worker', list[3]!.entityId)).toEqual([]);
      expect(
        (await findImportCreations(db, street, 'worker', list[2]!.entityId)).map((f) => f.orgPath),
      ).toEqual(['/000000/640000/640100/']);
      const listed = await listAuditRows(db, ROOT, { entity: SNAPSHOT_DOCUMENT, limit: 10 });
      expect(listed.map((r) => r.after)).toEqual([
        { batchId: BATCH, entity: 'worker', records: 2 },
        { batchId: BATCH, entity: 'worker', records: 5 },
      ]);
      const forged =
        format === 1
          ? '"李四"'
          : JSON.stringify(JSON.stringify(['李四', list[1]!.orgPath, '网格员', 3]));
      await db.execute(
        sql`update audit_log set after = jsonb_set(after, ${format === 1 ? '{rows,1,0}' : '{rows,1}'}, ${forged}::jsonb) where seq = ${old!.seq}`,
      );
      expect(
        (await findImportCreations(db, ROOT, 'worker', list[1]!.entityId))[0]!.after,
      ).toMatchObject({ name: '李四' });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: old!.seq });
    },
  );

  it('detects a record dropped from a document and the hash made again, at the next row', async () => {
    await writeCreated(records(3));
    const { db } = services.database;
    await db.transaction((tx) =>
      writeAudit(tx, { actorId: null, actorName: 't', action: 'a', entity: 'e', entityId: '1' }),
    );
    const [first, doc, next] = await rows();
    const d = doc!.after as TSnapshotDocument;
    const after = { ...d, ids: d.ids.slice(1), rows: d.rows.slice(1) };
    const hash = auditHash(first!.hash, { ...doc!, after, at: new Date(doc!.at).toISOString() });
    await db.update(auditLog).set({ after, hash }).where(eq(auditLog.seq, doc!.seq));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: next!.seq });
  });

  it('chains the document under the gm suite (SM3) too', async () => {
    setAuditHashSuite('gm');
    await writeCreated(records(2));
    expect((await rows())[1]!.hash).toMatch(/^sm3:[0-9a-f]{64}$/);
    expect(await verifyAuditChain(services.database.db)).toMatchObject({ ok: true, count: 2 });
  });
});

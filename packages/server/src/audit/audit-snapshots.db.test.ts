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
  snapshotValues,
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

  /** A document of format 1, as `addCreated` wrote it before format 2 (rows as arrays, no
   * `v`): existing data directories hold such rows, which must still be read and verified. */
  const writeFormat1 = async (list: TCreatedRecord[]) => {
    const { database } = services;
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
          rows: list.map((r) => [...r.values, r.row]),
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
    // Format 2: each record's values (and its row in the file) as the JSON text of an array,
    // one jsonb string a record.
    expect(doc.after).toEqual({
      batchId: BATCH,
      columns: [...COLUMNS, 'row'],
      entity: 'worker',
      ids: list.map((r) => r.entityId),
      rows: list.map((r) => JSON.stringify([...r.values, r.row])),
      v: 2,
    });
    expect(snapshotValues(doc.after as TSnapshotDocument, 2)).toEqual([
      '张三2',
      '/000000/640000/640100/',
      '网格员',
      4,
    ]);
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
    const forgedRow = JSON.stringify(['李四', list[1]!.orgPath, '网格员', 3]);
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

  it('reads and verifies a document of format 1 (rows as arrays), and detects it changed', async () => {
    const list = records(5);
    await writeFormat1(list);
    await writeCreated(records(2));
    const { db } = services.database;
    const [old, , doc] = await rows();
    expect((old!.after as TSnapshotDocument).v).toBeUndefined();
    expect((doc!.after as TSnapshotDocument).v).toBe(2);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 3 });
    expect(snapshotValues(old!.after as TSnapshotDocument, 3)).toEqual([
      '张三3',
      '/000000/640000/640101/',
      '网格员',
      5,
    ]);
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
    // The scope applies to the record's own org in format 1 too.
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
    await db.execute(
      sql`update audit_log set after = jsonb_set(after, '{rows,1,0}', '"李四"') where seq = ${old!.seq}`,
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: old!.seq });
  });

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

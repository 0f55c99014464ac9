import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { auditLog } from '../db/schema/index.ts';
import { findImportCreations, listAuditRows } from '../modules/audit/audit.repo.ts';
import { newId } from '../security/ids.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import {
  auditHash,
  openAuditBulk,
  SNAPSHOT_DOCUMENT,
  setAuditHashSuite,
  type TCreatedRecord,
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
    expect(doc.after).toMatchObject({
      batchId: BATCH,
      columns: [...COLUMNS, 'row'],
      entity: 'worker',
      ids: list.map((r) => r.entityId),
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
    await writeCreated(records(3));
    const doc = (await rows())[1]!;
    await services.database.db.execute(
      sql`update audit_log set after = jsonb_set(after, '{rows,1,0}', '"李四"') where seq = ${doc.seq}`,
    );
    const forged = (await rows())[1]!.after as { rows: string[][] };
    expect(forged.rows[1]![0]).toBe('李四');
    expect(await verifyAuditChain(services.database.db)).toMatchObject({
      ok: false,
      brokenAtSeq: doc.seq,
    });
  });

  it('detects a record dropped from a document and the hash made again, at the next row', async () => {
    await writeCreated(records(3));
    const { db } = services.database;
    await db.transaction((tx) =>
      writeAudit(tx, { actorId: null, actorName: 't', action: 'a', entity: 'e', entityId: '1' }),
    );
    const [first, doc, next] = await rows();
    const d = doc!.after as { ids: string[]; rows: unknown[][] };
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

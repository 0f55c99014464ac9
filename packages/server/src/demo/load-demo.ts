import { maskIdNumber, maskPhone, type TCreateWorkerParsed } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { openAuditBulk, type TCreatedRecord, writeAudit } from '../audit/audit.ts';
import type { TDatabase } from '../db/client.ts';
import { archiveItem, org, orgFact, worker } from '../db/schema/index.ts';
import { newWorkerSnapshotValues, SNAPSHOT_COLUMNS } from '../modules/excel/import-workers.ts';
import { rebuildStatRollup } from '../modules/stats/stat-maintenance.ts';
import type { TFieldCrypto } from '../security/field-crypto.ts';
import { newId } from '../security/ids.ts';
import { DEMO_AS_OF, generateDemo, type TDemoOptions, type TDemoWorker } from './generate-demo.ts';

const CHUNK = 1000;

const insertChunks = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) => {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
};

export type TDemoProgress = { workers: number; total: number };

/**
 * Workers of one snapshot document, as an import's chunk: their ids (1 ms apart from the demo's
 * time base) stay within the minute `findImportCreations` looks back from a record's id.
 */
const AUDIT_CHUNK = 5000;

/** Where a snapshot row holds the worker's exit date. */
const EXITED_ON = SNAPSHOT_COLUMNS.indexOf('exitedOn');

/** A demo worker's creation as an import records it (`newWorkerSnapshotValues`). */
const createdRecord = (w: TDemoWorker, index: number): TCreatedRecord => {
  const values = newWorkerSnapshotValues(
    {
      w: { ...w, educationRecognised: true } as unknown as TCreateWorkerParsed,
      birthDate: w.birthDate,
      sex: w.sex,
      community: {
        code: w.communityCode,
        parentCode: null,
        level: 'community',
        name: '',
        path: w.orgPath,
        countyCode: w.countyCode,
      },
    },
    DEMO_AS_OF,
  );
  // The demo's own date: an import of an exited worker takes the day of the import.
  values[EXITED_ON] = w.exitedOn;
  return { entityId: w.id, orgPath: w.orgPath, row: index + 1, values };
};

/**
 * Loads the demo cities into an empty database, county by county, each county in one
 * transaction. Personal data is encrypted like any other record. Each worker's creation is in
 * the audit chain as an import's is (snapshot documents of ≤ 5,000 workers, `addCreated`), so
 * a demo worker's 修改记录 starts with it; one more entry records the load.
 */
export const loadDemo = async (
  database: TDatabase,
  crypto: TFieldCrypto,
  options: TDemoOptions,
  onProgress?: (p: TDemoProgress) => void,
): Promise<{ orgs: number; workers: number }> => {
  const { db } = database;
  const existing = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(worker);
  if ((existing[0]?.n ?? 0) > 0)
    throw new Error('数据库中已有工作者数据，演示数据只能载入空数据库');
  let orgs = 0;
  let workers = 0;
  for (const batch of generateDemo(options)) {
    await db.transaction(async (tx) => {
      await insertChunks(batch.orgs, (chunk) => tx.insert(org).values(chunk).onConflictDoNothing());
      await insertChunks(
        batch.facts.map((f) => ({ ...f, id: newId() })),
        (chunk) => tx.insert(orgFact).values(chunk),
      );
      const rows = batch.workers.map((w) => ({
        id: w.id,
        name: w.name,
        idNumberCipher: crypto.encrypt(w.idNumber),
        idNumberHash: crypto.blindIndex(w.idNumber),
        idNumberMasked: maskIdNumber(w.idNumber),
        birthDate: w.birthDate,
        sex: w.sex,
        phoneCipher: crypto.encrypt(w.phone),
        phoneHash: crypto.blindIndex(w.phone),
        phoneMasked: maskPhone(w.phone),
        ethnicity: w.ethnicity,
        politicalStatus: w.politicalStatus,
        educationLevel: w.educationLevel,
        educationMajor: w.educationMajor,
        educationRecognised: true,
        certificateLevel: w.certificateLevel,
        certificateDate: w.certificateDate,
        veteran: w.veteran,
        livesInCommunity: w.livesInCommunity,
        serviceStartedOn: w.serviceStartedOn,
        priorService: w.priorService,
        status: w.status,
        communityCode: w.communityCode,
        gridCode: w.gridCode,
        orgPath: w.orgPath,
        countyCode: w.countyCode,
        postTitle: w.postTitle,
        hiredOn: w.hiredOn,
        probationUntil: w.probationUntil,
        exitedOn: w.exitedOn,
      }));
      await insertChunks(rows, (chunk) => tx.insert(worker).values(chunk));
      const items = batch.workers.flatMap((w) => [
        {
          id: newId(),
          workerId: w.id,
          countyCode: w.countyCode,
          kind: 'post',
          startOn: w.hiredOn,
          endOn: w.exitedOn,
          data: { title: w.postTitle, communityCode: w.communityCode },
        },
        ...w.assessments.map((a) => ({
          id: newId(),
          workerId: w.id,
          countyCode: w.countyCode,
          kind: 'assessment',
          startOn: `${a.year}-12-31`,
          endOn: null,
          data: { year: a.year, grade: a.grade },
        })),
      ]);
      await insertChunks(items, (chunk) => tx.insert(archiveItem).values(chunk));
      const audit = await openAuditBulk(database, tx);
      for (let i = 0; i < batch.workers.length; i += AUDIT_CHUNK) {
        await audit.addCreated({
          actorId: null,
          actorName: 'system',
          entity: 'worker',
          reason: '载入演示数据',
          batchId: 'demo',
          columns: SNAPSHOT_COLUMNS,
          records: batch.workers.slice(i, i + AUDIT_CHUNK).map(createdRecord),
        });
      }
      await audit.end();
    });
    orgs += batch.orgs.length;
    workers += batch.workers.length;
    onProgress?.({ workers, total: options.workers });
  }
  // Fresh statistics after a bulk load, or the planner misjudges the org-path prefix scans; the
  // workers' pages marked all-visible, or the list's name-search count reads the heap instead of
  // the index alone (PGlite has no autovacuum; docs/performance.md, Load: the name-prefix list).
  await db.execute(sql`analyze`);
  await db.execute(sql`vacuum worker`);
  // The rollup of the loaded workers now: built lazily (ensureStatRollup), a worker written first
  // through the API would make it look built with only that worker in it.
  await rebuildStatRollup(db);
  await db.transaction((tx) =>
    writeAudit(tx, {
      actorId: null,
      actorName: 'system',
      action: 'demo-load',
      entity: 'database',
      entityId: 'demo',
      after: { orgs, workers, seed: options.seed ?? 20240328 },
    }),
  );
  return { orgs, workers };
};

import {
  maskIdNumber,
  maskPhone,
  type TCreateWorkerParsed,
  type TImportIssue,
  todayIso,
} from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { openAuditBulk, type TAuditBulkWriter, type TCreatedRecord } from '../../audit/audit.ts';
import { queryRows } from '../../db/client.ts';
import { newId } from '../../security/ids.ts';
import { type TStatKey, type TWorkerStatFields, workerStatKeys } from '../stats/stat-keys.ts';
import {
  addAlongPath,
  newDelta,
  selectWorkerStatFields,
  type TStatDelta,
  writeStatDelta,
} from '../stats/stat-maintenance.ts';
import { datedChangeItems, type TDatedFields } from '../worker/dated-changes.ts';
import { alignRecordsToWorkerCounty } from '../worker/worker.repo.ts';
import { CopyLines, copyText, textLine } from './copy.ts';
import { missingColumns, type TImporterFactory, type TKindImporter } from './importer.ts';
import { issue, type TMappedColumn, type TRecord, type TSheetLayout } from './parse-file.ts';
import { loadPlaces, type TPlace, type TPlaces } from './places.ts';
import { type TWorkerRowCheck, workerRowCheck } from './worker-row-check.ts';

/** Columns of a new worker, as COPY'd. The rest take their defaults. */
const WORKER_COLUMNS = [
  'id',
  'name',
  'id_number_cipher',
  'id_number_hash',
  'id_number_masked',
  'birth_date',
  'sex',
  'phone_cipher',
  'phone_hash',
  'phone_masked',
  'ethnicity',
  'political_status',
  'education_level',
  'education_major',
  'education_recognised',
  'certificate_level',
  'certificate_date',
  'veteran',
  'lives_in_community',
  'service_started_on',
  'status',
  'community_code',
  'grid_code',
  'org_path',
  'county_code',
  'post_title',
  'hired_on',
  'probation_until',
  'exited_on',
] as const;

const ARCHIVE_COLUMNS = [
  'id',
  'worker_id',
  'county_code',
  'kind',
  'start_on',
  'end_on',
  'data',
  'created_by',
] as const;

/** Columns of a changed worker's staged row (its whole state after the row, see `newValues`). */
const STAGE_COLUMNS = [
  'batch_id',
  'seq',
  'row_no',
  'sheet',
  'id',
  'name',
  'id_number_cipher',
  'id_number_hash',
  'id_number_masked',
  'birth_date',
  'sex',
  'phone_cipher',
  'phone_hash',
  'phone_masked',
  'ethnicity',
  'political_status',
  'education_level',
  'education_major',
  'education_recognised',
  'certificate_level',
  'certificate_date',
  'veteran',
  'lives_in_community',
  'service_started_on',
  'status',
  'community_code',
  'grid_code',
  'org_path',
  'county_code',
  'post_title',
  'hired_on',
  'probation_until',
] as const;

type TColumn = (typeof STAGE_COLUMNS)[number];

/** What a file may change on a registered worker, by field: the columns written and the one
 * compared (the phone by its blind index). */
const UPDATABLE: { field: string; cols: TColumn[]; compare: TColumn }[] = [
  { field: 'name', cols: ['name'], compare: 'name' },
  { field: 'phone', cols: ['phone_cipher', 'phone_hash', 'phone_masked'], compare: 'phone_hash' },
  ...(
    [
      ['ethnicity', 'ethnicity'],
      ['politicalStatus', 'political_status'],
      ['educationLevel', 'education_level'],
      ['educationMajor', 'education_major'],
      ['educationRecognised', 'education_recognised'],
      ['certificateLevel', 'certificate_level'],
      ['certificateDate', 'certificate_date'],
      ['veteran', 'veteran'],
      ['livesInCommunity', 'lives_in_community'],
      ['serviceStartedOn', 'service_started_on'],
      ['status', 'status'],
      ['postTitle', 'post_title'],
      ['hiredOn', 'hired_on'],
      ['probationUntil', 'probation_until'],
    ] as const
  ).map(([field, col]) => ({ field, cols: [col], compare: col })),
  {
    field: 'communityCode',
    cols: ['community_code', 'org_path', 'county_code'],
    compare: 'community_code',
  },
  { field: 'gridCode', cols: ['grid_code'], compare: 'grid_code' },
];

/** A registered or staged row's dated fields (学历、社工证), for `datedChangeItems`. */
const datedFields = (w: Record<string, unknown>): TDatedFields => ({
  educationLevel: w.education_level as string,
  educationRecognised: w.education_recognised as boolean,
  educationMajor: (w.education_major as string | null) ?? null,
  certificateLevel: w.certificate_level as string,
  certificateDate: (w.certificate_date as string | null) ?? null,
});

const DATE_COLUMNS = new Set<string>([
  'certificate_date',
  'service_started_on',
  'hired_on',
  'probation_until',
]);

/** What the lookup reads of a registered worker: every column a row may change or compare. */
const LOOKUP_COLUMNS = [
  'name',
  'phone_cipher',
  'phone_hash',
  'phone_masked',
  'ethnicity',
  'political_status',
  'education_level',
  'education_major',
  'education_recognised',
  'certificate_level',
  'certificate_date',
  'veteran',
  'lives_in_community',
  'service_started_on',
  'status',
  'community_code',
  'grid_code',
  'org_path',
  'county_code',
  'post_title',
  'hired_on',
  'probation_until',
] as const;
const LOOKUP_SQL = LOOKUP_COLUMNS.map((c) => (DATE_COLUMNS.has(c) ? `${c}::text as ${c}` : c)).join(
  ', ',
);

/** Audit fields of a worker: no cipher or hash (as `auditSnapshot`). */
const AUDIT_HIDDEN = new Set(['id_number_cipher', 'id_number_hash', 'phone_cipher', 'phone_hash']);

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A valid row kept until its chunk is compared with the registry. */
type TRow = {
  sheet: string;
  row: number;
  seq: number;
  w: TCreateWorkerParsed;
  /** Blind indexes of the 身份证号 and phone: made for the whole chunk (`processChunk`). */
  hash: string;
  phoneHash: string | null;
  birthDate: string;
  sex: string;
  community: TPlace;
  /** Fields the row's sheet has: only these may change a registered worker. */
  fields: ReadonlySet<string>;
};

/** A registered worker as the lookup reads it (`LOOKUP_COLUMNS`, dates as text). */
type TRegistered = { hash: string; id: string } & Record<string, unknown>;

/**
 * The audit snapshot of a new worker (its columns but ciphers and hashes, as `auditSnapshot`),
 * as canonical JSON: the keys are written in sorted order and the values are primitives, so
 * `JSON.stringify` gives exactly `auditJson` of it (a test checks this).
 */
export const newWorkerSnapshot = (
  id: string,
  r: Pick<TRow, 'w' | 'birthDate' | 'sex' | 'community'>,
  today: string,
) => {
  const { w, community } = r;
  return {
    birthDate: r.birthDate,
    certificateDate: w.certificateDate ?? null,
    certificateLevel: w.certificateLevel,
    communityCode: community.code,
    countyCode: community.countyCode,
    educationLevel: w.educationLevel,
    educationMajor: w.educationMajor ?? null,
    educationRecognised: w.educationRecognised,
    ethnicity: w.ethnicity,
    exitedOn: w.status === '已退出' ? today : null,
    gridCode: w.gridCode ?? null,
    hiredOn: w.hiredOn ?? w.serviceStartedOn,
    id,
    idNumberMasked: maskIdNumber(w.idNumber),
    livesInCommunity: w.livesInCommunity,
    name: w.name,
    orgPath: community.path,
    phoneMasked: w.phone ? maskPhone(w.phone) : null,
    politicalStatus: w.politicalStatus,
    postTitle: w.postTitle,
    probationUntil: w.probationUntil ?? null,
    serviceStartedOn: w.serviceStartedOn,
    sex: r.sex,
    status: w.status,
    veteran: w.veteran,
  };
};

/** The snapshot's keys but `id` (sorted): the columns of a snapshot document's rows. */
export const SNAPSHOT_COLUMNS = [
  'birthDate',
  'certificateDate',
  'certificateLevel',
  'communityCode',
  'countyCode',
  'educationLevel',
  'educationMajor',
  'educationRecognised',
  'ethnicity',
  'exitedOn',
  'gridCode',
  'hiredOn',
  'idNumberMasked',
  'livesInCommunity',
  'name',
  'orgPath',
  'phoneMasked',
  'politicalStatus',
  'postTitle',
  'probationUntil',
  'serviceStartedOn',
  'sex',
  'status',
  'veteran',
] as const satisfies readonly Exclude<keyof ReturnType<typeof newWorkerSnapshot>, 'id'>[];

/**
 * `newWorkerSnapshot`'s values but `id`, in the order of `SNAPSHOT_COLUMNS`, made without the
 * object (a bulk import makes one a row; a test checks the two agree).
 */
export const newWorkerSnapshotValues = (
  r: Pick<TRow, 'w' | 'birthDate' | 'sex' | 'community'>,
  today: string,
): (string | boolean | null)[] => {
  const { w, community } = r;
  return [
    r.birthDate,
    w.certificateDate ?? null,
    w.certificateLevel,
    community.code,
    community.countyCode,
    w.educationLevel,
    w.educationMajor ?? null,
    w.educationRecognised,
    w.ethnicity,
    w.status === '已退出' ? today : null,
    w.gridCode ?? null,
    w.hiredOn ?? w.serviceStartedOn,
    maskIdNumber(w.idNumber),
    w.livesInCommunity,
    w.name,
    community.path,
    w.phone ? maskPhone(w.phone) : null,
    w.politicalStatus,
    w.postTitle,
    w.probationUntil ?? null,
    w.serviceStartedOn,
    r.sex,
    w.status,
    w.veteran,
  ];
};

/** Where `newWorkerSnapshotValues` holds the values the COPY lines use too. */
const AT = Object.fromEntries(SNAPSHOT_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof SNAPSHOT_COLUMNS)[number],
  number
>;

/** Rows compared with the registry at once (one lookup, one COPY of each kind). */
const CHUNK = 5000;

/**
 * Chunks in flight at most while reading goes on: each is looked up, encrypted and made into
 * COPY lines as soon as it is full, and written after the chunk before it. With one, the main
 * thread waited for a chunk's lookup, encryption and three COPYs before it read on (1.4–2.8 s
 * of a 100,000-row import, docs/performance.md, Import, fifth round).
 */
const IN_FLIGHT = 3;

/**
 * Workers (花名册), upserted by the blind index of the 身份证号. Rows are checked as they are
 * read and compared with the registry a chunk at a time (one indexed lookup per chunk): a
 * number registered outside the scope is an error, an unchanged worker writes nothing. At a
 * commit — which reads the file inside its transaction — new workers go straight into `worker`
 * with COPY, with their first post item and their audit row (`openAuditBulk`), while the next
 * chunk is being read; changed workers are COPY'd into `import_stage_worker` and updated with
 * one set-based UPDATE at the end, with the post and exit items a change through the form would
 * bring. Encryption is done once, and only for rows that are written.
 */
export const workerImporter: TImporterFactory = (ctx, batchId, spec, mode): TKindImporter => {
  const { database, crypto } = ctx.services;
  const db = ctx.db;
  const scopePrefix = ctx.actor.scope.path;
  const today = todayIso();
  const commit = mode.commit;
  let places: TPlaces;
  let rowCheck: (record: TRecord, layout: TSheetLayout) => TWorkerRowCheck;
  /** First row of each 身份证号 (as checked: one number, one blind index). */
  const seen = new Map<string, { sheet: string; row: number }>();
  /** Fields of each sheet read (a field missing from a sheet is left as it is for its rows). */
  const sheetFields = new Map<string, ReadonlySet<string>>();
  const idColumns = new Map<string, TMappedColumn>();
  const lateIssues: TImportIssue[] = [];
  const counts = { created: 0, updated: 0, unchanged: 0 };
  let chunk: TRow[] = [];
  /** Chunks being compared and written, oldest first: reading goes on meanwhile. */
  let inFlight: Promise<void>[] = [];
  /** The last chunk submitted: the next one writes after it. */
  let previous: Promise<void> = Promise.resolve();
  /** The transaction's connection takes one statement at a time (pg 9 refuses a second):
   * the chunks' lookups and writes take turns here. */
  let dbTurn: Promise<unknown> = Promise.resolve();
  const onDb = <T>(fn: () => Promise<T>): Promise<T> => {
    const turn = dbTurn.then(fn);
    dbTurn = turn.catch(() => undefined);
    return turn;
  };
  // Commit only:
  let audit: TAuditBulkWriter | undefined;
  let reason = '';
  const stats = newDelta();
  /** Per community path: what its new workers count (summed before going up the tree). */
  const createdStats = new Map<string, { county: string; keys: TKeySums }>();
  const changedIds: string[] = [];
  const closePostsOf: string[] = [];
  /** Workers whose county changes: their records follow (alignRecordsToWorkerCounty). */
  const countyMoved: string[] = [];
  let changeItems = '';
  let staged = 0;
  const actor = { actorId: ctx.actor.id, actorName: ctx.actor.username };

  /**
   * The staged columns of a registered worker after the row: the row's values for the fields
   * its sheet has, the registry's for the others — so one UPDATE of every column serves rows
   * of sheets with different columns, and a comparison finds only real changes.
   */
  const newValues = (r: TRow, old: TRegistered): Record<TColumn, unknown> => {
    const { w, community, fields } = r;
    const now = { ...old } as Record<string, unknown>;
    const set = (field: string, values: Record<string, unknown>) => {
      if (fields.has(field)) Object.assign(now, values);
    };
    set('name', { name: w.name });
    if (fields.has('phone') && r.phoneHash !== old.phone_hash) {
      now.phone_hash = r.phoneHash;
      now.phone_masked = w.phone ? maskPhone(w.phone) : null;
      now.phone_cipher = w.phone ? crypto.encrypt(w.phone) : null;
    }
    set('ethnicity', { ethnicity: w.ethnicity });
    set('politicalStatus', { political_status: w.politicalStatus });
    set('educationLevel', { education_level: w.educationLevel });
    set('educationMajor', { education_major: w.educationMajor ?? null });
    set('educationRecognised', { education_recognised: w.educationRecognised });
    set('certificateLevel', { certificate_level: w.certificateLevel });
    set('certificateDate', { certificate_date: w.certificateDate ?? null });
    set('veteran', { veteran: w.veteran });
    set('livesInCommunity', { lives_in_community: w.livesInCommunity });
    set('serviceStartedOn', { service_started_on: w.serviceStartedOn });
    set('status', { status: w.status });
    set('postTitle', { post_title: w.postTitle });
    // As a new worker gets it: no 入职日期 means the start of community work.
    set('hiredOn', { hired_on: w.hiredOn ?? w.serviceStartedOn });
    set('probationUntil', { probation_until: w.probationUntil ?? null });
    set('communityCode', {
      community_code: community.code,
      org_path: community.path,
      county_code: community.countyCode,
    });
    if (fields.has('gridCode')) now.grid_code = w.gridCode ?? null;
    // A grid belongs to its community: a move without a grid column leaves no grid.
    else if (now.community_code !== old.community_code) now.grid_code = null;
    return now as Record<TColumn, unknown>;
  };

  const lookup = async (rows: TRow[]) => {
    // The hashes as one comma-separated text split by the database: parsed as an array literal
    // (`…::text[]`) 5,000 of them took about 4.7 ms a chunk against 1.9 ms (psql,
    // docs/performance.md, Import, eighth round). A blind index holds no comma.
    const found = await queryRows<TRegistered>(
      db,
      sql`select id_number_hash as hash, id, ${sql.raw(LOOKUP_SQL)} from worker
          where id_number_hash = any(string_to_array(${rows.map((r) => r.hash).join(',')}::text, ','))`,
    );
    return new Map(found.map((f) => [f.hash, f]));
  };

  /** A post item's data by community and title: a few distinct texts for a whole file. */
  const postData = new Map<TPlace, Map<string, string>>();
  const postDataOf = (community: TPlace, title: string) => {
    let byTitle = postData.get(community);
    if (!byTitle) {
      byTitle = new Map();
      postData.set(community, byTitle);
    }
    let data = byTitle.get(title);
    if (data === undefined) {
      data = JSON.stringify({
        title,
        communityCode: community.code,
        oneShoulder: title === '书记兼主任',
      });
      byTitle.set(title, data);
    }
    return data;
  };

  /** New workers' COPY lines, audit records and statistics (nothing written yet). */
  const prepareNew = async (rows: TRow[]) => {
    // In a worker thread: reading goes on meanwhile.
    const ciphers = await crypto.encryptMany(
      rows.flatMap((r) => [r.w.idNumber, r.w.phone || null]),
    );
    return newWorkerLines(rows, ciphers);
  };

  /** `prepareNew`'s loop over the rows, a plain function: in the async one V8 compiled it on
   * stack and deoptimised once a chunk after the loop (20 times in a 100,000-row import). */
  const newWorkerLines = (rows: TRow[], ciphers: readonly (string | null)[]) => {
    const workers = new CopyLines();
    const items = new CopyLines();
    const created: TCreatedRecord[] = [];
    let c = 0;
    for (const r of rows) {
      const { w, community } = r;
      const id = newId();
      const values = newWorkerSnapshotValues(r, today);
      const hiredOn = values[AT.hiredOn] as string;
      const exitedOn = values[AT.exitedOn] as string | null;
      workers.add(
        textLine([
          id,
          w.name,
          ciphers[c++],
          r.hash,
          values[AT.idNumberMasked],
          r.birthDate,
          r.sex,
          ciphers[c++],
          r.phoneHash,
          values[AT.phoneMasked],
          w.ethnicity,
          w.politicalStatus,
          w.educationLevel,
          values[AT.educationMajor],
          w.educationRecognised,
          w.certificateLevel,
          values[AT.certificateDate],
          w.veteran,
          w.livesInCommunity,
          w.serviceStartedOn,
          w.status,
          community.code,
          values[AT.gridCode],
          community.path,
          community.countyCode,
          w.postTitle,
          hiredOn,
          values[AT.probationUntil],
          exitedOn,
        ]),
      );
      items.add(
        textLine([
          newId(),
          id,
          community.countyCode,
          'post',
          hiredOn,
          null,
          postDataOf(community, w.postTitle),
          ctx.actor.id,
        ]),
      );
      created.push({ entityId: id, orgPath: community.path, row: r.row, values });
      let group = createdStats.get(community.path);
      if (!group) {
        group = { county: community.countyCode, keys: new Map() };
        createdStats.set(community.path, group);
      }
      addKeys(
        group.keys,
        workerStatKeys({
          orgPath: community.path,
          countyCode: community.countyCode,
          status: w.status,
          sex: r.sex,
          educationLevel: w.educationLevel,
          educationRecognised: w.educationRecognised,
          politicalStatus: w.politicalStatus,
          certificateLevel: w.certificateLevel,
          postTitle: w.postTitle,
          birthDate: r.birthDate,
          serviceStartedOn: w.serviceStartedOn,
          priorService: [],
          livesInCommunity: w.livesInCommunity,
          hiredOn,
          exitedOn,
        }),
      );
    }
    return { workers: workers.take(), items: items.take(), created };
  };

  /** Writes what `prepareNew` made, in the chunks' order (the audit chain is one sequence). */
  const writeNew = async (prepared: ReturnType<typeof newWorkerLines>) => {
    audit ??= await openAuditBulk(database, db);
    // One row of the chain for the chunk's new workers (their snapshots as rows of values).
    await audit.addCreated({
      ...actor,
      entity: 'worker',
      reason,
      batchId,
      columns: SNAPSHOT_COLUMNS,
      records: prepared.created,
    });
    await copyText(database, db, 'worker', WORKER_COLUMNS, prepared.workers);
    await copyText(database, db, 'archive_item', ARCHIVE_COLUMNS, prepared.items);
  };

  /** Registered workers whose fields differ: the audit row, the post, education, certificate
   * and exit items a change brings (written after the open posts are closed), and the row
   * staged for the UPDATE. */
  const writeChanged = async (
    rows: { r: TRow; old: TRegistered; now: Record<TColumn, unknown> }[],
  ) => {
    audit ??= await openAuditBulk(database, db);
    let stage = '';
    for (const { r, old, now } of rows) {
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const u of UPDATABLE) {
        if ((old[u.compare] ?? null) === (now[u.compare] ?? null)) continue;
        for (const col of u.cols) {
          if (AUDIT_HIDDEN.has(col)) continue;
          before[camel(col)] = old[col];
          after[camel(col)] = now[col];
        }
      }
      const communityChanged = old.community_code !== now.community_code;
      if (old.county_code !== now.county_code) countyMoved.push(old.id);
      const postChanged = old.post_title !== now.post_title;
      if (communityChanged || postChanged) {
        closePostsOf.push(old.id);
        changeItems += textLine([
          newId(),
          old.id,
          String(now.county_code),
          'post',
          today,
          null,
          JSON.stringify({
            title: now.post_title,
            communityCode: now.community_code,
            oneShoulder: now.post_title === '书记兼主任',
          }),
          ctx.actor.id,
        ]);
      }
      // 学历、社工证 dated from the import's day, as a worker change dates them.
      for (const item of datedChangeItems(datedFields(old), datedFields(now), today))
        changeItems += textLine([
          newId(),
          old.id,
          String(now.county_code),
          item.kind,
          item.startOn,
          null,
          JSON.stringify(item.data),
          ctx.actor.id,
        ]);
      if (now.status === '已退出' && old.status !== '已退出') {
        after.exitedOn = today;
        closePostsOf.push(old.id);
        changeItems += textLine([
          newId(),
          old.id,
          String(old.county_code),
          'exit',
          today,
          null,
          JSON.stringify({ reason: '批量导入' }),
          ctx.actor.id,
        ]);
      }
      changedIds.push(old.id);
      await audit.add({
        ...actor,
        action: 'update',
        entity: 'worker',
        entityId: old.id,
        orgPath: String(now.org_path),
        before,
        after,
        reason,
      });
      stage += textLine([
        batchId,
        r.seq,
        r.row,
        r.sheet,
        old.id,
        // Not written: the 身份证号 matched and does not change.
        ...([now.name, '', r.hash, '', r.birthDate, r.sex] as string[]),
        ...STAGE_COLUMNS.slice(11).map((c) => now[c] as string | boolean | null),
      ]);
    }
    staged += rows.length;
    await copyText(database, db, 'import_stage_worker', STAGE_COLUMNS, stage);
  };

  /**
   * Compares a chunk with the registry; at a commit, writes what it brings once `before` (the
   * chunk before it) is written — a failed chunk fails the ones after it unwritten.
   */
  const processChunk = async (rows: TRow[], before: Promise<void>) => {
    // In the worker thread of the encryption: reading goes on meanwhile.
    const hashes = await crypto.blindIndexMany(
      rows.flatMap((r) => [r.w.idNumber, r.w.phone || null]),
    );
    let h = 0;
    for (const r of rows) {
      r.hash = hashes[h++]!;
      r.phoneHash = hashes[h++] ?? null;
    }
    const registered = await onDb(() => lookup(rows));
    const fresh: TRow[] = [];
    const changed: { r: TRow; old: TRegistered; now: Record<TColumn, unknown> }[] = [];
    for (const r of rows) {
      const old = registered.get(r.hash);
      if (!old) {
        fresh.push(r);
        continue;
      }
      if (!String(old.org_path).startsWith(scopePrefix)) {
        // Registered outside the caller's scope: the message does not say where (that would
        // leak another street's data).
        lateIssues.push(
          issue(r.sheet, r.row, '该身份证号已在您管辖范围以外登记，不能在此导入', {
            field: 'idNumber',
            column: idColumns.get(r.sheet),
          }),
        );
        continue;
      }
      const now = newValues(r, old);
      if (UPDATABLE.some((u) => (old[u.compare] ?? null) !== (now[u.compare] ?? null))) {
        changed.push({ r, old, now });
      } else counts.unchanged++;
    }
    counts.created += fresh.length;
    counts.updated += changed.length;
    if (!commit) return;
    const prepared = fresh.length > 0 ? await prepareNew(fresh) : undefined;
    await before;
    await onDb(async () => {
      if (prepared) await writeNew(prepared);
      if (changed.length > 0) await writeChanged(changed);
    });
  };

  /**
   * Starts the rows read so far as a chunk, and waits while `IN_FLIGHT` chunks are (or, with
   * `all`, until every chunk is done). A failure is thrown once the chunks after it have
   * settled, so nothing runs on the transaction after the error is handed on.
   */
  const submit = async (all = false) => {
    const rows = chunk;
    chunk = [];
    if (rows.length > 0) {
      const work = processChunk(rows, previous);
      // Handled when awaited (here, later); until then it must not count as unhandled.
      work.catch(() => undefined);
      previous = work;
      inFlight.push(work);
    }
    while (inFlight.length >= IN_FLIGHT || (all && inFlight.length > 0)) {
      const oldest = inFlight.shift()!;
      try {
        await oldest;
      } catch (error) {
        await Promise.allSettled(inFlight);
        inFlight = [];
        throw error;
      }
    }
  };

  return {
    checkColumns: (layout: TSheetLayout) => {
      const messages = missingColumns(layout, spec, [['communityCode', 'communityName']]);
      const fields = new Set<string>(layout.byField.keys());
      if (fields.has('communityName')) fields.add('communityCode');
      if (fields.has('gridName')) fields.add('gridCode');
      sheetFields.set(layout.sheet, fields);
      return messages;
    },

    prepare: async (why) => {
      reason = why;
      places = await loadPlaces(db, ctx.actor.scope);
      rowCheck = workerRowCheck(places, spec);
    },

    rowCheckData: () => ({ places: places.rows }),

    add: (record, layout) => {
      const checked =
        (record.checked?.row as TWorkerRowCheck | undefined) ?? rowCheck(record, layout);
      const { issues, valid } = checked;
      if (!valid) return issues;
      const { w } = valid;
      const idColumn = layout.byField.get('idNumber');
      if (idColumn) idColumns.set(record.sheet, idColumn);
      const first = seen.get(w.idNumber);
      if (first) {
        return [
          ...issues,
          issue(
            record.sheet,
            record.row,
            `身份证号与${first.sheet === record.sheet ? '' : `工作表“${first.sheet}”`}第${first.row}行重复`,
            { column: idColumn },
          ),
        ];
      }
      seen.set(w.idNumber, { sheet: record.sheet, row: record.row });
      chunk.push({
        sheet: record.sheet,
        row: record.row,
        seq: record.seq,
        w,
        hash: '',
        phoneHash: null,
        birthDate: valid.birthDate,
        sex: valid.sex,
        community: places.byCode.get(valid.communityCode)!,
        fields: sheetFields.get(record.sheet) ?? new Set(),
      });
      if (chunk.length >= CHUNK) return submit().then(() => issues);
      return issues;
    },

    check: async () => {
      await submit(true);
      return { issues: lateIssues, ...counts };
    },

    apply: async () => {
      if (staged > 0) {
        // Fresh statistics for the join below when many rows were staged.
        if (staged > 1000)
          await db.execute(sql`analyze import_stage_worker (batch_id, id_number_hash)`);
        await statsOf(changedIds, -1);
        // Every updatable column: a staged row holds the registry's value where its sheet had
        // no column.
        const set = UPDATABLE.flatMap((u) => u.cols.map((c) => `${c} = s.${c}`));
        set.push(
          `exited_on = case when s.status = '已退出' and w.status <> '已退出' then '${today}'::date else w.exited_on end`,
        );
        await db.execute(
          sql`update worker w set ${sql.raw(set.join(', '))}, version = w.version + 1, updated_at = now()
                from import_stage_worker s
                where s.batch_id = ${batchId} and w.id = s.id`,
        );
        await statsOf(changedIds, 1);
        for (let i = 0; i < closePostsOf.length; i += CHUNK) {
          const ids = closePostsOf.slice(i, i + CHUNK);
          await db.execute(
            sql`update archive_item set end_on = ${today}
                  where kind = 'post' and end_on is null
                    and worker_id = any(${`{${ids.join(',')}}`}::uuid[])`,
          );
        }
        await copyText(database, db, 'archive_item', ARCHIVE_COLUMNS, changeItems);
        await alignRecordsToWorkerCounty(db, countyMoved);
        await db.execute(sql`delete from import_stage_worker where batch_id = ${batchId}`);
      }
      for (const [path, group] of createdStats) {
        addAlongPath(stats, path, group.county, sumsToKeys(group.keys), 1);
      }
      await writeStatDelta(db, stats);
      await audit?.end();
      return { ...counts };
    },
  };

  /** Adds `sign ×` what the workers of the ids count in the statistics. */
  async function statsOf(ids: string[], sign: 1 | -1) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const list = `{${ids.slice(i, i + CHUNK).join(',')}}`;
      addWorkerStats(stats, await selectWorkerStatFields(db, sql`id = any(${list}::uuid[])`), sign);
    }
  }
};

/** Sums of stat keys: value by dimension (no joined string key per row). */
type TKeySums = Map<string, Map<string, number>>;

const addKeys = (sums: TKeySums, keys: readonly TStatKey[]) => {
  for (const [dim, value, n] of keys) {
    let values = sums.get(dim);
    if (!values) {
      values = new Map();
      sums.set(dim, values);
    }
    values.set(value, (values.get(value) ?? 0) + n);
  }
};

const sumsToKeys = (sums: TKeySums): TStatKey[] => {
  const keys: TStatKey[] = [];
  for (const [dim, values] of sums) for (const [value, n] of values) keys.push([dim, value, n]);
  return keys;
};

/** Adds `sign ×` what the workers count, summed per community before it goes up the tree. */
const addWorkerStats = (delta: TStatDelta, rows: TWorkerStatFields[], sign: 1 | -1) => {
  const byPath = new Map<string, { county: string; keys: TKeySums }>();
  for (const w of rows) {
    let group = byPath.get(w.orgPath);
    if (!group) {
      group = { county: w.countyCode, keys: new Map() };
      byPath.set(w.orgPath, group);
    }
    addKeys(group.keys, workerStatKeys(w));
  }
  for (const [path, group] of byPath) {
    addAlongPath(delta, path, group.county, sumsToKeys(group.keys), sign);
  }
};

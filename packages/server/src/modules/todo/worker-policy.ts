import type { TCompiledPack, TPolicyRegistry, TWorkerInput, TWorkflowValue } from '@shegong/policy';
import { AppError } from '@shegong/shared';
import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { archiveItem, caseStudy, org, worker } from '../../db/schema/index.ts';
import { communityStreet, effectivePackIds } from '../org/org.repo.ts';
import { likePrefix } from '../org/org-scope.ts';
import { laterChanges, recordFactsOn } from '../pay/pay-inputs.ts';
import type { TArchiveRow, TWorkerRow } from '../worker/worker.repo.ts';
import { workerInScope } from '../worker/worker.repo.ts';

// A worker as the policy engine sees them, built from the registry and the archive: the one
// place where workflows turn records into engine input. Rule values stay in the packs.

export type TWorkerRecord = {
  worker: TWorkerRow;
  archive: TArchiveRow[];
  /** Dates of reviewed case studies (工作案例), for packs that require them. */
  caseStudies: string[];
  communityName: string;
  /** The community's street: community names repeat across streets. */
  streetName: string;
};

/** Contract types that end with the two-committee term. */
const TERM_CONTRACTS = new Set(['一届一签', '以完成一定工作任务为期限']);

const byStart = (a: TArchiveRow, b: TArchiveRow) => (a.startOn < b.startOn ? -1 : 1);

/** The contract item in force on a date (the latest started), if any. */
export const currentContract = (archive: readonly TArchiveRow[], onDate: string) =>
  archive
    .filter((i) => i.kind === 'contract' && i.startOn <= onDate)
    .sort(byStart)
    .at(-1);

/**
 * The engine's worker input on a date: post, service periods, education and certificate, the
 * assessments by year, trainings, contract and term dates, secondments and case studies.
 */
export const workerPolicyInput = (rec: TWorkerRecord, onDate: string): TWorkerInput => {
  const w = rec.worker;
  const assessments: Record<string, '优秀' | '合格' | '基本合格' | '不合格'> = {};
  const trainings: NonNullable<TWorkerInput['trainings']> = [];
  const secondments: NonNullable<TWorkerInput['secondments']> = [];
  for (const item of [...rec.archive].sort(byStart)) {
    const d = item.data as Record<string, unknown>;
    if (item.kind === 'assessment' && typeof d.year === 'number')
      assessments[String(d.year)] = d.grade as '合格';
    else if (item.kind === 'training' && d.passed !== false)
      trainings.push({
        on: item.startOn,
        ...(typeof d.hours === 'number' ? { hours: d.hours } : {}),
        ...(typeof d.days === 'number' ? { days: d.days } : {}),
      });
    else if (item.kind === 'secondment')
      secondments.push({ from: item.startOn, to: item.endOn, approved: true });
  }
  const contract = currentContract(rec.archive, onDate);
  const term = rec.archive
    .filter(
      (i) =>
        i.kind === 'contract' && TERM_CONTRACTS.has(String((i.data as { type?: string }).type)),
    )
    .sort(byStart)
    .at(-1);
  const post = rec.archive
    .filter((i) => i.kind === 'post' && i.startOn <= onDate && (!i.endOn || i.endOn > onDate))
    .sort(byStart)
    .at(-1);
  // Education and certificate as held on the date (archive 学历变动、证书变动 after it).
  const later = laterChanges(
    rec.archive
      .filter((i) => i.startOn > onDate)
      .sort(byStart)
      .map((i) => ({ kind: i.kind, on: i.startOn, data: i.data })),
  );
  return {
    post: w.postTitle ?? '',
    servicePeriods: [
      ...w.priorService.map((p) => ({ from: p.from, to: p.to })),
      { from: w.serviceStartedOn, to: w.exitedOn ?? null },
    ],
    ...recordFactsOn({ ...w, ...later }, onDate),
    birthDate: w.birthDate,
    hiredOn: w.hiredOn ?? w.serviceStartedOn,
    ...(w.exitedOn ? { leftOn: w.exitedOn } : {}),
    assessments,
    trainings,
    secondments,
    ...(contract ? { contractStartOn: contract.startOn } : {}),
    ...(contract?.endOn ? { contractEndsOn: contract.endOn } : {}),
    ...(term ? { termStartOn: term.startOn } : {}),
    ...(term?.endOn ? { termEndsOn: term.endOn } : {}),
    ...(post ? { postStartOn: post.startOn } : {}),
    localResident: w.livesInCommunity,
    events: { 工作案例: rec.caseStudies },
    flags: w.veteran ? ['退役军人'] : [],
  };
};

/** Compiled packs by id for one date, so that a request compiles each pack once. */
export const packCache = (policies: TPolicyRegistry, onDate: string) => {
  const cache = new Map<string, TCompiledPack | null>();
  return (packId: string | null | undefined): TCompiledPack | null => {
    if (!packId) return null;
    let p = cache.get(packId);
    if (p === undefined) {
      p = policies.has(packId) ? policies.at(packId, onDate) : null;
      cache.set(packId, p);
    }
    return p;
  };
};

/** The pack governing a path on a date; 422 naming the place when there is none. */
export const packForPath = async (
  db: TExecutor,
  policies: TPolicyRegistry,
  path: string,
  onDate: string,
): Promise<TCompiledPack> => {
  const packId = (await effectivePackIds(db, [path])).get(path) ?? null;
  if (!packId || !policies.has(packId))
    throw new AppError('VALIDATION_FAILED', '该单位未设置适用的政策包，无法按政策办理');
  try {
    return policies.at(packId, onDate);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', (error as Error).message);
  }
};

/** What a workflow takes from a pack for a post; a title the pack does not cover gives none. */
export const workflowOf = (pack: TCompiledPack, post?: string | null): TWorkflowValue => {
  if (post) {
    try {
      return pack.workflow({ post }).value;
    } catch {
      // The pack does not cover this title (温州: 网格员): the post's rules are absent.
    }
  }
  return pack.workflow({}).value;
};

/** Alerts of a worker under a pack; a worker the pack cannot evaluate has none. */
export const alertsOf = (pack: TCompiledPack | null, rec: TWorkerRecord, onDate: string) => {
  if (!pack || !rec.worker.postTitle) return [];
  try {
    return pack.alerts(workerPolicyInput(rec, onDate)).value;
  } catch {
    return [];
  }
};

/** Loads the archives and reviewed case studies of workers. */
export const loadRecords = async (
  db: TExecutor,
  rows: readonly {
    worker: TWorkerRow;
    communityName: string | null;
    streetName?: string | null;
  }[],
): Promise<TWorkerRecord[]> => {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.worker.id);
  const [items, studies] = await Promise.all([
    db
      .select()
      .from(archiveItem)
      .where(inArray(archiveItem.workerId, ids))
      .orderBy(asc(archiveItem.startOn), asc(archiveItem.createdAt)),
    db
      .select({ workerId: caseStudy.workerId, on: caseStudy.submittedOn })
      .from(caseStudy)
      .where(and(inArray(caseStudy.workerId, ids), eq(caseStudy.status, '已通过'))),
  ]);
  const byWorker = new Map<string, TArchiveRow[]>();
  for (const i of items) {
    const list = byWorker.get(i.workerId) ?? [];
    list.push(i);
    byWorker.set(i.workerId, list);
  }
  return rows.map((r) => ({
    worker: r.worker,
    archive: byWorker.get(r.worker.id) ?? [],
    caseStudies: studies.filter((s) => s.workerId === r.worker.id).map((s) => s.on),
    communityName: r.communityName ?? '',
    streetName: r.streetName ?? '',
  }));
};

/**
 * Active workers (not 已退出) under a path and inside the scope, in id order from `after`, with
 * their archives: the page a workflow evaluates.
 */
export const loadWorkerPage = async (
  db: TExecutor,
  scope: TScope,
  under: string,
  page: { after?: string | undefined; limit: number; extra?: SQL },
): Promise<TWorkerRecord[]> => {
  const conditions: SQL[] = [
    workerInScope(scope),
    sql`${worker.orgPath} like ${likePrefix(under)}`,
    sql`${worker.status} <> '已退出'`,
  ];
  if (page.after) conditions.push(gt(worker.id, page.after));
  if (page.extra) conditions.push(page.extra);
  const rows = await db
    .select({ worker, communityName: org.name, streetName: communityStreet.name })
    .from(worker)
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(and(...conditions))
    .orderBy(asc(worker.id))
    .limit(page.limit);
  return loadRecords(db, rows);
};

/** One worker in scope with archive, or undefined (→ 404). */
export const loadWorker = async (
  db: TExecutor,
  scope: TScope,
  id: string,
): Promise<TWorkerRecord | undefined> => {
  const rows = await db
    .select({ worker, communityName: org.name, streetName: communityStreet.name })
    .from(worker)
    .leftJoin(org, eq(org.code, worker.communityCode))
    .leftJoin(communityStreet, eq(communityStreet.code, org.parentCode))
    .where(and(eq(worker.id, id), workerInScope(scope)))
    .limit(1);
  return (await loadRecords(db, rows))[0];
};

/** The street code of a worker's path (`/…/county/street/community/`). */
export const streetOfPath = (path: string): string => path.split('/').filter(Boolean).at(-2) ?? '';

/** The path of a street from a community path. */
export const streetPathOf = (path: string): string => {
  const parts = path.split('/').filter(Boolean);
  return `/${parts.slice(0, -1).join('/')}/`;
};

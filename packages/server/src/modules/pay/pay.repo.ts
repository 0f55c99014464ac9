import { type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import { keptSql, queryRows, runPrepared, type TExecutor } from '../../db/client.ts';
import { likePrefix, scopePattern } from '../org/org-scope.ts';
import type { TPayLineRow } from './compute-lines.ts';
import { laterChanges, monthEnd, monthStart, type TPayWorkerRow } from './pay-inputs.ts';

// All SQL of the pay module. Reads of people data take the caller's scope.

/**
 * SQL: `column` lies under one of the paths. Several paths are also bounded by the range from the
 * first to just past the last, which the `text_pattern_ops` index serves (a `like any (…)` alone
 * is a sequential scan); paths hold digits and '/', so '/' + 1 = '0' ends a subtree.
 */
export const underAny = (column: SQL, paths: readonly string[]): SQL => {
  if (paths.length === 1) return sql`${column} like ${likePrefix(paths[0] as string)}`;
  const sorted = [...paths].sort();
  const lo = sorted[0] as string;
  const last = sorted.at(-1) as string;
  const hi = `${last.slice(0, -1)}0`;
  return sql`${column} ~>=~ ${lo} and ${column} ~<~ ${hi} and ${column} like any(array[${sql.join(
    paths.map((p) => sql`${likePrefix(p)}`),
    sql`, `,
  )}]::text[])`;
};

/** A uuid list as one array parameter. */
export const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/** SQL: the worker (alias w) was in post on some day between the dates. */
export const inPostBetween = (from: string, to: string) =>
  sql`coalesce(w.hired_on, w.service_started_on) <= ${to}
      and (w.exited_on is null or w.exited_on >= ${from})
      and not (w.status = '已退出' and w.exited_on is null)`;

/** SQL: the worker (alias w) was in post on some day of the month. */
export const inPostDuring = (month: string) => inPostBetween(monthStart(month), monthEnd(month));

const workerColumns = (month: string) => workerColumnsBetween(monthStart(month), monthEnd(month));

/**
 * Worker columns with the star rating on `from`, the one-off amounts between the dates, and the
 * education and certificate changes dated after `from` (with what was held before each). The
 * dates as values, or as placeholders of them (a statement built once: `loadPayWorkerWithNodes`).
 */
const workerColumnsBetween = (from: unknown, to: unknown) => sql`
  w.id, w.name, w.post_title as "postTitle", w.service_started_on::text as "serviceStartedOn",
  w.prior_service as "priorService", w.education_level as "educationLevel",
  w.education_recognised as "educationRecognised", w.certificate_level as "certificateLevel",
  w.certificate_date::text as "certificateDate", w.birth_date::text as "birthDate",
  w.hired_on::text as "hiredOn", w.probation_until::text as "probationUntil",
  w.exited_on::text as "exitedOn", w.status, w.lives_in_community as "livesInCommunity",
  w.community_code as "communityCode", w.org_path as "orgPath", w.county_code as "countyCode",
  (select f.star_rating from org_fact f where f.org_code = w.community_code
     and f.effective_from <= ${from} order by f.effective_from desc limit 1) as stars,
  (select jsonb_object_agg(a.data->>'year', a.data->>'grade') from archive_item a
     where a.worker_id = w.id and a.kind = 'assessment') as assessments,
  (select coalesce(sum((a.data->>'amountFen')::bigint), 0)::text from archive_item a
     where a.worker_id = w.id and a.kind = 'reward' and a.start_on >= ${from}
       and a.start_on <= ${to} and a.data ? 'amountFen') as "oneOffFen",
  (select a.data->>'title' from archive_item a where a.worker_id = w.id and a.kind = 'post'
     and a.start_on <= ${from} order by a.start_on desc limit 1) as "postAtStart",
  (select jsonb_agg(jsonb_build_object('on', a.start_on::text, 'title', a.data->>'title')
     order by a.start_on) from archive_item a where a.worker_id = w.id and a.kind = 'post'
     and a.start_on > ${from} and a.start_on <= ${to}) as "postChanges",
  (select jsonb_agg(jsonb_build_array(a.kind, a.start_on::text, a.data) order by a.start_on)
     from archive_item a where a.worker_id = w.id and a.kind in ('education', 'certificate')
     and a.start_on > ${from}) as "recordLater"`;

type TLoadedRow = TPayWorkerRow & {
  oneOffFen: unknown;
  recordLater?: [kind: string, on: string, data: Record<string, unknown>][] | null;
};

/**
 * The row with its one-off sum as a number and its later changes by kind (in date order), made in
 * place: the driver's row objects are ours, and a group of streets is read at once (two copies of
 * each row raised bench/recompute's peak heap, docs/performance.md "Pay recomputation").
 */
const toWorker = (r: TLoadedRow): TPayWorkerRow => {
  r.oneOffFen = Number(r.oneOffFen ?? 0);
  // Most workers have none: no arrays made for them.
  if (r.recordLater)
    Object.assign(r, laterChanges(r.recordLater.map(([kind, on, data]) => ({ kind, on, data }))));
  return r;
};

/** Workers in post during the month under the paths (inside the scope), by path. */
export const loadPayWorkers = async (
  db: TExecutor,
  scope: TScope,
  paths: readonly string[],
  month: string,
): Promise<TPayWorkerRow[]> =>
  (
    await queryRows<TLoadedRow>(
      db,
      sql`select ${workerColumns(month)} from worker w
          where ${underAny(sql`w.org_path`, paths)} and w.org_path like ${likePrefix(scope.path)}
            and ${inPostDuring(month)}
          order by w.org_path, w.id`,
    )
  ).map(toWorker);

/**
 * Workers in post during a year under the paths (inside the scope), with the star rating on
 * 1 January; one-off amounts are not read (a budget projects standard pay).
 */
export const loadPayWorkersForYear = async (
  db: TExecutor,
  scope: TScope,
  paths: readonly string[],
  year: number,
): Promise<TPayWorkerRow[]> =>
  (
    await queryRows<TLoadedRow>(
      db,
      sql`select ${workerColumnsBetween(`${year}-01-01`, `${year - 1}-12-31`)} from worker w
          where ${underAny(sql`w.org_path`, paths)} and w.org_path like ${likePrefix(scope.path)}
            and ${inPostBetween(`${year}-01-01`, `${year}-12-31`)}
          order by w.org_path, w.id`,
    )
  ).map(toWorker);

/** Workers by id (inside the scope), as the month reads them, whether in post or not. */
export const loadPayWorkersById = async (
  db: TExecutor,
  scope: TScope,
  ids: readonly string[],
  month: string,
): Promise<TPayWorkerRow[]> =>
  ids.length === 0
    ? []
    : (
        await queryRows<TLoadedRow>(
          db,
          sql`select ${workerColumns(month)} from worker w
              where w.id = any(${uuidArray(ids)}) and w.org_path like ${likePrefix(scope.path)}`,
        )
      ).map(toWorker);

/**
 * One worker by id (inside the scope) as `loadPayWorkersById` reads it, with the org nodes on its
 * path and its county (code, name, own pack: the governing pack and the district's name), in one
 * statement where the worker's pay page took two. Prepared: a primary-key read (the nodes by
 * the org's primary key) whose plan does not depend on the values — unlike the pay runs'
 * `id = any($1)` of thousands of ids, which stays unprepared.
 */
export const loadPayWorkerWithNodes = async (
  db: TExecutor,
  scope: TScope,
  id: string,
  month: string,
): Promise<
  { row: TPayWorkerRow; nodes: Map<string, { name: string; packId: string | null }> } | undefined
> => {
  // Built once (the scope and the month are values), run with the values.
  const [found] = await runPrepared<
    TLoadedRow & { nodes: { code: string; name: string; packId: string | null }[] }
  >(
    keptSql(
      db,
      'pay_worker',
      '',
      () => sql`select ${workerColumnsBetween(sql.placeholder('from'), sql.placeholder('to'))},
          (select coalesce(json_agg(json_build_object('code', o.code, 'name', o.name, 'packId', o.pack_id)), '[]')
             from org o
             where o.code = any(string_to_array(trim(both '/' from w.org_path), '/') || w.county_code)) as nodes
        from worker w
        where w.id = ${sql.placeholder('id')}::uuid and w.org_path like ${sql.placeholder('scopePattern')}`,
    ),
    { id, scopePattern: scopePattern(scope), from: monthStart(month), to: monthEnd(month) },
  );
  if (!found) return undefined;
  const { nodes, ...row } = found;
  return {
    row: toWorker(row),
    nodes: new Map(nodes.map((n) => [n.code, { name: n.name, packId: n.packId }])),
  };
};

export type TStreetRow = {
  code: string;
  name: string;
  path: string;
  countyCode: string;
  countyName: string | null;
  workers: number;
};

/**
 * The streets under a node (inside the scope) — or the street of a community — with their
 * workers in post during the month, counted in one grouped scan (the street is the parent
 * segment of each worker's community path).
 */
export const listStreetsUnder = (db: TExecutor, scope: TScope, path: string, month: string) =>
  queryRows<TStreetRow>(
    db,
    sql`with counts as (
          select substring(w.org_path from '/([0-9]+)/[0-9]+/$') as street, count(*)::int as n
          from worker w
          where w.org_path like ${likePrefix(path)} and w.org_path like ${likePrefix(scope.path)}
            and ${inPostDuring(month)}
          group by 1
        )
        select s.code, s.name, s.path, coalesce(s.county_code, '') as "countyCode",
          c.name as "countyName", coalesce(k.n, 0) as workers
        from org s
        left join org c on c.code = s.county_code
        left join counts k on k.street = s.code
        where s.level = 'street' and (s.path like ${likePrefix(path)} or ${path} like s.path || '%')
          and s.path like ${likePrefix(scope.path)}
        order by s.path`,
  );

export type TRunRow = {
  id: string;
  streetCode: string;
  orgPath: string;
  countyCode: string;
  month: string;
  status: 'draft' | 'reviewed' | 'locked';
  workerCount: number;
  openCount: number;
  totalFen: number;
  arrearsFen: number;
  packs: { packId: string; from: string }[];
  version: number;
  computedAt: string | null;
  reviewedAt: string | null;
  /** The user who reviewed the sheet (may not lock it). */
  reviewedBy: string | null;
  /** The reviewer's display name (null when not reviewed or the account is gone). */
  reviewedByName: string | null;
  lockedAt: string | null;
  lockedByName: string | null;
  streetName: string;
};

const runColumns = sql`r.id, r.street_code as "streetCode", r.org_path as "orgPath",
  r.county_code as "countyCode", r.month, r.status, r.worker_count as "workerCount",
  r.open_count as "openCount", r.total_fen::text as "totalFen", r.arrears_fen::text as "arrearsFen",
  r.packs, r.version, r.computed_at::text as "computedAt", r.reviewed_at::text as "reviewedAt",
  r.reviewed_by::text as "reviewedBy", ru.display_name as "reviewedByName",
  r.locked_at::text as "lockedAt", lu.display_name as "lockedByName",
  coalesce(o.name, r.street_code) as "streetName"`;

/** The sheet, its street and the accounts that reviewed and locked it. */
const runFrom = sql`pay_run r left join org o on o.code = r.street_code
  left join app_user ru on ru.id = r.reviewed_by left join app_user lu on lu.id = r.locked_by`;

const toRun = (r: TRunRow): TRunRow => ({
  ...r,
  totalFen: Number(r.totalFen),
  arrearsFen: Number(r.arrearsFen),
});

/** Pay sheets of a month under a path (inside the scope). */
export const listRuns = async (db: TExecutor, scope: TScope, path: string, month: string) =>
  (
    await queryRows<TRunRow>(
      db,
      sql`select ${runColumns} from ${runFrom}
          where r.month = ${month} and r.org_path like ${likePrefix(path)}
            and r.org_path like ${likePrefix(scope.path)}
          order by r.org_path`,
    )
  ).map(toRun);

export const findRunInScope = async (db: TExecutor, scope: TScope, id: string, forUpdate = false) =>
  (
    await queryRows<TRunRow>(
      db,
      sql`select ${runColumns} from ${runFrom}
          where r.id = ${id} and r.org_path like ${likePrefix(scope.path)}
          ${forUpdate ? sql`for update of r` : sql``}`,
    )
  ).map(toRun)[0];

/** Creates the month's sheets of the streets that have none; returns every sheet, locked first. */
export const ensureRuns = async (
  db: TExecutor,
  streets: readonly TStreetRow[],
  month: string,
  newId: () => string,
) => {
  if (streets.length === 0) return [];
  await db.execute(
    sql`insert into pay_run (id, street_code, org_path, county_code, month)
        values ${sql.join(
          streets.map((s) => sql`(${newId()}, ${s.code}, ${s.path}, ${s.countyCode}, ${month})`),
          sql`, `,
        )}
        on conflict (street_code, month) do nothing`,
  );
  return queryRows<{ id: string; streetCode: string; status: string; orgPath: string }>(
    db,
    sql`select id, street_code as "streetCode", status, org_path as "orgPath" from pay_run
        where month = ${month} and street_code in ${streets.map((s) => s.code)}
        order by street_code for update`,
  );
};

/** What was paid for each (worker, month) by locked sheets, for months before `month`. */
export const paidByLockedRuns = (db: TExecutor, paths: readonly string[], month: string) =>
  queryRows<{ workerId: string; forMonth: string; paidFen: string | null; open: boolean }>(
    db,
    sql`select l.worker_id as "workerId", l.for_month as "forMonth",
          sum(l.payable_fen)::text as "paidFen", bool_or(l.status = 'open') as open
        from pay_line l
        join pay_run r on r.id = l.run_id and r.status = 'locked'
        join worker w on w.id = l.worker_id
        where l.for_month < ${month} and ${underAny(sql`w.org_path`, paths)}
        group by 1, 2`,
  );

/** Whether any sheet under the path is locked for a month before `month`. */
export const hasLockedBefore = async (db: TExecutor, path: string, month: string) =>
  (
    await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from pay_run
          where status = 'locked' and month < ${month} and org_path like ${likePrefix(path)}`,
    )
  )[0]?.n !== 0;

export const PAY_LINE_COLUMNS = [
  'run_id',
  'worker_id',
  'kind',
  'for_month',
  'month',
  'county_code',
  'org_path',
  'pack_id',
  'eval_on',
  'status',
  'reason',
  'post',
  'title',
  'years',
  'grade',
  'coefficient',
  'probation',
  'base_fen',
  'performance_fen',
  'allowances_fen',
  'one_off_fen',
  'annual_fen',
  'monthly_fen',
  'paid_days',
  'month_days',
  'payable_fen',
  'input',
  'parts',
] as const;

/** A line as a COPY row, in the order of PAY_LINE_COLUMNS. */
export const lineCopyRow = (runId: string, l: TPayLineRow) => [
  runId,
  l.workerId,
  l.kind,
  l.forMonth,
  l.month,
  l.countyCode,
  l.orgPath,
  l.packId,
  l.evalOn,
  l.status,
  l.reason,
  l.post,
  l.title,
  l.years,
  l.grade,
  l.coefficient,
  l.probation,
  l.baseFen,
  l.performanceFen,
  l.allowancesFen,
  l.oneOffFen,
  l.annualFen,
  l.monthlyFen,
  l.paidDays,
  l.monthDays,
  l.payableFen,
  l.input === null ? null : JSON.stringify(l.input),
  l.parts === null ? null : JSON.stringify(l.parts),
];

export type TLineRow = TPayLineRow & { name: string; communityName: string; runId: string };

const lineColumns = sql`l.run_id as "runId", l.worker_id as "workerId", l.kind,
  l.for_month as "forMonth", l.month, l.county_code as "countyCode", l.org_path as "orgPath",
  l.pack_id as "packId", l.eval_on::text as "evalOn", l.status, l.reason, l.post, l.title,
  l.years, l.grade, l.coefficient, l.probation, l.base_fen::text as "baseFen",
  l.performance_fen::text as "performanceFen", l.allowances_fen::text as "allowancesFen",
  l.one_off_fen::text as "oneOffFen", l.annual_fen::text as "annualFen",
  l.monthly_fen::text as "monthlyFen", l.paid_days as "paidDays", l.month_days as "monthDays",
  l.payable_fen::text as "payableFen", l.input, l.parts,
  coalesce(w.name, '') as name, coalesce(c.name, '') as "communityName"`;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const toLine = (r: TLineRow): TLineRow => ({
  ...r,
  baseFen: num(r.baseFen),
  performanceFen: num(r.performanceFen),
  allowancesFen: num(r.allowancesFen),
  oneOffFen: Number(r.oneOffFen),
  annualFen: num(r.annualFen),
  monthlyFen: num(r.monthlyFen),
  payableFen: num(r.payableFen),
});

/** Lines of a sheet with names, arrears after regular lines. */
export const listLines = async (db: TExecutor, runId: string) =>
  (
    await queryRows<TLineRow>(
      db,
      sql`select ${lineColumns} from pay_line l
          left join worker w on w.id = l.worker_id
          left join org c on c.code = substring(l.org_path from '/([0-9]+)/$')
          where l.run_id = ${runId}
          order by l.kind desc, l.org_path, w.name, l.for_month`,
    )
  ).map(toLine);

export const findLine = async (
  db: TExecutor,
  runId: string,
  workerId: string,
  forMonth: string | undefined,
) =>
  (
    await queryRows<TLineRow>(
      db,
      sql`select ${lineColumns} from pay_line l
          left join worker w on w.id = l.worker_id
          left join org c on c.code = substring(l.org_path from '/([0-9]+)/$')
          where l.run_id = ${runId} and l.worker_id = ${workerId}
            ${forMonth ? sql`and l.for_month = ${forMonth}` : sql``}
          order by l.kind desc limit 1`,
    )
  ).map(toLine)[0];

/** Payable by community of a sheet (for the pay-cost statistics at lock). */
export const payableByCommunity = (db: TExecutor, runId: string) =>
  queryRows<{ orgPath: string; countyCode: string; fen: string }>(
    db,
    sql`select org_path as "orgPath", county_code as "countyCode",
          coalesce(sum(payable_fen), 0)::text as fen
        from pay_line where run_id = ${runId} group by 1, 2`,
  );

import type { Writable } from 'node:stream';
import {
  AppError,
  ROSTER_EXPORT_COLUMNS,
  type TExportFormat,
  type TRosterColumnKey,
  todayIso,
  type WORKER_STATUSES,
} from '@shegong/shared';
import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import type { TCtx } from '../../context.ts';
import { archiveItem, org, worker } from '../../db/schema/index.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { workerInScope } from '../worker/worker.repo.ts';
import { maySeeSensitive } from '../worker/worker-view.ts';
import { createTableWriter, type TCellOut, type TColumnType } from './table-writer.ts';

const TYPES: Partial<Record<TRosterColumnKey, TColumnType>> = {
  birthDate: 'date',
  certificateDate: 'date',
  serviceStartedOn: 'date',
  hiredOn: 'date',
  probationUntil: 'date',
  exitedOn: 'date',
  educationRecognised: 'bool',
  veteran: 'bool',
  livesInCommunity: 'bool',
  monthlyPayFen: 'money',
};

const WIDTHS: Partial<Record<TRosterColumnKey, number>> = {
  idNumber: 22,
  phone: 14,
  communityCode: 15,
  gridCode: 18,
  communityName: 18,
  streetName: 16,
};

const PAGE = 5000;

export type TRosterInput = {
  org?: string | undefined;
  status?: (typeof WORKER_STATUSES)[number] | undefined;
  columns: TRosterColumnKey[];
  format: TExportFormat;
};

/**
 * The roster (花名册) of the caller's scope, or of a node in it, with the columns the user
 * chose, read in keyset pages and written as it goes. 身份证号 and phone are in clear only for
 * a role that may see them (as in the API), masked otherwise. Headers are the import's, so the
 * file can be edited and imported back.
 */
export const exportRoster = async (
  ctx: TCtx,
  input: TRosterInput,
  stream: Writable,
  onProgress: (done: number, total: number) => Promise<void> | void = () => {},
): Promise<{ rows: number }> => {
  const { db } = ctx.services.database;
  const { crypto } = ctx.services;
  const scope = ctx.actor.scope;
  const conditions: SQL[] = [workerInScope(scope)];
  if (input.org) {
    const node = await findOrgInScope(db, scope, input.org);
    if (!node)
      throw new AppError('NOT_FOUND', `机构 ${input.org} 不存在`, { where: { field: 'org' } });
    conditions.push(sql`${worker.orgPath} like ${`${node.path}%`}`);
  }
  if (input.status) conditions.push(eq(worker.status, input.status));
  const total =
    (
      await db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(worker)
        .where(and(...conditions))
    )[0]?.n ?? 0;
  const names = new Map(
    (
      await db
        .select({ code: org.code, name: org.name })
        .from(org)
        .where(inArray(org.level, ['county', 'street']))
    ).map((r) => [r.code, r.name]),
  );
  const columns = ROSTER_EXPORT_COLUMNS.filter((c) => input.columns.includes(c.key));
  const writer = createTableWriter(
    stream,
    input.format,
    '花名册',
    columns.map((c) => ({ header: c.header, type: TYPES[c.key] ?? 'text', width: WIDTHS[c.key] })),
  );
  const withPay = input.columns.includes('monthlyPayFen');
  const today = todayIso();
  // The pay in force today: the latest pay item of the archive that has started.
  const pay = sql<number | null>`(select (a.data->>'monthlyFen')::bigint from ${archiveItem} a
    where a.worker_id = ${worker.id} and a.kind = 'pay' and a.start_on <= ${today}
    order by a.start_on desc limit 1)`.mapWith((v) => (v === null ? null : Number(v)));
  let after: string | undefined;
  let done = 0;
  for (;;) {
    const page = await db
      .select({
        w: worker,
        communityName: org.name,
        payFen: withPay ? pay : sql<null>`null`,
      })
      .from(worker)
      .leftJoin(org, eq(org.code, worker.communityCode))
      .where(and(...conditions, after ? gt(worker.id, after) : undefined))
      .orderBy(asc(worker.id))
      .limit(PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.w.id;
    for (const { w, communityName, payFen } of page) {
      const clear = maySeeSensitive(ctx.actor, w.id);
      const segments = w.orgPath.split('/').filter(Boolean);
      const value = (key: TRosterColumnKey): TCellOut => {
        switch (key) {
          case 'idNumber':
            return clear ? crypto.decrypt(w.idNumberCipher) : w.idNumberMasked;
          case 'phone':
            return w.phoneCipher ? (clear ? crypto.decrypt(w.phoneCipher) : w.phoneMasked) : null;
          case 'countyName':
            return names.get(w.countyCode) ?? w.countyCode;
          case 'streetName':
            return names.get(segments.at(-2) ?? '') ?? '';
          case 'communityName':
            return communityName ?? '';
          case 'monthlyPayFen':
            return payFen;
          default:
            return w[key] as TCellOut;
        }
      };
      writer.addRow(columns.map((c) => value(c.key)));
      done++;
    }
    await onProgress(done, total);
  }
  await writer.finish();
  return { rows: done };
};

import { checkIdNumber, type TImportIssue, ZCreateArchiveItem } from '@shegong/shared';
import { and, eq, inArray } from 'drizzle-orm';
import { canonicalJson, type TAuditEntry, writeAuditBulk } from '../../audit/audit.ts';
import { archiveItem, worker } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { isWithinScope } from '../org/org-scope.ts';
import { missingColumns, type TImporterFactory, zodIssues } from './importer.ts';
import { issue, type TMappedColumn, type TRecord } from './parse-file.ts';

type TItem = {
  kind: 'assessment' | 'training';
  startOn: string;
  endOn: string | null;
  data: Record<string, unknown>;
};

type TPlanned = {
  record: TRecord;
  hash: string;
  name: string;
  item: TItem;
  key: string;
  columns: { idNumber?: TMappedColumn; name?: TMappedColumn };
  workerId?: string;
  orgPath?: string;
  countyCode?: string;
  existing?: typeof archiveItem.$inferSelect;
};

/** What identifies an item of the kind for a worker: the year, or the course and its start. */
const keyOf = (item: TItem) =>
  item.kind === 'assessment'
    ? `assessment|${String(item.data.year)}`
    : `training|${item.startOn}|${String(item.data.course)}`;

const sameItem = (a: TItem, b: typeof archiveItem.$inferSelect) =>
  a.startOn === b.startOn &&
  (a.endOn ?? null) === (b.endOn ?? null) &&
  canonicalJson(a.data) === canonicalJson(b.data);

/**
 * Archive items of workers found by 身份证号 (the name must match the registry): annual
 * assessments (one per worker and year) and trainings (one per worker, course and start date),
 * checked with the same schema as the archive form. A row for a worker outside the scope is an
 * error; an item that exists with the same content is left alone, a different one corrected.
 */
export const archiveImporter =
  (kind: 'assessment' | 'training'): TImporterFactory =>
  (ctx, _batchId, spec) => {
    const db = ctx.db;
    let reason = '';
    const { crypto } = ctx.services;
    const planned: TPlanned[] = [];
    const seen = new Map<string, TRecord>();

    const itemOf = (v: Record<string, unknown>): unknown => {
      if (kind === 'assessment') {
        const data: Record<string, unknown> = { year: v.year, grade: v.grade };
        if (v.note !== undefined) data.note = v.note;
        return {
          kind,
          startOn: v.startOn ?? (typeof v.year === 'number' ? `${v.year}-12-31` : undefined),
          endOn: null,
          data,
        };
      }
      const data: Record<string, unknown> = { course: v.course, hours: v.hours };
      if (v.days !== undefined) data.days = v.days;
      if (v.passed !== undefined) data.passed = v.passed;
      return { kind, startOn: v.startOn, endOn: v.endOn ?? null, data };
    };

    return {
      checkColumns: (layout) => missingColumns(layout, spec),
      prepare: async (why) => {
        reason = why;
      },

      add: async (record, layout) => {
        const v = record.values;
        const issues: TImportIssue[] = [...record.issues];
        const idColumn = layout.byField.get('idNumber');
        if (!v.idNumber || record.badFields.has('idNumber')) return issues;
        const id = checkIdNumber(String(v.idNumber));
        if (!id.ok) {
          return [
            ...issues,
            issue(record.sheet, record.row, `${idColumn?.header ?? '身份证号'}：${id.message}`, {
              column: idColumn,
            }),
          ];
        }
        const parsed = ZCreateArchiveItem.safeParse(itemOf(v));
        if (!parsed.success) {
          // The item's fields are nested under `data`: point at the column of the data field.
          const error = parsed.error;
          for (const zi of error.issues)
            if (zi.path[0] === 'data' && zi.path.length > 1) zi.path.shift();
          issues.push(...zodIssues(record, layout, spec, error));
          return issues;
        }
        if (issues.some((i) => i.severity === 'error')) return issues;
        const item = parsed.data as TItem;
        const hash = crypto.blindIndex(id.value);
        const key = `${hash}|${keyOf(item)}`;
        const first = seen.get(key);
        if (first) {
          return [
            ...issues,
            issue(
              record.sheet,
              record.row,
              kind === 'assessment'
                ? `与第${first.row}行重复（同一人同一考核年度）`
                : `与第${first.row}行重复（同一人同一培训、同一开始日期）`,
              { column: idColumn },
            ),
          ];
        }
        seen.set(key, record);
        planned.push({
          record,
          hash,
          name: String(v.name ?? ''),
          item,
          key: keyOf(item),
          columns: { idNumber: idColumn, name: layout.byField.get('name') },
        });
        return issues;
      },

      check: async () => {
        const issues: TImportIssue[] = [];
        const hashes = [...new Set(planned.map((p) => p.hash))];
        const workers = new Map<
          string,
          { id: string; name: string; orgPath: string; countyCode: string }
        >();
        for (let i = 0; i < hashes.length; i += 5000) {
          const rows = await db
            .select({
              id: worker.id,
              name: worker.name,
              orgPath: worker.orgPath,
              countyCode: worker.countyCode,
              hash: worker.idNumberHash,
            })
            .from(worker)
            .where(inArray(worker.idNumberHash, hashes.slice(i, i + 5000)));
          for (const r of rows) workers.set(r.hash, r);
        }
        const ids = [...new Set([...workers.values()].map((w) => w.id))];
        const existing = new Map<string, typeof archiveItem.$inferSelect>();
        for (let i = 0; i < ids.length; i += 5000) {
          const rows = await db
            .select()
            .from(archiveItem)
            .where(
              and(
                inArray(archiveItem.workerId, ids.slice(i, i + 5000)),
                eq(archiveItem.kind, kind),
              ),
            );
          for (const r of rows) {
            const key = keyOf({ kind, startOn: r.startOn, endOn: r.endOn, data: r.data });
            existing.set(`${r.workerId}|${key}`, r);
          }
        }
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        for (let i = planned.length - 1; i >= 0; i--) {
          const p = planned[i]!;
          const w = workers.get(p.hash);
          const at = (message: string, column?: TMappedColumn) =>
            issue(p.record.sheet, p.record.row, message, { column });
          if (!w || !isWithinScope(ctx.actor.scope, w.orgPath)) {
            issues.push(
              at('未找到该身份证号的社区工作者（或不在您的管辖范围内）', p.columns.idNumber),
            );
            planned.splice(i, 1);
            continue;
          }
          if (p.name && p.name !== w.name) {
            issues.push(at(`姓名与登记信息不一致（登记为“${w.name}”）`, p.columns.name));
            planned.splice(i, 1);
            continue;
          }
          p.workerId = w.id;
          p.orgPath = w.orgPath;
          p.countyCode = w.countyCode;
          p.existing = existing.get(`${w.id}|${p.key}`);
          if (!p.existing) created++;
          else if (!sameItem(p.item, p.existing)) updated++;
          else unchanged++;
        }
        issues.reverse();
        return { issues, created, updated, unchanged };
      },

      apply: async () => {
        const audits: TAuditEntry[] = [];
        const inserts: (typeof archiveItem.$inferInsert)[] = [];
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        const actor = {
          actorId: ctx.actor.id,
          actorName: ctx.actor.username,
          entity: 'worker',
          reason,
        };
        for (const p of planned) {
          const { item } = p;
          if (!p.existing) {
            created++;
            const row = {
              id: newId(),
              workerId: p.workerId!,
              countyCode: p.countyCode!,
              kind,
              startOn: item.startOn,
              endOn: item.endOn,
              data: item.data,
              createdBy: ctx.actor.id,
            };
            inserts.push(row);
            audits.push({
              ...actor,
              action: 'archive-add',
              entityId: p.workerId!,
              orgPath: p.orgPath!,
              after: {
                itemId: row.id,
                kind,
                startOn: row.startOn,
                endOn: row.endOn,
                data: row.data,
              },
            });
          } else if (!sameItem(item, p.existing)) {
            updated++;
            await db
              .update(archiveItem)
              .set({ startOn: item.startOn, endOn: item.endOn, data: item.data })
              .where(eq(archiveItem.id, p.existing.id));
            audits.push({
              ...actor,
              action: 'archive-correct',
              entityId: p.workerId!,
              orgPath: p.orgPath!,
              before: {
                itemId: p.existing.id,
                kind,
                startOn: p.existing.startOn,
                endOn: p.existing.endOn,
                data: p.existing.data,
              },
              after: {
                itemId: p.existing.id,
                kind,
                startOn: item.startOn,
                endOn: item.endOn,
                data: item.data,
              },
            });
          } else unchanged++;
        }
        for (let i = 0; i < inserts.length; i += 1000) {
          await db.insert(archiveItem).values(inserts.slice(i, i + 1000));
        }
        await writeAuditBulk(ctx.services.database, db, audits);
        return { created, updated, unchanged };
      },
    };
  };

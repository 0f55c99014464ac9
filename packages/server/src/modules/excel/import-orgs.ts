import {
  codeFitsParent,
  type TImportIssue,
  type TOrgFact,
  ZCreateOrg,
  ZOrgFact,
} from '@shegong/shared';
import { and, inArray, sql } from 'drizzle-orm';
import { type TAuditEntry, writeAuditBulk } from '../../audit/audit.ts';
import { org, orgFact } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { pathInScope } from '../org/org-scope.ts';
import { refreshCommunityStats } from '../stats/stat-maintenance.ts';
import { missingColumns, type TImporterFactory, zodIssues } from './importer.ts';
import { issue, type TMappedColumn, type TRecord } from './parse-file.ts';
import { loadPlaces, type TPlace, type TPlaces } from './places.ts';

const FACT_FIELDS = [
  'householdsRegistered',
  'householdsResident',
  'population',
  'kind',
  'starRating',
  'gridSatisfaction',
  'note',
] as const;
type TFactField = (typeof FACT_FIELDS)[number];

type TFactRow = typeof orgFact.$inferSelect;

type TPlanned = {
  record: TRecord;
  code: string;
  existing: TPlace | undefined;
  create?: { code: string; parentCode: string; name: string; parent: TPlace };
  rename?: { from: string; to: string };
  fact?: { effectiveFrom: string; values: Partial<Record<TFactField, unknown>> };
};

const LEVEL_NAMES: Record<string, string> = {
  street: '街道',
  community: '社区',
  grid: '网格',
};

/**
 * Communities (or grids) with their dated facts: upsert by code. A new code creates the node
 * under its street (community) or community (grid), both in the caller's scope; a different
 * name renames it; households, population, kind and star rating are recorded as of the row's
 * date — a new date adds a fact, the same date corrects it (only the columns the file has).
 */
export const orgImporter =
  (level: 'community' | 'grid'): TImporterFactory =>
  (ctx, _batchId, spec) => {
    const db = ctx.db;
    let reason = '';
    const parentLevel = level === 'community' ? 'street' : 'community';
    let places: TPlaces;
    const planned: TPlanned[] = [];
    const seen = new Map<string, TRecord>();
    let present = new Set<string>();
    const facts = new Map<string, TFactRow>();
    const codeColumns = new Map<string, TMappedColumn>();

    const derivedParent = (code: string) =>
      level === 'community' ? `${code.slice(0, 9)}000` : code.slice(0, 12);

    const factChanges = (p: TPlanned) => {
      if (!p.fact) return undefined;
      const old = facts.get(`${p.code}|${p.fact.effectiveFrom}`);
      if (!old) return { kind: 'add' as const, old: undefined };
      const differs = FACT_FIELDS.some(
        (f) => present.has(f) && (p.fact!.values[f] ?? null) !== (old[f] ?? null),
      );
      return differs ? { kind: 'correct' as const, old } : undefined;
    };

    return {
      checkColumns: (layout) => {
        const messages = missingColumns(layout, spec);
        if (messages.length === 0) {
          const fields = new Set(layout.byField.keys());
          present =
            present.size === 0 ? fields : new Set([...present].filter((f) => fields.has(f)));
        }
        return messages;
      },

      prepare: async (why) => {
        reason = why;
        places = await loadPlaces(db, ctx.actor.scope);
        const rows = await db
          .select({ fact: orgFact })
          .from(orgFact)
          .innerJoin(org, sql`${org.code} = ${orgFact.orgCode}`)
          .where(and(pathInScope(org.path, ctx.actor.scope), sql`${org.level} = ${level}`));
        for (const { fact } of rows) facts.set(`${fact.orgCode}|${fact.effectiveFrom}`, fact);
      },

      add: async (record, layout) => {
        const v = record.values;
        const issues: TImportIssue[] = [...record.issues];
        const codeColumn = layout.byField.get('code');
        if (codeColumn) codeColumns.set(record.sheet, codeColumn);
        const at = (message: string, field: string) =>
          issue(record.sheet, record.row, message, { column: layout.byField.get(field), field });
        const code = v.code as string | undefined;
        if (!code || record.badFields.has('code')) return issues;
        const existing = places.byCode.get(code);
        const p: TPlanned = { record, code, existing };
        const name = v.name as string | undefined;
        if (existing) {
          if (existing.level !== level) {
            issues.push(
              at(
                `代码 ${code} 是${LEVEL_NAMES[existing.level] ?? existing.level}，不是${LEVEL_NAMES[level]}`,
                'code',
              ),
            );
          }
          const parentCode = v.parentCode as string | undefined;
          if (parentCode && parentCode !== existing.parentCode) {
            issues.push(
              at(
                `该${LEVEL_NAMES[level]}属于 ${existing.parentCode}；调整上级请在“机构与社区”页面按日期操作`,
                'parentCode',
              ),
            );
          }
          if (name && name !== existing.name) p.rename = { from: existing.name, to: name };
        } else {
          const parentCode = (v.parentCode as string | undefined) ?? derivedParent(code);
          const parsed = ZCreateOrg.safeParse({ code, parentCode, name });
          if (!parsed.success) {
            issues.push(...zodIssues(record, layout, spec, parsed.error));
          } else {
            const parent = places.byCode.get(parentCode);
            if (parent?.level !== parentLevel) {
              issues.push(
                at(
                  `上级${LEVEL_NAMES[parentLevel]} ${parentCode} 不存在或不在您的管辖范围内`,
                  v.parentCode ? 'parentCode' : 'code',
                ),
              );
            } else if (!codeFitsParent(level, code, parentCode)) {
              issues.push(
                at(`代码 ${code} 不是“${parent.name}”下的有效${LEVEL_NAMES[level]}代码`, 'code'),
              );
            } else {
              p.create = { code, parentCode, name: parsed.data.name, parent };
            }
          }
        }
        const hasFact = FACT_FIELDS.some((f) => v[f] !== undefined);
        if (hasFact || v.effectiveFrom !== undefined) {
          const input: Record<string, unknown> = { effectiveFrom: v.effectiveFrom };
          for (const f of FACT_FIELDS) if (v[f] !== undefined) input[f] = v[f];
          if (v.effectiveFrom === undefined && !record.badFields.has('effectiveFrom')) {
            issues.push(at('统计日期：填写户数、人口等数据时必填', 'effectiveFrom'));
          } else {
            const parsed = ZOrgFact.safeParse(input);
            if (!parsed.success) issues.push(...zodIssues(record, layout, spec, parsed.error));
            else {
              const values: Partial<Record<TFactField, unknown>> = {};
              for (const f of FACT_FIELDS) values[f] = (parsed.data as TOrgFact)[f] ?? null;
              p.fact = { effectiveFrom: parsed.data.effectiveFrom, values };
            }
          }
        }
        const key = p.fact ? `${code}|${p.fact.effectiveFrom}` : code;
        const first = seen.get(key);
        if (first) {
          issues.push(
            at(`与第${first.row}行重复（同一代码${p.fact ? '、同一统计日期' : ''}）`, 'code'),
          );
        }
        if (issues.some((i) => i.severity === 'error')) return issues;
        seen.set(key, record);
        planned.push(p);
        return issues;
      },

      check: async () => {
        const issues: TImportIssue[] = [];
        const newCodes = planned.filter((p) => p.create).map((p) => p.code);
        if (newCodes.length > 0) {
          const taken = new Set<string>();
          for (let i = 0; i < newCodes.length; i += 5000) {
            const rows = await db
              .select({ code: org.code })
              .from(org)
              .where(inArray(org.code, newCodes.slice(i, i + 5000)));
            for (const r of rows) taken.add(r.code);
          }
          for (let i = planned.length - 1; i >= 0; i--) {
            const p = planned[i]!;
            if (p.create && taken.has(p.code)) {
              issues.push(
                issue(p.record.sheet, p.record.row, `代码 ${p.code} 已被您管辖范围以外的机构使用`, {
                  column: codeColumns.get(p.record.sheet),
                }),
              );
              planned.splice(i, 1);
            }
          }
        }
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        for (const p of planned) {
          if (p.create) created++;
          else if (p.rename || factChanges(p)) updated++;
          else unchanged++;
        }
        return { issues, created, updated, unchanged };
      },

      apply: async () => {
        const audits: TAuditEntry[] = [];
        const actor = {
          actorId: ctx.actor.id,
          actorName: ctx.actor.username,
          entity: 'org',
          reason,
        };
        let created = 0;
        let updated = 0;
        let unchanged = 0;
        const newOrgs = [];
        const pendingFacts: (typeof orgFact.$inferInsert)[] = [];
        for (const p of planned) {
          const changes = factChanges(p);
          if (p.create) created++;
          else if (p.rename || changes) updated++;
          else unchanged++;
          let path = p.existing?.path ?? '';
          let countyCode = p.existing?.countyCode ?? null;
          if (p.create) {
            path = `${p.create.parent.path}${p.code}/`;
            countyCode = p.create.parent.countyCode;
            const row = {
              code: p.code,
              parentCode: p.create.parentCode,
              level,
              name: p.create.name,
              path,
              packId: null,
              countyCode,
            };
            newOrgs.push(row);
            audits.push({
              ...actor,
              action: 'create',
              entityId: p.code,
              orgPath: path,
              after: row,
            });
          }
          if (p.rename) {
            await db
              .update(org)
              .set({ name: p.rename.to, updatedAt: new Date().toISOString() })
              .where(sql`${org.code} = ${p.code}`);
            audits.push({
              ...actor,
              action: 'update',
              entityId: p.code,
              orgPath: path,
              before: { name: p.rename.from },
              after: { name: p.rename.to },
            });
          }
          if (p.fact && (p.create || changes)) {
            const values = Object.fromEntries(
              FACT_FIELDS.filter((f) => present.has(f) || !changes?.old).map((f) => [
                f,
                p.fact!.values[f] ?? null,
              ]),
            );
            if (changes?.kind === 'correct') {
              await db.update(orgFact).set(values).where(sql`${orgFact.id} = ${changes.old.id}`);
              const { id: _id, createdAt: _c, ...before } = changes.old;
              audits.push({
                ...actor,
                action: 'fact-correct',
                entityId: p.code,
                orgPath: path,
                before,
                after: { effectiveFrom: p.fact.effectiveFrom, ...values },
              });
            } else {
              // Inserted after the nodes (below), in file order.
              pendingFacts.push({
                id: newId(),
                orgCode: p.code,
                countyCode,
                effectiveFrom: p.fact.effectiveFrom,
                ...values,
              } as typeof orgFact.$inferInsert);
              audits.push({
                ...actor,
                action: 'fact-add',
                entityId: p.code,
                orgPath: path,
                after: { effectiveFrom: p.fact.effectiveFrom, ...values },
              });
            }
          }
        }
        for (let i = 0; i < newOrgs.length; i += 1000) {
          await db.insert(org).values(newOrgs.slice(i, i + 1000));
        }
        for (let i = 0; i < pendingFacts.length; i += 1000) {
          await db.insert(orgFact).values(pendingFacts.slice(i, i + 1000));
        }
        await writeAuditBulk(ctx.services.database, db, audits);
        // Statistics count communities, their grids and their latest facts.
        const touched = new Set<string>();
        for (const p of planned) {
          if (level === 'grid') {
            if (p.create) touched.add(p.create.parentCode);
          } else if (p.create || (p.fact && factChanges(p))) touched.add(p.code);
        }
        await refreshCommunityStats(db, [...touched].sort());
        return { created, updated, unchanged };
      },
    };
  };

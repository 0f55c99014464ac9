import type { TImportKind, TImportKindSpec } from '@shegong/shared';
import { issue, type TRecord, type TSheetLayout } from './parse-file.ts';

/** Cells that identify the template's example row, per kind. */
const EXAMPLE_KEYS: Record<TImportKind, string[]> = {
  workers: ['name', 'idNumber'],
  communities: ['code', 'name'],
  grids: ['code', 'name'],
  assessments: ['idNumber', 'name'],
  trainings: ['idNumber', 'name'],
};

/**
 * The checks of every kind's records that need no database, before the kind's own: whether a
 * record is the template's example row (skipped with a warning), and required cells left
 * empty (said once, in Chinese, before the schema says it its way). Run where the file is read.
 */
export const recordChecks = (kind: TImportKind, spec: TImportKindSpec) => {
  const exampleValues = EXAMPLE_KEYS[kind].map(
    (f) => [f, String(spec.columns.find((c) => c.field === f)?.example ?? '')] as const,
  );
  const hasExample = exampleValues.every(([, ex]) => ex !== '');
  return {
    isExample: (record: TRecord) =>
      hasExample && exampleValues.every(([f, ex]) => String(record.values[f] ?? '') === ex),
    exampleIssue: (record: TRecord) =>
      issue(record.sheet, record.row, '模板中的示例行，已跳过', { severity: 'warning' }),
    markRequired: (record: TRecord, layout: TSheetLayout) => {
      for (const c of layout.columns) {
        if (
          c.column.required &&
          record.values[c.column.field] === undefined &&
          !record.badFields.has(c.column.field)
        ) {
          record.badFields.add(c.column.field);
          record.issues.push(issue(record.sheet, record.row, `${c.header}：必填`, { column: c }));
        }
      }
    },
  };
};

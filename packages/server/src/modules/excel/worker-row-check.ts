import {
  idNumberFacts,
  type TCreateWorkerParsed,
  type TImportIssue,
  type TImportKindSpec,
  ZCreateWorker,
} from '@shegong/shared';
import { zodIssues } from './importer.ts';
import type { TRecord, TSheetLayout } from './parse-file.ts';
import type { TPlaces } from './place-index.ts';

/**
 * A worker row checked without the database: its problems so far (the cells', the place's,
 * the shared schema's, the 身份证号's), and when it has none, what the importer keeps of it.
 * Made where the file is read — in the reader's thread (read-thread.ts) or, without one, by the
 * importer itself — and the same either way.
 */
export type TWorkerRowCheck = {
  issues: TImportIssue[];
  valid?: {
    w: TCreateWorkerParsed;
    birthDate: string;
    sex: string;
    communityCode: string;
  };
};

/** The pure checks of a worker row (the importer adds the duplicates and the registry's). */
export const workerRowCheck =
  (places: TPlaces, spec: TImportKindSpec) =>
  (record: TRecord, layout: TSheetLayout): TWorkerRowCheck => {
    const v = record.values;
    const issues = [...record.issues];
    const place = places.resolveCommunity(v, layout, record);
    if (place.issue) {
      issues.push(place.issue);
      record.badFields.add(
        place.issue.field === 'gridName' ? 'gridCode' : (place.issue.field ?? ''),
      );
      if (place.issue.field === 'communityName') record.badFields.add('communityCode');
    }
    const input: Record<string, unknown> = {};
    for (const k in v) {
      if (k !== 'communityName' && k !== 'streetName' && k !== 'gridName') input[k] = v[k];
    }
    if (place.communityCode) input.communityCode = place.communityCode;
    if (place.gridCode) input.gridCode = place.gridCode;
    const parsed = ZCreateWorker.safeParse(input);
    if (!parsed.success) {
      issues.push(
        ...zodIssues(record, layout, spec, parsed.error, {
          communityCode: ['communityName'],
          gridCode: ['gridName'],
        }),
      );
    }
    if (issues.some((i) => i.severity === 'error') || !parsed.success || !place.community) {
      return { issues };
    }
    const w = parsed.data;
    // The schema checked the 身份证号 (ZIdNumber: its errors, at its column, are among the
    // issues above) and gave it normalised: read its facts without checking it again.
    const facts = idNumberFacts(w.idNumber);
    return {
      issues,
      valid: { w, birthDate: facts.birthDate, sex: facts.sex, communityCode: place.community.code },
    };
  };

import { parentPort } from 'node:worker_threads';
import {
  AppError,
  IMPORT_SPECS,
  type TImportIssue,
  type TImportKind,
  type TImportKindSpec,
} from '@shegong/shared';
import { readRecordBatches, type TRecord, type TSheetLayout } from './parse-file.ts';
import { placeIndex, type TPlace } from './place-index.ts';
import type { TFromThread, TStartRead, TThreadError, TToThread } from './read-thread.ts';
import { recordChecks } from './record-checks.ts';
import { workerRowCheck } from './worker-row-check.ts';

// The reader's thread: reads a file into records, runs the checks that need no database, and
// posts the records a batch at a time (see read-thread.ts for the calling side).

/** The kinds' row checks, made from the data their importer gives (`TKindImporter.rowCheckData`). */
const ROW_CHECKS: Partial<
  Record<
    TImportKind,
    (data: unknown, spec: TImportKindSpec) => (record: TRecord, layout: TSheetLayout) => unknown
  >
> = {
  workers: (data, spec) => workerRowCheck(placeIndex((data as { places: TPlace[] }).places), spec),
};

const port = parentPort!;
const post = (m: TFromThread) => port.postMessage(m);

/** Batches the caller may still be sent before it asks for more. */
let credit = 0;
let wakeCredit: (() => void) | undefined;
let answerLayout: ((ok: boolean) => void) | undefined;

const errorOf = (error: unknown): TThreadError =>
  error instanceof AppError
    ? {
        app: true,
        code: error.code,
        message: error.message,
        where: error.where,
        issues: error.issues,
        cause: error.cause instanceof Error ? errorOf(error.cause) : undefined,
      }
    : {
        app: false,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      };

const read = async (start: TStartRead) => {
  const issues: TImportIssue[] = [];
  const layouts = new Map<string, TSheetLayout>();
  let bytes = 0;
  credit = start.ahead;
  // What the calling thread read itself before: not repeated.
  const { skip } = start;
  let issuesToSkip = skip.issues;
  let layoutsSeen = 0;
  const take = () => {
    const found = issues.splice(0);
    if (issuesToSkip === 0) return found;
    const n = Math.min(issuesToSkip, found.length);
    issuesToSkip -= n;
    return found.slice(n);
  };
  try {
    const spec = IMPORT_SPECS[start.kind];
    const checks = recordChecks(start.kind, spec);
    const rowCheck =
      start.rowCheck === undefined ? undefined : ROW_CHECKS[start.kind]?.(start.rowCheck, spec);
    for await (const read of readRecordBatches(start.file, spec, {
      fileName: start.fileName,
      issues,
      onBytes: (n) => {
        bytes = n;
      },
      onLayout: (layout) => {
        const n = layoutsSeen++;
        if (n < skip.answers.length) {
          if (skip.answers[n]) layouts.set(layout.sheet, layout);
          return skip.answers[n]!;
        }
        post({ type: 'layout', layout, issues: take(), bytes });
        return new Promise<boolean>((resolve) => {
          answerLayout = (ok) => {
            if (ok) layouts.set(layout.sheet, layout);
            resolve(ok);
          };
        });
      },
    })) {
      const records = skip.seq === 0 ? read : read.filter((r) => r.seq > skip.seq);
      if (records.length === 0) continue;
      for (const record of records) {
        const example = checks.isExample(record);
        if (example) {
          record.checked = { example };
          continue;
        }
        const layout = layouts.get(record.sheet)!;
        checks.markRequired(record, layout);
        if (!rowCheck) {
          record.checked = { example };
          continue;
        }
        // The row check's result stands for the cells: they are not copied back.
        record.checked = { example, row: rowCheck(record, layout) };
        record.values = {};
        record.issues = [];
        record.badFields.clear();
      }
      while (credit === 0) await new Promise<void>((resolve) => (wakeCredit = resolve));
      credit--;
      post({ type: 'batch', records, issues: take(), bytes });
    }
    post({ type: 'end', issues: take(), bytes });
  } catch (error) {
    post({ type: 'error', error: errorOf(error), issues: take(), bytes });
  }
};

port.on('message', (m: TToThread) => {
  if (m.type === 'start') {
    void read(m);
  } else if (m.type === 'more') {
    credit++;
    wakeCredit?.();
    wakeCredit = undefined;
  } else if (m.type === 'layout') {
    answerLayout?.(m.ok);
    answerLayout = undefined;
  } else if (m.type === 'fail') {
    // Tests: a thread that dies while reading.
    throw new Error('reader thread failed on purpose (test)');
  }
});
post({ type: 'ready' });

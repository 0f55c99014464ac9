import * as z from 'zod';
import { ZIsoDate } from '../schema/common.ts';
import { EVALUATIONS } from '../types.ts';

/** One test case of a pack: an input on a date, and the figures the document gives. */
export const ZCase = z.strictObject({
  name: z.string().min(1),
  /** The clause the expected figures come from, e.g. `004 职业化 (十七)`. */
  source: z.string().min(1),
  covers: z.array(z.string()).optional(),
  eval: z.enum(EVALUATIONS).optional(),
  date: ZIsoDate.optional(),
  /**
   * A whole month `YYYY-MM` of pay (eval pay only): the pack's `payMonth`, split where a version
   * of the pack or the worker's record changes inside it (expect `parts`); the date is the month's.
   */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '应为月份 YYYY-MM（如 2020-11）' })
    .optional(),
  /** With `month`: the worker's record from a day inside the month on (a new post from the 16th). */
  records: z
    .array(z.strictObject({ on: ZIsoDate, input: z.record(z.string(), z.unknown()) }))
    .optional(),
  input: z.record(z.string(), z.unknown()),
  /** Partial expected value: only the keys written are compared. */
  expect: z.unknown().optional(),
  /** The evaluation must fail with a message containing this text. */
  expectError: z.string().optional(),
  /** Rule ids that must appear in the trace. */
  expectRules: z.array(z.string()).optional(),
  /** What-if: evaluate a draft of the pack with these edits. */
  draft: z
    .strictObject({
      parameters: z
        .record(
          z.string(),
          z.strictObject({
            value: z.union([z.number(), z.string(), z.boolean()]),
            from: ZIsoDate.optional(),
          }),
        )
        .optional(),
      options: z
        .record(z.string(), z.strictObject({ chosen: z.string(), reason: z.string().optional() }))
        .optional(),
    })
    .optional(),
});
export type TCase = z.infer<typeof ZCase>;

export const ZCaseFile = z.strictObject({
  /** Pack under test; defaults to the folder the tests/ directory is in. */
  pack: z.string().optional(),
  defaults: z
    .strictObject({ eval: z.enum(EVALUATIONS).optional(), date: ZIsoDate.optional() })
    .optional(),
  cases: z.array(ZCase).min(1),
});
export type TCaseFile = z.infer<typeof ZCaseFile>;

import {
  ASSESSMENT_GRADES,
  CERTIFICATE_LEVELS,
  COMMUNITY_KINDS,
  EDUCATION_LEVELS,
  POST_TITLES,
} from '@shegong/shared';
import * as z from 'zod';
import { isIsoDate } from '../util/dates.ts';
import { parseRatio, ROUNDINGS, type TRatio, yuanToFen } from '../util/decimal.ts';

/** An ISO date `YYYY-MM-DD` that exists in the calendar. */
export const ZIsoDate = z
  .string()
  .refine(isIsoDate, { message: '应为日期 YYYY-MM-DD（如 2019-01-01）' });

/** Short Chinese text (descriptions shown to users must be Chinese). */
export const ZZh = z
  .string()
  .min(2)
  .refine((s) => /[\u4e00-\u9fff]/.test(s), { message: '应为中文说明' });

/** An exact ratio written as `1.30`, `70%`, `2/5` or a number. */
export const ZRatio = z.union([z.number(), z.string()]).transform((v, ctx): TRatio => {
  const r = parseRatio(v);
  if (!r) {
    ctx.addIssue({
      code: 'custom',
      message: `「${v}」不是小数、百分比或分数（如 1.30、70%、2/5）`,
    });
    return z.NEVER;
  }
  return r;
});

/** An amount of money written in yuan (元), kept as integer fen. */
export const ZYuan = z.union([z.number(), z.string()]).transform((v, ctx): number => {
  const fen = yuanToFen(v);
  if (fen === undefined) {
    ctx.addIssue({ code: 'custom', message: `「${v}」不是金额（元，最多两位小数）` });
    return z.NEVER;
  }
  return fen;
});

export const ZInt = z.number().int();
export const ZNonNegInt = z.number().int().min(0);
export const ZRounding = z.enum(ROUNDINGS);
export const ZEducation = z.enum(EDUCATION_LEVELS);
export const ZCertificate = z.enum(CERTIFICATE_LEVELS);
export const ZAssessment = z.enum(ASSESSMENT_GRADES);
export const ZCommunityKind = z.enum(COMMUNITY_KINDS);
export const ZPostTitle = z.enum(POST_TITLES);

/** A reference to a dated parameter of the pack: `{ param: benchmarkPay }`. */
export const ZParamRef = z.strictObject({ param: z.string().min(1) });
export type TParamRef = z.infer<typeof ZParamRef>;

/** A reference to a named option of the pack: `{ option: householdStepRounding }`. */
export const ZOptionRef = z.strictObject({ option: z.string().min(1) });
export type TOptionRef = z.infer<typeof ZOptionRef>;

/** A field that may hold its value, a parameter reference or an option reference. */
export const orRef = <T extends z.ZodType>(schema: T) => z.union([schema, ZParamRef, ZOptionRef]);

/** A value that may come from a parameter or an option; resolved when the pack is compiled. */
export type TRef<T> = T | TParamRef | TOptionRef;

export const isParamRef = (v: unknown): v is TParamRef =>
  typeof v === 'object' && v !== null && 'param' in v && Object.keys(v).length === 1;
export const isOptionRef = (v: unknown): v is TOptionRef =>
  typeof v === 'object' && v !== null && 'option' in v && Object.keys(v).length === 1;

/** Who a rule applies to: registry titles (shared by all packs) or this pack's categories. */
export const ZWho = z.strictObject({
  titles: z.array(ZPostTitle).optional(),
  categories: z.array(z.string()).optional(),
});
export type TWho = z.infer<typeof ZWho>;

/** A duration: `{ years: 3 }`, `{ months: 6 }`, `{ days: 30 }` or a mix. */
export const ZDuration = z.strictObject({
  years: ZNonNegInt.optional(),
  months: ZNonNegInt.optional(),
  days: ZNonNegInt.optional(),
});
export type TDuration = z.infer<typeof ZDuration>;

/** An expression of the pack language (see docs/policy-packs.md). */
export const ZExpr = z.string().min(1).max(2000);

import { z } from 'zod';

const isRealDate = (value: string) => {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** An ISO date `YYYY-MM-DD` that exists in the calendar. */
export const ZIsoDate = z
  .string({ error: '请填写日期（YYYY-MM-DD）' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine(isRealDate, '日期不存在');

export const todayIso = (): string => {
  // Dates are civil dates in China (UTC+8), whatever the server's time zone.
  const now = new Date(Date.now() + 8 * 3_600_000);
  return now.toISOString().slice(0, 10);
};

/**
 * A date of something that has happened (参加社区工作时间, 入职日期, 取证日期): not after today,
 * China's civil date on the machine that checks it (the server's, for what is stored).
 */
export const ZPastDate = ZIsoDate.superRefine((value, ctx) => {
  const today = todayIso();
  if (isRealDate(value) && value > today)
    ctx.addIssue({ code: 'custom', message: `${value} 晚于今天（${today}）` });
});

/** Integer fen (分); never a float. */
export const ZFen = z
  .number({ error: '金额应为整数（分）' })
  .int('金额应为整数（分）')
  .min(0, '金额不能为负');

/** A division code: 6 digits (county and above), 12 (street, community) or 15 (grid). */
export const ZOrgCode = z.string().regex(/^(\d{6}|\d{12}|\d{15})$/, '机构代码应为6、12或15位数字');

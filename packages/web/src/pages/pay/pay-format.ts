import { yuanText as sharedYuanText, yuanDigits } from '@shegong/shared';

// Money arrives as integer fen; the pages show 元 with two decimals, never through floats for
// the digits after the point.

/** `260000` → `2,600.00`; null → `—` (the shared formatter the server's messages use too). */
export const yuan = (fen: number | null | undefined): string =>
  fen === null || fen === undefined ? '—' : yuanDigits(fen);

/** `260000` → `2,600.00元`. */
export const yuanText = (fen: number | null | undefined) =>
  fen === null || fen === undefined ? '—' : sharedYuanText(fen);

/** A quota range `{ min: 6, max: 10 }` → `6–10`; no upper bound → `6以上`. */
export const rangeText = (r: { min: number; max: number | null } | null | undefined): string => {
  if (!r) return '未核定';
  if (r.max === null) return `${r.min}以上`;
  return r.min === r.max ? String(r.min) : `${r.min}–${r.max}`;
};

/** The month before `YYYY-MM` is most often the one being paid. */
export const currentMonth = (): string => {
  const now = new Date(Date.now() + 8 * 3_600_000);
  return now.toISOString().slice(0, 7);
};

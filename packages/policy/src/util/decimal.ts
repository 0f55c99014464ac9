import { yuanText } from '@shegong/shared';

// Exact numbers for policy figures: ratios (coefficients, percentages, fractions) are kept as
// integer numerator/denominator, money is integer fen. No floating-point money anywhere.

/** An exact non-negative or negative rational: `num / den`, `den > 0`, both safe integers. */
export type TRatio = { readonly num: number; readonly den: number };

/** How a non-integer result becomes an integer (fen, posts, grades). */
export type TRounding = 'floor' | 'ceil' | 'half-up' | 'half-even';

export const ROUNDINGS = ['floor', 'ceil', 'half-up', 'half-even'] as const;

const gcd = (a: number, b: number): number => {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x || 1;
};

/** Builds a reduced ratio. */
export const ratio = (num: number, den = 1): TRatio => {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den === 0) {
    throw new RangeError(`无效的比例 ${num}/${den}`);
  }
  const sign = den < 0 ? -1 : 1;
  const g = gcd(num, den);
  return { num: (sign * num) / g, den: (sign * den) / g };
};

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses an exact ratio from the forms a policy text uses: `1.30`, `70%`, `2/5`, `1.2倍`, or a
 * number (read through its shortest decimal form, so `1.3` is exactly 13/10).
 * Returns undefined when the text is not one of these forms.
 * @example parseRatio('1.75') // { num: 7, den: 4 }
 * @example parseRatio('70%') // { num: 7, den: 10 }
 */
export const parseRatio = (input: string | number): TRatio | undefined => {
  let text = typeof input === 'number' ? numberToPlain(input) : input.trim();
  if (text === undefined) return undefined;
  let scale = 1;
  if (text.endsWith('%')) {
    scale = 100;
    text = text.slice(0, -1).trim();
  } else if (text.endsWith('倍')) {
    text = text.slice(0, -1).trim();
  }
  const slash = text.indexOf('/');
  if (slash > 0) {
    const a = parseRatio(text.slice(0, slash));
    const b = parseRatio(text.slice(slash + 1));
    if (!a || !b || b.num === 0) return undefined;
    return ratio(a.num * b.den, a.den * b.num * scale);
  }
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  if (frac.length > 9 || (m[2] ?? '').length > 12) return undefined;
  const num = Number(`${m[1]}${m[2]}${frac}`);
  return ratio(num, 10 ** frac.length * scale);
};

/** Writes a finite number without exponent notation; undefined for non-finite values. */
const numberToPlain = (n: number): string | undefined => {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
};

/**
 * Parses an amount of money written in yuan (`2000`, `'2000.50'`, `'2000元'`) into integer fen.
 * Returns undefined for more than two decimals or other text.
 * @example yuanToFen('2000') // 200000
 */
export const yuanToFen = (input: string | number): number | undefined => {
  let text = typeof input === 'number' ? numberToPlain(input) : input.trim();
  if (text === undefined) return undefined;
  if (text.endsWith('元')) text = text.slice(0, -1).trim();
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  if (frac.length > 2) return undefined;
  const fen = Number(`${m[2]}${frac.padEnd(2, '0')}`);
  if (!Number.isSafeInteger(fen)) return undefined;
  return m[1] === '-' ? -fen : fen;
};

/**
 * Integer division `a / b` with an explicit rounding mode; exact for safe integers.
 * @example divRound(7, 2, 'half-up') // 4
 */
export const divRound = (a: number, b: number, mode: TRounding): number => {
  if (b === 0) throw new RangeError('除数为零');
  if (b < 0) return divRound(-a, -b, mode);
  const q = Math.floor(a / b);
  const r = a - q * b;
  if (r === 0) return q;
  switch (mode) {
    case 'floor':
      return q;
    case 'ceil':
      return q + 1;
    case 'half-up':
      return 2 * r >= b ? q + 1 : q;
    case 'half-even':
      if (2 * r > b) return q + 1;
      if (2 * r < b) return q;
      return q % 2 === 0 ? q : q + 1;
  }
};

/** Big-integer variant of divRound, for products beyond 2^53. */
const divRoundBig = (a: bigint, b: bigint, mode: TRounding): number => {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q -= 1n;
    r += b;
  }
  if (r !== 0n) {
    if (mode === 'ceil') q += 1n;
    else if (mode === 'half-up' && 2n * r >= b) q += 1n;
    else if (mode === 'half-even' && (2n * r > b || (2n * r === b && q % 2n !== 0n))) q += 1n;
  }
  return Number(q);
};

/**
 * Multiplies an integer (fen, households…) by an exact ratio and rounds to an integer.
 * @example mulRatio(200000, parseRatio('1.75')!, 'half-up') // 350000
 */
export const mulRatio = (value: number, r: TRatio, mode: TRounding): number => {
  const p = value * r.num;
  if (Number.isSafeInteger(p)) return divRound(p, r.den, mode);
  return divRoundBig(BigInt(value) * BigInt(r.num), BigInt(r.den), mode);
};

/** Product of two ratios. */
export const mulRatios = (a: TRatio, b: TRatio): TRatio => {
  const g1 = gcd(a.num, b.den);
  const g2 = gcd(b.num, a.den);
  return ratio((a.num / g1) * (b.num / g2), (a.den / g2) * (b.den / g1));
};

/** Quotient of two ratios. */
export const divRatios = (a: TRatio, b: TRatio): TRatio => {
  if (b.num === 0) throw new RangeError('除数为零');
  return mulRatios(a, ratio(b.den, b.num));
};

/** Difference of two ratios. */
export const subRatios = (a: TRatio, b: TRatio): TRatio =>
  ratio(a.num * b.den - b.num * a.den, a.den * b.den);

/** Compares two ratios: negative, zero or positive. */
export const compareRatios = (a: TRatio, b: TRatio): number => a.num * b.den - b.num * a.den;

/** The ratio as a float, only for display and statistics, never for money. */
export const ratioToNumber = (r: TRatio): number => r.num / r.den;

/**
 * Formats a ratio with a fixed number of decimals (rounded half-up), e.g. a coefficient `"1.30"`.
 * @example formatRatio(ratio(13, 10), 2) // '1.30'
 */
export const formatRatio = (r: TRatio, decimals: number): string => {
  const scaled = mulRatio(10 ** decimals, r, 'half-up');
  const sign = scaled < 0 ? '-' : '';
  const abs = Math.abs(scaled);
  if (decimals === 0) return `${sign}${abs}`;
  const s = String(abs).padStart(decimals + 1, '0');
  return `${sign}${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
};

/** Formats a ratio as a percentage for explanations: `70%`, `2/5` stays a fraction. */
export const formatShare = (r: TRatio): string => {
  if ((100 * r.num) % r.den === 0) return `${(100 * r.num) / r.den}%`;
  return `${r.num}/${r.den}`;
};

/**
 * Formats integer fen as yuan for explanations, as the pages show money (shared `yuanText`):
 * `260000` → `2,600.00元`, `12345` → `123.45元`.
 * @example formatFen(260000) // '2,600.00元'
 */
export const formatFen = (fen: number): string => yuanText(fen);

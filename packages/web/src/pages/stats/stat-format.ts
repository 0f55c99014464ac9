import { type TStatColumn, yuanDigits } from '@shegong/shared';

// Numbers as the statistics pages show them (zh-CN grouping, percents with one decimal).

const NUMBER = new Intl.NumberFormat('zh-CN');
const DECIMAL = new Intl.NumberFormat('zh-CN', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export const formatCount = (n: number | null | undefined) => (n == null ? '—' : NUMBER.format(n));
export const formatPercent = (x: number | null | undefined) =>
  x == null ? '—' : `${DECIMAL.format(x * 100)}%`;
export const formatNumber = (x: number | null | undefined) => (x == null ? '—' : DECIMAL.format(x));

export const formatCell = (kind: TStatColumn['kind'], v: string | number | null | undefined) => {
  if (v == null) return '—';
  if (typeof v === 'string') return v;
  if (kind === 'percent') return formatPercent(v);
  if (kind === 'number') return formatNumber(v);
  return formatCount(v);
};

/** Yuan with two decimals from integer fen (the shared formatter: digits from integers). */
export const formatFen = (fen: number) => `${yuanDigits(fen)} 元`;

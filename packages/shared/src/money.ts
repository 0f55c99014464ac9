// Money is integer fen everywhere; people read 元 with a thousands comma and two decimals. One
// formatter for the pages and for the engine's and server's messages, so that a message says
// 10,000.00元 where the table beside it shows 10,000.00 (digits from integers, never a float).

/**
 * `260000` → `2,600.00`; `-12345` → `-123.45`.
 * @example yuanDigits(1000000) // '10,000.00'
 */
export const yuanDigits = (fen: number): string => {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
};

/**
 * `260000` → `2,600.00元`.
 * @example yuanText(500000) // '5,000.00元'
 */
export const yuanText = (fen: number): string => `${yuanDigits(fen)}元`;

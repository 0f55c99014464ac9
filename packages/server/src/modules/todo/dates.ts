// Calendar arithmetic on ISO dates through UTC, so no time zone moves a day.

const parts = (d: string) => d.split('-').map(Number) as [number, number, number];
const iso = (t: Date) => t.toISOString().slice(0, 10);

/** Adds days (negative to go back). */
export const addDays = (date: string, days: number): string => {
  const [y, m, d] = parts(date);
  return iso(new Date(Date.UTC(y, m - 1, d + days)));
};

/** Adds calendar months; a day past the end of the month is the month's last day. */
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = parts(date);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))));
};

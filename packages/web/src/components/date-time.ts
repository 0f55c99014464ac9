// Times arrive as ISO instants in UTC (`2026-12-07T01:37:21.123Z`); users read them in their own
// clock as `2026-12-07 09:37:21` — not `2026/12/7 09:37:21` (toLocaleString) nor the UTC digits
// of the ISO string cut short (eight hours early in China).

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as `YYYY-MM-DD HH:mm:ss` in the browser's time zone; empty → `—`. */
export const dateTimeText = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
};

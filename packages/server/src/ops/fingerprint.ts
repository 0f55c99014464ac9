import { sql } from 'drizzle-orm';
import { queryRows, type TExecutor } from '../db/client.ts';

export type TTableFingerprint = { rows: number; hash: string };

/**
 * Row count and an order-independent content hash of every table (schemas `public` and
 * `drizzle`): the sum of the first 60 bits of each row's MD5, so a 10-million-row table needs
 * no sort and no large string. Two databases with equal fingerprints hold the same rows.
 */
export const tableFingerprints = async (
  db: TExecutor,
): Promise<Record<string, TTableFingerprint>> => {
  const tables = await queryRows<{ schema: string; name: string }>(
    db,
    sql`select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'
        order by 1, 2`,
  );
  const result: Record<string, TTableFingerprint> = {};
  for (const t of tables) {
    const rows = await queryRows<{ n: number; h: string | null }>(
      db,
      sql`select count(*)::int as n,
                 sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric)::text as h
          from ${sql.identifier(t.schema)}.${sql.identifier(t.name)} as t`,
    );
    result[`${t.schema}.${t.name}`] = { rows: Number(rows[0]?.n ?? 0), hash: rows[0]?.h ?? '0' };
  }
  return result;
};

/** Tables whose fingerprints differ, with both sides. */
export const diffFingerprints = (
  a: Record<string, TTableFingerprint>,
  b: Record<string, TTableFingerprint>,
) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .filter((k) => a[k]?.rows !== b[k]?.rows || a[k]?.hash !== b[k]?.hash)
    .map((table) => ({ table, expected: a[table], actual: b[table] }));

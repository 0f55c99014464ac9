import { getConnInfo } from '@hono/node-server/conninfo';
import { lt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { TExecutor } from '../db/client.ts';
import { queryRows } from '../db/client.ts';
import { rateLimit } from '../db/schema/index.ts';

export type TRateLimitHit = { allowed: boolean; count: number; retryAfterSeconds: number };

/**
 * Counts one attempt against `key` and says whether it is within `max` per window. A sliding
 * window: the previous window's count weighs by the share of it still inside the last
 * `windowSeconds`, so a burst across a window boundary cannot get twice `max` through. The
 * counters live in the database (one statement: the upsert and the read of the previous window), so every server process behind a load
 * balancer shares them; PGlite and PostgreSQL alike.
 */
export const hitRateLimit = async (
  db: TExecutor,
  key: string,
  max: number,
  windowSeconds: number,
  now: Date = new Date(),
): Promise<TRateLimitHit> => {
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  const rows = await queryRows<{ count: number; previous: number | null }>(
    db,
    sql`with hit as (
          insert into ${rateLimit} (key, window_start, count)
          values (${key}, ${new Date(start).toISOString()}, 1)
          on conflict (key, window_start) do update set count = ${rateLimit.count} + 1
          returning count)
        select hit.count,
               (select p.count from ${rateLimit} p
                 where p.key = ${key} and p.window_start = ${new Date(start - windowMs).toISOString()}) as previous
          from hit`,
  );
  const current = Number(rows[0]?.count ?? 1);
  const previousCount = Number(rows[0]?.previous ?? 0);
  const overlap = 1 - (now.getTime() - start) / windowMs;
  const count = current + Math.ceil(previousCount * overlap);
  // Old windows are of no use: sweep now and then instead of running a job.
  if (Math.random() < 0.01) {
    await db
      .delete(rateLimit)
      .where(lt(rateLimit.windowStart, new Date(now.getTime() - 86_400_000).toISOString()));
  }
  return {
    allowed: count <= max,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
  };
};

/**
 * The client's IP address. Behind a load balancer (TRUST_PROXY=true) it is the last hop the
 * balancer appended to X-Forwarded-For — earlier entries are whatever the client sent. Without
 * a trusted proxy the header is ignored (a client could forge it to dodge the rate limit).
 */
export const clientIp = (c: Context, trustProxy: boolean): string => {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const last = hops.at(-1);
    if (last) return last.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // in-process requests (tests) have no socket
  }
};

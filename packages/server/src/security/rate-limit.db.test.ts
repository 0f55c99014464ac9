import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { hitRateLimit } from './rate-limit.ts';

describe(`login rate limit (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(() => services.database.close());

  const at = (iso: string) => new Date(iso);

  it('refuses the attempt after max within a window', async () => {
    const { db } = services.database;
    const hits = [];
    for (const s of ['10', '20', '30', '40'])
      hits.push(await hitRateLimit(db, 'k:inside', 3, 60, at(`2026-12-07T08:00:${s}Z`)));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
    expect(hits[3]?.retryAfterSeconds).toBe(20);
  });

  it('does not let a burst across a window boundary through twice (sliding window)', async () => {
    const { db } = services.database;
    const before = [];
    for (const s of ['57', '58', '59'])
      before.push(await hitRateLimit(db, 'k:edge', 3, 60, at(`2026-12-07T08:00:${s}Z`)));
    expect(before.every((h) => h.allowed)).toBe(true);
    // One second into the next window: 3 × 59/60 of the last window still counts.
    const after = await hitRateLimit(db, 'k:edge', 3, 60, at('2026-12-07T08:01:01Z'));
    expect(after.allowed).toBe(false);
    // A window later the old attempts have slid out.
    const later = await hitRateLimit(db, 'k:edge', 3, 60, at('2026-12-07T08:02:30Z'));
    expect(later.allowed).toBe(true);
  });
});

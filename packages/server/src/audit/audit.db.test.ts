import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { auditLog } from '../db/schema/index.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { verifyAuditChain, writeAudit } from './audit.ts';

describe(`audit chain (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    const { db } = services.database;
    for (let i = 0; i < 5; i++) {
      await db.transaction((tx) =>
        writeAudit(tx, {
          actorId: null,
          actorName: 'tester',
          action: 'update',
          entity: 'worker',
          entityId: `w${i}`,
          before: { name: '张三', n: i },
          after: { name: '张三丰', n: i + 1 },
        }),
      );
    }
  });
  afterAll(() => services.database.close());

  it('verifies an untouched chain', async () => {
    expect(await verifyAuditChain(services.database.db)).toMatchObject({ ok: true, count: 5 });
  });

  it('does not write the audit row when the change rolls back', async () => {
    const { db } = services.database;
    await expect(
      db.transaction(async (tx) => {
        await writeAudit(tx, {
          actorId: null,
          actorName: 't',
          action: 'x',
          entity: 'y',
          entityId: 'z',
        });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await verifyAuditChain(db)).count).toBe(5);
  });

  it('detects an edited row and names where the chain breaks', async () => {
    const { db } = services.database;
    const third = (await db.select().from(auditLog).orderBy(auditLog.seq).limit(3))[2]!;
    await db
      .update(auditLog)
      .set({ after: sql`${JSON.stringify({ name: '李四', n: 3 })}::jsonb` })
      .where(eq(auditLog.seq, third.seq));
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: false, brokenAtSeq: third.seq });
    expect(result.ok === false && result.message).toContain(`第 ${third.seq} 条`);
  });

  it('detects a deleted row', async () => {
    const fresh = await createTestServices();
    try {
      const { db } = fresh.database;
      for (let i = 0; i < 3; i++) {
        await db.transaction((tx) =>
          writeAudit(tx, {
            actorId: null,
            actorName: 't',
            action: 'a',
            entity: 'e',
            entityId: String(i),
          }),
        );
      }
      const rows = await db.select().from(auditLog).orderBy(auditLog.seq);
      await db.delete(auditLog).where(eq(auditLog.seq, rows[1]!.seq));
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: rows[2]!.seq });
    } finally {
      await fresh.database.close();
    }
  });
});

import { idNumberCheckChar } from '@shegong/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import {
  createClient,
  seedDemo,
  seedUser,
  seedWorkerAccount,
  type TTestClient,
} from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { findImportCreations } from '../audit/audit.repo.ts';

const STREET = '640104001000';
const COMMUNITY = '640104001001';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A worker's history (GET /api/workers/:id/history) against what it was read from before it
 * became one statement: the worker's audit rows in order, and its creation by an import from the
 * snapshot document (findImportCreations, scoped by the record's own path) when no row is its
 * creation.
 */
describe(`worker history (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let otherStreet: TTestClient;
  let self: TTestClient;
  let selfWorkerId: string;
  let streetScope: TScope;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 120);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    const [another] = await queryRows<{ code: string }>(
      services.database.db,
      sql`select code from org where level = 'street' and code <> ${STREET} order by code limit 1`,
    );
    await seedUser(services, { username: 'other', role: 'street-admin', orgCode: another!.code });
    selfWorkerId = await seedWorkerAccount(services, 'self', COMMUNITY);
    street = createClient(services);
    otherStreet = createClient(services);
    self = createClient(services);
    await street.login('street');
    await otherStreet.login('other');
    await self.login('self');
    const [node] = await queryRows<{ path: string }>(
      services.database.db,
      sql`select path from org where code = ${STREET}`,
    );
    streetScope = { kind: 'org', path: node!.path, orgCode: STREET };
  });
  afterAll(() => services.database.close());

  /** The history as the route composed it from two reads before. */
  const expected = async (scope: TScope, id: string) => {
    const { db } = services.database;
    const rows = await db
      .select({
        seq: auditLog.seq,
        at: auditLog.at,
        actorName: auditLog.actorName,
        action: auditLog.action,
        before: auditLog.before,
        after: auditLog.after,
        reason: auditLog.reason,
      })
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'worker'), eq(auditLog.entityId, id)))
      .orderBy(asc(auditLog.seq));
    const entries = rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
    if (entries.some((e) => e.action === 'create')) return entries;
    const created = await findImportCreations(db, scope, 'worker', id);
    return [
      ...created.map(({ seq, at, actorName, action, before, after, reason, importRef }) => ({
        ...{ seq, at, actorName, action, before, after, reason, importRef },
      })),
      ...entries,
    ].sort((a, b) => a.seq - b.seq);
  };

  it('gives every worker of the street the same history as the two reads did', async () => {
    const ids = await queryRows<{ id: string }>(
      services.database.db,
      sql`select id from worker where org_path like ${`${streetScope.path}%`} order by id`,
    );
    expect(ids.length).toBeGreaterThan(10);
    // Some with rows of their own too: an archive note, an update.
    await street.post(`/api/workers/${ids[0]!.id}/archive`, {
      kind: 'note',
      startOn: '2026-11-01',
      data: { text: '走访记录' },
    });
    await street.post(`/api/workers/${ids[1]!.id}/archive`, {
      kind: 'note',
      startOn: '2026-11-02',
      data: { text: '第二条' },
    });
    let imported = 0;
    for (const { id } of ids) {
      const res = await street.get(`/api/workers/${id}/history`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(await expected(streetScope, id));
      if (res.body.items[0]?.importRef) imported++;
    }
    // The demo's workers are created by import: their creation comes from the document.
    expect(imported).toBe(ids.length);
  });

  it('puts an imported worker’s creation first, then its own rows, times in ISO 8601', async () => {
    const [{ id }] = (await queryRows<{ id: string }>(
      services.database.db,
      sql`select id from worker where community_code = ${COMMUNITY} order by id desc limit 1`,
    )) as [{ id: string }];
    await street.post(`/api/workers/${id}/archive`, {
      kind: 'note',
      startOn: '2026-11-03',
      data: { text: '走访' },
    });
    const items = (await street.get(`/api/workers/${id}/history`)).body.items;
    expect(items.map((h: { action: string }) => h.action)).toEqual(['create', 'archive-add']);
    expect(items[0]).toMatchObject({ before: null, after: { id, communityCode: COMMUNITY } });
    expect(items[0].importRef).toMatchObject({ batchId: expect.any(String) });
    expect(items[0].importRef.documentSeq).toBe(items[0].seq);
    expect(items[1].importRef).toBeUndefined();
    expect(items[0].seq).toBeLessThan(items[1].seq);
    for (const h of items as { at: string }[]) expect(h.at).toMatch(ISO);
  });

  it('gives a worker created by hand its own create row, without an import reference', async () => {
    const created = await street.post('/api/workers', {
      name: '李新',
      idNumber: `64010419900101001${idNumberCheckChar('64010419900101001')}`,
      phone: '13912345678',
      educationLevel: '本科',
      serviceStartedOn: '2020-05-01',
      communityCode: COMMUNITY,
      postTitle: '网格员',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const items = (await street.get(`/api/workers/${created.body.id}/history`)).body.items;
    expect(items.map((h: { action: string }) => h.action)).toEqual(['create']);
    expect(items[0].importRef).toBeUndefined();
    expect(items).toEqual(await expected(streetScope, created.body.id));
  });

  it('hides a worker outside the scope, and an unknown one, as not found', async () => {
    const res = await otherStreet.get(`/api/workers/${selfWorkerId}/history`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('工作者不存在');
    expect((await street.get(`/api/workers/${newId()}/history`)).status).toBe(404);
  });

  it('gives a worker account its own history and no one else’s', async () => {
    const own = await self.get(`/api/workers/${selfWorkerId}/history`);
    expect(own.status).toBe(200);
    expect(own.body.items[0]).toMatchObject({ action: 'create', after: { id: selfWorkerId } });
    const [{ id: neighbour }] = (await queryRows<{ id: string }>(
      services.database.db,
      sql`select id from worker where community_code = ${COMMUNITY} and id <> ${selfWorkerId} limit 1`,
    )) as [{ id: string }];
    expect((await self.get(`/api/workers/${neighbour}/history`)).status).toBe(404);
  });
});

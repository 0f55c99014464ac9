import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../../context.ts';
import { worker } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { seedDemo } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { findPathNodes } from '../org/org.repo.ts';
import { loadPayWorkersById, loadPayWorkerWithNodes } from './pay.repo.ts';

const scopeOf = (path: string): TScope => ({
  kind: 'org',
  path,
  orgCode: path.split('/').at(-2) as string,
});

describe(`the worker pay page's read (${testDbKind()})`, () => {
  let services: TServices;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 30);
  });
  afterAll(() => services.database.close());

  it('is the worker of loadPayWorkersById and the nodes of findPathNodes, in scope only, past the generic plan', async () => {
    const { db } = services.database;
    const workers = await db
      .select({ id: worker.id, orgPath: worker.orgPath, countyCode: worker.countyCode })
      .from(worker)
      .limit(6);
    // More than five executions per connection: PostgreSQL may then keep a generic plan.
    for (let round = 0; round < 4; round++) {
      for (const w of workers) {
        for (const month of ['2026-09', '2026-11']) {
          const scope = scopeOf(w.orgPath.split('/').slice(0, 4).join('/').concat('/'));
          const found = await loadPayWorkerWithNodes(db, scope, w.id, month);
          const [expected] = await loadPayWorkersById(db, scope, [w.id], month);
          expect(found?.row).toEqual(expected);
          const nodes = await findPathNodes(db, [w.orgPath], [w.countyCode]);
          expect(found?.nodes).toEqual(nodes);
          // Another subtree, a missing worker: nothing.
          expect(
            await loadPayWorkerWithNodes(db, scopeOf('/999999/'), w.id, month),
          ).toBeUndefined();
          expect(await loadPayWorkerWithNodes(db, scope, newId(), month)).toBeUndefined();
        }
      }
    }
  });
});

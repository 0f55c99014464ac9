import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeAudit } from '../audit/audit.ts';
import { openDatabase, runMigrations, type TDatabase } from '../db/client.ts';
import { withDatabase } from '../testing/global-setup.ts';
import { testDbKind } from '../testing/test-db.ts';
import { appRoleGrants } from './app-role.ts';

describe.runIf(testDbKind() === 'pg')('the application database role (PostgreSQL)', () => {
  const adminUrl = process.env.DATABASE_URL ?? '';
  const suffix = crypto.randomBytes(3).toString('hex');
  const name = `shegong_t_${inject('pgRunId')}_role${suffix}`;
  const role = `shegong_app_${suffix}`;
  let app: TDatabase;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    await admin.query(`create role ${role} login`);
    await admin.end();
    const owner = new pg.Client({ connectionString: withDatabase(adminUrl, name) });
    await owner.connect();
    for (const statement of appRoleGrants(role, name)) await owner.query(statement);
    await owner.end();
    const url = new URL(withDatabase(adminUrl, name));
    url.username = role;
    app = await openDatabase({ kind: 'postgres', url: url.toString(), max: 2 });
  });
  afterAll(async () => {
    await app?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  it('starts (migrations already applied) and writes data and audit rows', async () => {
    await runMigrations(app);
    await app.db.transaction((tx) =>
      writeAudit(tx, { actorId: null, actorName: 't', action: 'a', entity: 'e', entityId: '1' }),
    );
    await app.db.execute(
      sql`insert into rate_limit (key, window_start, count) values ('k', now(), 1)`,
    );
    await app.db.execute(sql`delete from rate_limit where key = 'k'`);
  });

  it('cannot update, delete, truncate or drop the audit log', async () => {
    for (const statement of [
      'update audit_log set reason = $$x$$',
      'delete from audit_log',
      'truncate audit_log',
      'drop table audit_log',
      'delete from audit_checkpoint',
      'alter table audit_log drop column hash',
    ]) {
      const error = await app.db.execute(sql.raw(statement)).then(
        () => undefined,
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );
      expect(error, statement).toMatch(/permission denied|must be owner/);
    }
  });
});

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPolicyRegistry, type TPolicyFile, type TPolicyRegistry } from '@shegong/policy';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { newId } from '../../security/ids.ts';
import type { TTestClient } from '../../testing/test-app.ts';

// Helpers of the pay and budget tests (not used by the server).

const POLICIES = path.resolve(import.meta.dirname, '../../../../../policies');

const walk = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
};

/**
 * The repository's packs with one pack file edited — as an analyst would add a new dated value
 * (a pay rise, a back-dated correction) — compiled into a new registry.
 */
export const editedPolicies = async (
  packId: string,
  edit: (text: string) => string,
): Promise<TPolicyRegistry> => {
  const files: TPolicyFile[] = [];
  for (const p of (await walk(POLICIES)).sort()) {
    const rel = `policies/${path.relative(POLICIES, p).split(path.sep).join('/')}`;
    let text = await readFile(p, 'utf8');
    if (rel === `policies/${packId}/pack.yaml`) {
      const edited = edit(text);
      if (edited === text) throw new Error('the edit changed nothing');
      text = edited;
    }
    files.push({ path: rel, text });
  }
  return createPolicyRegistry(files);
};

/** Polls a job until it ends; fails the test if it failed. */
export const waitForJob = async (client: TTestClient, jobId: string) => {
  for (let i = 0; i < 600; i++) {
    const res = await client.get(`/api/jobs/${jobId}`);
    if (res.body.status !== 'running' && res.body.status !== 'queued') {
      expect(res.body.status, JSON.stringify(res.body.error)).toBe('succeeded');
      return res.body;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
};

let seq = 0;
const uniqueMonth = () => `${1900 + ++seq}-01`;

/**
 * A computed pay sheet (version 1) of a street for a month no other test uses, with one line
 * for the worker when given — for the access matrix, which needs a fresh sheet per request.
 */
export const seedPayRun = async (
  services: TServices,
  streetCode: string,
  status: 'draft' | 'reviewed' | 'locked',
  workerId?: string,
) => {
  const { db } = services.database;
  const street = (
    await queryRows<{ path: string; countyCode: string }>(
      db,
      sql`select path, county_code as "countyCode" from org where code = ${streetCode}`,
    )
  )[0]!;
  const id = newId();
  const month = uniqueMonth();
  await db.execute(
    sql`insert into pay_run (id, street_code, org_path, county_code, month, status, version)
        values (${id}, ${streetCode}, ${street.path}, ${street.countyCode}, ${month}, ${status}, 1)`,
  );
  if (workerId) {
    await db.execute(
      sql`insert into pay_line (run_id, worker_id, kind, for_month, month, county_code, org_path,
            eval_on, status, reason)
          values (${id}, ${workerId}, 'regular', ${month}, ${month}, ${street.countyCode},
            ${street.path}, ${`${month}-01`}, 'open', '测试')`,
    );
  }
  return id;
};

/** A computed conversion (待审批) under a node, without lines. */
export const seedConversion = async (services: TServices, orgCode: string) => {
  const { db } = services.database;
  const node = (
    await queryRows<{ path: string; countyCode: string | null }>(
      db,
      sql`select path, county_code as "countyCode" from org where code = ${orgCode}`,
    )
  )[0]!;
  const id = newId();
  await db.execute(
    sql`insert into pay_conversion (id, pack_id, effective_on, org_code, org_path, county_code,
          title, status, created_by)
        values (${id}, 'yinchuan-2018', '2024-03-28', ${orgCode}, ${node.path}, ${node.countyCode},
          '测试套改', 'ready', '00000000-0000-0000-0000-000000000000')`,
  );
  return id;
};

import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { idNumberCheckChar as idCheck } from '@shegong/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../testing/global-setup.ts';
import { testDbKind } from '../testing/test-db.ts';

const cli = path.resolve(import.meta.dirname, '../../../cli/bin/shegong.mjs');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });

type TProc = { child: ChildProcess; url: string; output: () => string };

/** Starts `shegong start` in its own process and waits for its "started" line. */
const startProcess = async (env: Record<string, string>): Promise<TProc> => {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-proc-'));
  const child = spawn(process.execPath, [cli, 'start', '--port', String(port), '--no-demo'], {
    env: { ...process.env, ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 45_000);
    const poll = setInterval(() => {
      if (text.includes('shegong 已启动')) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`server exited:\n${text}`));
      }
    }, 100);
  });
  return { child, url: `http://127.0.0.1:${port}`, output: () => text };
};

const stop = (p: TProc | undefined) =>
  new Promise<void>((resolve) => {
    if (!p || p.child.exitCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });

describe.runIf(testDbKind() === 'pg')('several server processes on one PostgreSQL database', () => {
  const adminUrl = process.env.DATABASE_URL ?? '';
  const name = `shegong_t_${inject('pgRunId')}_mp${crypto.randomBytes(3).toString('hex')}`;
  let a: TProc | undefined;
  let b: TProc | undefined;
  let password = '';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    await admin.end();
    const env = {
      DATABASE_URL: withDatabase(adminUrl, name),
      SHEGONG_DATA_KEY: crypto.randomBytes(32).toString('base64'),
      LOGIN_RATE_USER_MAX: '4',
      LOGIN_MAX_FAILURES: '50',
    };
    // One after the other: the first creates the administrator, the second finds it.
    a = await startProcess(env);
    password = a.output().match(/密码：\s+(\S+)/)?.[1] ?? '';
    b = await startProcess(env);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const login = (base: string, username: string, pass: string) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: pass }),
    });

  it('uses a session opened on one process from the other, and ends it there', async () => {
    expect(password).toMatch(/^\w{16}$/);
    expect(b!.output()).not.toContain('已创建初始管理员');
    const res = await login(a!.url, 'admin', password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const me = await fetch(`${b!.url}/api/auth/me`, { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('admin');
    // A write through B with the CSRF token issued by A.
    const out = await fetch(`${b!.url}/api/auth/logout`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken },
    });
    expect(out.status).toBe(200);
    expect((await fetch(`${a!.url}/api/auth/me`, { headers: { Cookie: cookie } })).status).toBe(
      401,
    );
  });

  it('shows on one process the org nodes, packs and dashboard figures another process wrote', async () => {
    const res = await login(a!.url, 'admin', password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const headers = {
      Cookie: cookie,
      'X-CSRF-Token': csrfToken,
      'Content-Type': 'application/json',
    };
    const get = async (base: string, p: string) => {
      const r = await fetch(`${base}${p}`, { headers });
      expect(r.status, p).toBe(200);
      return (await r.json()) as any;
    };
    // B reads first, so whatever it keeps per process is in place before A writes.
    expect((await get(b!.url, '/api/orgs/000000')).counts.streets).toBe(0);
    expect((await get(b!.url, '/api/stats/000000')).orgs.streets).toBe(0);
    for (const [code, parentCode, name] of [
      ['640000', '000000', '宁夏回族自治区'],
      ['640100', '640000', '银川市'],
      ['640104', '640100', '兴庆区'],
      ['640104001000', '640104', '第一街道'],
    ]) {
      const created = await fetch(`${a!.url}/api/orgs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ code, parentCode, name }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    expect((await get(b!.url, '/api/orgs/000000')).counts.streets).toBe(1);
    expect((await get(b!.url, '/api/stats/000000')).orgs.streets).toBe(1);
    expect((await get(b!.url, '/api/orgs/640104')).effectivePackId).toBe('national-2024');
    expect((await get(b!.url, '/api/stats/640104')).pack?.id).toBe('national-2024');
    const patched = await fetch(`${a!.url}/api/orgs/640100`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ packId: 'yinchuan-2018' }),
    });
    expect(patched.status).toBe(200);
    expect((await get(b!.url, '/api/orgs/640104')).effectivePackId).toBe('yinchuan-2018');
    expect((await get(b!.url, '/api/stats/640104')).pack?.id).toBe('yinchuan-2018');
    // B keeps its computed dashboards: a worker registered through A is counted by B at once.
    const community = await fetch(`${a!.url}/api/orgs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: '640104001001', parentCode: '640104001000', name: '第一社区' }),
    });
    expect(community.status, await community.clone().text()).toBe(201);
    expect((await get(b!.url, '/api/stats/640104')).headcount).toBe(0);
    expect((await get(b!.url, '/api/stats/640104')).orgs.communities).toBe(1);
    const worker = await fetch(`${a!.url}/api/workers`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: '两进程',
        idNumber: `64010419900101800${idCheck('64010419900101800')}`,
        educationLevel: '本科',
        serviceStartedOn: '2020-04-01',
        communityCode: '640104001001',
        postTitle: '网格员',
        livesInCommunity: true,
      }),
    });
    expect(worker.status, await worker.clone().text()).toBe(201);
    const after = await get(b!.url, '/api/stats/640104');
    expect(after.headcount).toBe(1);
    expect(after.structures.education.find((e: { key: string }) => e.key === '本科').count).toBe(1);
  });

  it('counts login attempts across processes against one limit', async () => {
    const statuses: number[] = [];
    for (const base of [a!.url, b!.url, a!.url, b!.url, a!.url])
      statuses.push((await login(base, 'someone', 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

import type { TRole } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { buildApp } from '../app.ts';
import { ensureRootOrg } from '../bootstrap.ts';
import { systemActor, type TServices } from '../context.ts';
import { queryRows } from '../db/client.ts';
import { loadDemo } from '../demo/load-demo.ts';
import { createUser } from '../modules/auth/create-user.ts';
import { ctxFor } from './test-db.ts';

export const TEST_PASSWORD = 'Test-Passw0rd!';

/** An in-process HTTP client over `app.request` that keeps the session cookie and CSRF token. */
export const createClient = (services: TServices) => {
  const app = buildApp(services);
  let cookie = '';
  let csrf = '';
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const allHeaders: Record<string, string> = { ...headers };
    if (cookie) allHeaders.Cookie = cookie;
    if (body !== undefined) allHeaders['Content-Type'] ??= 'application/json';
    if (csrf && method !== 'GET' && !('X-CSRF-Token' in headers)) allHeaders['X-CSRF-Token'] = csrf;
    const response = await app.request(path, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const match = setCookie.match(/sg_session=([^;]*)/);
      if (match) cookie = match[1] ? `sg_session=${match[1]}` : '';
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, body: json as any, headers: response.headers };
  };
  return {
    app,
    request,
    get: (path: string) => request('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      request('POST', path, body, headers),
    patch: (path: string, body?: unknown) => request('PATCH', path, body),
    login: async (username: string, password = TEST_PASSWORD) => {
      const result = await request('POST', '/api/auth/login', { username, password });
      if (result.status === 200) csrf = result.body.csrfToken;
      return result;
    },
    get cookie() {
      return cookie;
    },
    setCookie: (value: string) => {
      cookie = value;
    },
    setCsrf: (value: string) => {
      csrf = value;
    },
  };
};
export type TTestClient = ReturnType<typeof createClient>;

/** Loads a small deterministic demo (three cities) into the test database. */
export const seedDemo = async (services: TServices, workers = 80) => {
  await ensureRootOrg(services);
  return loadDemo(services.database, services.crypto, { workers, seed: 7 });
};

/** Creates a user with the test password. */
export const seedUser = async (
  services: TServices,
  input: { username: string; role: TRole; orgCode: string; workerId?: string },
) =>
  createUser(ctxFor(services, systemActor()), {
    displayName: input.username,
    password: TEST_PASSWORD,
    ...input,
  });

/**
 * A worker account (role `worker`) for the first worker (by id) of a community; returns that
 * worker's id.
 */
export const seedWorkerAccount = async (
  services: TServices,
  username: string,
  communityCode: string,
) => {
  const [first] = await queryRows<{ id: string }>(
    services.database.db,
    sql`select id from worker where community_code = ${communityCode} order by id limit 1`,
  );
  await seedUser(services, {
    username,
    role: 'worker',
    orgCode: communityCode,
    workerId: first!.id,
  });
  return first!.id;
};

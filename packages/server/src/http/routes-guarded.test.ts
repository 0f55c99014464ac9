import { PERMISSIONS } from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import type { TServices } from '../context.ts';
import { createLogger } from '../logger.ts';
import { allRoutes } from '../routes.ts';

// Routes that may be called without a session. Adding one here is a security decision.
const PUBLIC_ROUTES = new Set(['GET /api/health', 'POST /api/auth/login', 'GET /api/openapi.json']);

describe('route registry', () => {
  // Building the app and serving the OpenAPI document touch no database.
  const services = {
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    log: createLogger('silent'),
  } as unknown as TServices;
  const app = buildApp(services);

  it('declares a known permission (or an explicit public/authenticated access) on every route', () => {
    for (const route of allRoutes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const known =
        route.access === 'authenticated' ||
        route.access === 'public' ||
        PERMISSIONS.includes(route.access);
      expect(known, `${key} declares unknown access '${route.access}'`).toBe(true);
      if (route.access === 'public')
        expect(PUBLIC_ROUTES.has(key), `${key} is public but not allow-listed`).toBe(true);
    }
  });

  it('mounts no API handler that bypasses the registry', () => {
    const declared = new Set(allRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const apiHandlers = app.routes.filter(
      (r) => r.path.startsWith('/api/') && r.path !== '/api/*' && r.method !== 'ALL',
    );
    expect(apiHandlers.length).toBeGreaterThan(0);
    for (const r of apiHandlers) {
      expect(declared.has(`${r.method} ${r.path}`), `${r.method} ${r.path} is not declared`).toBe(
        true,
      );
    }
  });

  it('has unique method and path pairs', () => {
    const keys = allRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await app.request('/api/openapi.json');
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, any>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const login = doc.paths['/api/auth/login']!.post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual([
      'username',
      'password',
    ]);
    expect(doc.paths['/api/orgs/{code}']!.get['x-permission']).toBe('org:read');
  });
});

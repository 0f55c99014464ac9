import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import type { TServices } from '../context.ts';
import { createLogger } from '../logger.ts';

// HTTP hardening that needs no database: headers, body size limit, static files.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shegong-web-'));
const dist = path.join(root, 'dist');
fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>INDEX</title>');
fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log("app")');
fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP-SECRET');
// A sibling whose name starts with the dist directory's name.
fs.mkdirSync(path.join(root, 'dist-evil'));
fs.writeFileSync(path.join(root, 'dist-evil', 'x.txt'), 'TOP-SECRET');

const services = {
  config: loadConfig({ LOG_LEVEL: 'silent', WEB_DIST_DIR: dist }),
  log: createLogger('silent'),
} as unknown as TServices;
const app = buildApp(services);

const TRAVERSALS = [
  '/../secret.txt',
  '/%2e%2e/secret.txt',
  '/..%2fsecret.txt',
  '/%2e%2e%2fsecret.txt',
  '/assets/..%2f..%2fsecret.txt',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/..%5csecret.txt',
  '/%252e%252e%252fsecret.txt',
  '/....//secret.txt',
  '/..%00/secret.txt',
  '/../dist-evil/x.txt',
  '/..%2fdist-evil%2fx.txt',
  '/%E0%A4%A',
  '/%',
];

describe('security headers', () => {
  it('sends the hardening headers on API responses and on the web app', async () => {
    for (const p of ['/api/openapi.json', '/', '/assets/app.js', '/api/nope']) {
      const res = await app.request(p);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('referrer-policy'), p).toBe('same-origin');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toContain("default-src 'self'");
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).toContain("script-src 'self'");
      expect(csp, p).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    }
    expect((await app.request('/api/openapi.json')).headers.get('cache-control')).toBe('no-store');
    expect((await app.request('/assets/app.js')).headers.get('cache-control')).toContain(
      'immutable',
    );
  });

  it('answers an unknown API path with a Chinese 404, not the web app', async () => {
    const res = await app.request('/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('接口不存在');
  });
});

describe('request body limit (50 MB)', () => {
  const big = 50 * 1024 * 1024 + 1;

  it('refuses a declared body over the limit with 413 and a Chinese message', async () => {
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(big) },
      body: new Uint8Array(big),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: '请求体过大（上限 50 MB）',
    });
  });

  it('refuses a streamed body without a length once it passes the limit', async () => {
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > big) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('static files: no path traversal', () => {
  it('serves the built files and falls back to index.html', async () => {
    expect(await (await app.request('/assets/app.js')).text()).toContain('console.log');
    const spa = await app.request('/workers/123');
    expect(spa.status).toBe(200);
    expect(await spa.text()).toContain('INDEX');
  });

  it('never serves a file outside the dist directory (in-process requests)', async () => {
    for (const p of TRAVERSALS) {
      const res = await app.request(new Request(`http://localhost${p}`));
      const text = await res.text();
      expect(res.status, p).toBeLessThan(500);
      expect(text, p).not.toContain('TOP-SECRET');
    }
  });

  describe('over a real socket (raw request lines, no URL normalisation)', () => {
    let server: ReturnType<typeof serve>;
    let port = 0;
    beforeAll(async () => {
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
          port = info.port;
          resolve();
        });
      });
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        });
        let data = '';
        socket.on('data', (d) => {
          data += d.toString('latin1');
        });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });

    it('never serves a file outside the dist directory', async () => {
      for (const p of [...TRAVERSALS, '/assets/../../secret.txt', '/./../secret.txt']) {
        const response = await raw(p);
        expect(response, p).not.toContain('TOP-SECRET');
        expect(response.slice(0, 12), p).not.toMatch(/ 5\d\d/);
      }
    });
  });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '@shegong/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { TServices } from './context.ts';
import type { TAppEnv } from './http/env.ts';
import {
  csrfGuard,
  handleError,
  rejectNulBytes,
  requestContext,
  securityHeaders,
  sessionAuth,
} from './http/middleware.ts';
import { admitRequests, RequestQueue } from './http/request-queue.ts';
import { mountRoutes } from './http/route.ts';
import { allRoutes } from './routes.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Builds the Hono app (no listening): API routes under /api and the built web app. Tests call
 * `app.request(...)` in-process. API requests pass through one admission queue per app, sized by
 * the configuration (`requestQueue` replaces it in tests).
 */
export const buildApp = (services: TServices, options: { requestQueue?: RequestQueue } = {}) => {
  const requestQueue = options.requestQueue ?? new RequestQueue(services.config.requests);
  const app = new Hono<TAppEnv>();
  app.onError(handleError);
  app.use('*', requestId());
  app.use('*', requestContext(services));
  app.use('*', securityHeaders);
  const limitBody = bodyLimit({
    maxSize: 50 * 1024 * 1024,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', '请求体过大（上限 50 MB）');
    },
  });
  // GET and HEAD requests have no body (the limit passes them at once), but asking for it builds
  // the full web Request of every one (measured: 2% of the server's CPU under load).
  app.use('/api/*', (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next),
  );
  // Before the session lookup: a waiting request has not touched the database yet.
  app.use('/api/*', admitRequests(requestQueue));
  app.use('/api/*', sessionAuth);
  app.use('/api/*', csrfGuard);
  app.use('/api/*', rejectNulBytes);
  mountRoutes(app, allRoutes);
  app.all('/api/*', () => {
    throw new AppError('NOT_FOUND', '接口不存在');
  });
  app.get('*', (c) => serveWeb(services.config.webDistDir, c.req.path));
  return app;
};

/** Serves the built single-page app; unknown paths get index.html (client-side routing). */
const serveWeb = (distDir: string, urlPath: string): Response => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    // A malformed %-escape: no file can have this name.
    return new Response('地址编码无效', {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const file = path.normalize(path.join(distDir, decoded));
  const inside = file.startsWith(distDir + path.sep);
  if (inside && fs.existsSync(file) && fs.statSync(file).isFile()) {
    const type = MIME[path.extname(file)] ?? 'application/octet-stream';
    const cache = decoded.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    return new Response(fs.readFileSync(file), {
      headers: { 'Content-Type': type, 'Cache-Control': cache },
    });
  }
  const index = path.join(distDir, 'index.html');
  if (!fs.existsSync(index)) {
    return new Response('网页尚未构建：请先运行 npm run build（npm start 会自动构建）', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  return new Response(fs.readFileSync(index), {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' },
  });
};

import { AppError, type TErrorBody } from '@shegong/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { TServices } from '../context.ts';
import { resolveSession, SESSION_COOKIE } from '../modules/auth/session.ts';
import type { TAppEnv } from './env.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Attaches services, a per-request logger with the request id, and logs each request. */
export const requestContext =
  (services: TServices): MiddlewareHandler<TAppEnv> =>
  async (c, next) => {
    const requestId = c.get('requestId');
    const log = services.log.child({ requestId });
    c.set('services', services);
    c.set('log', log);
    c.set('actor', undefined);
    const started = performance.now();
    await next();
    const ms = Math.round(performance.now() - started);
    const actor = c.get('actor');
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms, user: actor?.username },
      'request',
    );
  };

/** Resolves the session cookie into `actor`. Routes decide whether they need one. */
export const sessionAuth: MiddlewareHandler<TAppEnv> = async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) {
    const resolved = await resolveSession(c.get('services'), token);
    if (resolved) {
      c.set('actor', resolved.actor);
      c.set('ctx', {
        db: c.get('services').database.db,
        actor: resolved.actor,
        services: c.get('services'),
        log: c.get('log'),
      });
      c.set('sessionId', resolved.sessionId);
      c.set('csrfToken', resolved.csrfToken);
      if (
        resolved.passwordChangeRequired &&
        !PASSWORD_CHANGE_ALLOWED.has(`${c.req.method} ${c.req.path}`)
      ) {
        throw new AppError('FORBIDDEN', '密码已过期或为临时密码，请先修改密码', {
          where: { field: 'password' },
        });
      }
    }
  }
  await next();
};

/** What a session with an expired or temporary password may still do. */
const PASSWORD_CHANGE_ALLOWED = new Set([
  'GET /api/auth/me',
  'POST /api/auth/password',
  'POST /api/auth/logout',
  'POST /api/auth/login',
]);

/**
 * CSRF protection for cookie-authenticated writes: a write carrying a session must also carry
 * the session's token in `X-CSRF-Token` (a cross-site form cannot read or set it). Login needs
 * JSON, which a cross-site form cannot send without a CORS preflight.
 */
export const csrfGuard: MiddlewareHandler<TAppEnv> = async (c, next) => {
  // Login is exempt: it replaces any session; its JSON body already defeats cross-site forms.
  if (!SAFE_METHODS.has(c.req.method) && c.get('sessionId') && c.req.path !== '/api/auth/login') {
    const header = c.req.header('x-csrf-token');
    if (!header || header !== c.get('csrfToken')) {
      throw new AppError('CSRF_FAILED', '请求缺少有效的 CSRF 令牌，请刷新页面后重试');
    }
  }
  await next();
};

// A JSON \u0000 escape not itself escaped (`\\u0000` is a backslash and "u0000").
const JSON_NUL = /(^|[^\\])(\\\\)*\\u0000/;

/**
 * Refuses NUL characters in the URL or a JSON body: PostgreSQL cannot store them in text, so
 * they would otherwise surface as a server error deep inside a query.
 */
export const rejectNulBytes: MiddlewareHandler<TAppEnv> = async (c, next) => {
  if (/%00/.test(c.req.url) || c.req.url.includes('\0')) {
    throw new AppError('BAD_REQUEST', '请求地址（路径参数或查询参数）中不能含有空字符 \\u0000', {
      where: { field: '(url)' },
    });
  }
  if (!SAFE_METHODS.has(c.req.method) && (c.req.header('content-type') ?? '').includes('json')) {
    const text = await c.req.text();
    if (text.includes('\0') || JSON_NUL.test(text)) {
      throw new AppError('VALIDATION_FAILED', '请求体中不能含有空字符 \\u0000', {
        where: { field: '(body)' },
      });
    }
  }
  await next();
};

const SECURITY_HEADERS: Array<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'same-origin'],
  [
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
  ],
];

/**
 * Security headers for every response, set on the response's own headers: `c.header()` after
 * the handler rebuilds the response for each header (its body becomes a stream the server then
 * reads chunk by chunk; measured: several % of the server's CPU under load). A response whose
 * headers are immutable (a fetched one, `Response.redirect`) goes through `c.header()`.
 */
export const securityHeaders: MiddlewareHandler<TAppEnv> = async (c, next) => {
  await next();
  const headers = c.req.path.startsWith('/api/')
    ? [...SECURITY_HEADERS, ['Cache-Control', 'no-store'] as [string, string]]
    : SECURITY_HEADERS;
  try {
    for (const [name, value] of headers) c.res.headers.set(name, value);
  } catch {
    for (const [name, value] of headers) c.header(name, value);
  }
};

/** Turns any error into the API's JSON error body with a Chinese message; hides internals. */
export const handleError = (error: Error, c: Context<TAppEnv>) => {
  // drizzle wraps a driver's error in DrizzleQueryError with the original as cause (CLIENT_CLOSED
  // from a statement cancelled because its client left: db/request-signal.ts).
  const appError =
    error instanceof AppError ? error : error.cause instanceof AppError ? error.cause : undefined;
  if (appError) {
    const body: TErrorBody = { error: appError.toJSON() };
    return c.json(body, appError.status as 400);
  }
  const log = c.get('log') ?? c.get('services')?.log;
  log?.error({ err: error }, 'unhandled error');
  const body: TErrorBody = {
    error: { code: 'INTERNAL', message: `服务器内部错误（请求编号 ${c.get('requestId')}）` },
  };
  return c.json(body, 500);
};

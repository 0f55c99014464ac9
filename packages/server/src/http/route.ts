import { AppError, type TPermission } from '@shegong/shared';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { TAppEnv } from './env.ts';

/**
 * Who may call a route: `public` (no session), `authenticated` (any logged-in user) or a
 * capability of the caller's role. The org scope then limits the data in the repository layer.
 */
export type TRouteAccess = 'public' | 'authenticated' | TPermission;

type TMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export type TRouteInput<P, Q, B> = { params: P; query: Q; body: B };

export type TRouteDef<P = unknown, Q = unknown, B = unknown> = {
  method: TMethod;
  /** Hono path, e.g. `/api/workers/:id`. */
  path: string;
  /** Chinese summary for the OpenAPI document. */
  summary: string;
  tag: string;
  access: TRouteAccess;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response?: z.ZodType;
  /** Returns a value (sent as JSON with `status`) or a Response. */
  handler: (c: Context<TAppEnv>, input: TRouteInput<P, Q, B>) => Promise<unknown>;
  status?: number;
};

/** A route of any input types, as kept in the registry. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every input type
export type TAnyRouteDef = TRouteDef<any, any, any>;

/** Declares a route; the registry keeps it for mounting, the permission test and OpenAPI. */
export const defineRoute = <P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  def: TRouteDef<P, Q, B>,
): TRouteDef<P, Q, B> => def;

const issuesOf = (error: z.ZodError) =>
  error.issues.map((issue) => ({
    field: issue.path.join('.') || '(root)',
    message: issue.message,
  }));

const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T => {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = issuesOf(result.error);
    const first = issues[0]!;
    throw new AppError('VALIDATION_FAILED', `${where}字段“${first.field}”：${first.message}`, {
      where: { field: first.field },
      issues,
    });
  }
  return result.data;
};

const readJson = async (c: Context<TAppEnv>): Promise<unknown> => {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw new AppError('BAD_REQUEST', '请求体必须是 JSON（Content-Type: application/json）');
  }
  try {
    return await c.req.json();
  } catch {
    throw new AppError('BAD_REQUEST', '请求体不是有效的 JSON');
  }
};

/** Mounts route definitions on the app: check access → validate → call the handler. */
export const mountRoutes = (app: Hono<TAppEnv>, defs: readonly TAnyRouteDef[]) => {
  for (const def of defs) {
    app.on(def.method.toUpperCase(), def.path, async (c) => {
      const actor = c.get('actor');
      if (def.access !== 'public') {
        if (!actor) throw new AppError('UNAUTHENTICATED', '请先登录');
        if (def.access !== 'authenticated' && !actor.permissions.includes(def.access)) {
          throw new AppError('FORBIDDEN', '当前角色无权执行此操作');
        }
      }
      const params = parse(def.params, c.req.param(), '路径参数');
      const query = parse(def.query, c.req.query(), '查询参数');
      const body = def.body ? parse(def.body, await readJson(c), '请求体') : undefined;
      const result = await def.handler(c, { params, query, body });
      if (result instanceof Response) return result;
      return c.json(result as object, (def.status ?? 200) as 200);
    });
  }
};

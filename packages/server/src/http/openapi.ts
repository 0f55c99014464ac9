import { z } from 'zod';
import type { TAnyRouteDef } from './route.ts';

const toJsonSchema = (schema: z.ZodType | undefined) =>
  schema ? z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) : undefined;

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export const buildOpenApi = (defs: readonly TAnyRouteDef[]) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of defs) {
    const oaPath = def.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', def.params],
      ['query', def.query],
    ] as const) {
      const json = toJsonSchema(schema) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(json?.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: prop,
        });
      }
    }
    paths[oaPath] ??= {};
    paths[oaPath][def.method] = {
      summary: def.summary,
      tags: [def.tag],
      'x-permission': def.access,
      parameters,
      ...(def.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toJsonSchema(def.body) } },
            },
          }
        : {}),
      responses: {
        [String(def.status ?? 200)]: {
          description: '成功',
          ...(def.response
            ? { content: { 'application/json': { schema: toJsonSchema(def.response) } } }
            : {}),
        },
        default: { description: '错误：{ error: { code, message, where?, issues? } }' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '社工 shegong API',
      version: '0.1.0',
      description: '社区工作者队伍管理系统接口',
    },
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sg_session' } },
    },
    security: [{ session: [] }],
    paths,
  };
};

import fc from 'fast-check';
import { z } from 'zod';
import type { TAnyRouteDef } from '../../http/route.ts';

// A property-test harness over the route registry: every route's parameters, query and body are
// generated from its own zod schemas (valid values, near-valid values with one field broken,
// and junk), so a route joins the fuzzing by being registered. See api-fuzz.db.test.ts.

/** Strings that break naively built SQL, paths, encodings and parsers. */
export const NASTY_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE worker; --",
  '" OR ""="',
  "1' UNION SELECT username, password_hash FROM app_user --",
  '1; SELECT pg_sleep(5); --',
  "') OR 1=1; --",
  '%',
  '_',
  '\\',
  "640104%' OR 'a'='a",
  '/000000/%',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '\u0000',
  '%00',
  '\uFEFF',
  '𠀀𠮷😀',
  '张三'.repeat(200),
  'a'.repeat(5000),
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${7*7}',
  '2024-02-30',
  '9999-99-99',
  '0190a0b0-0000-7000-8000-00000000000Z',
] as const;

const nasty = fc.constantFrom(...NASTY_STRINGS);

/** Any value a client could send as JSON, nasty strings included. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      -1,
      0,
      2 ** 31,
      2 ** 53 + 1,
      -1e308,
      1.5,
      true,
      false,
      null,
      [],
      {},
    ),
  },
);

type TJsonSchema = {
  type?: string | string[];
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  items?: TJsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: TJsonSchema[];
  oneOf?: TJsonSchema[];
  allOf?: TJsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  $ref?: string;
  $defs?: Record<string, TJsonSchema>;
  additionalProperties?: boolean | TJsonSchema;
};

const stringFor = (s: TJsonSchema): fc.Arbitrary<string> => {
  if (s.format === 'uuid') return fc.uuid({ version: 7 });
  if (s.format === 'date') {
    return fc
      .date({ min: new Date('1950-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  }
  if (s.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.format === 'email') return fc.emailAddress();
  if (s.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(s.pattern))
        .filter((v) => v.length <= (s.maxLength ?? 5000));
    } catch {
      // A pattern fast-check cannot read: fall through to a plain string.
    }
  }
  return fc.string({
    unit: fc.oneof(
      fc.constantFrom(...'社区工作者张三李四王五赵六'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    ),
    minLength: s.minLength ?? 0,
    maxLength: Math.min(s.maxLength ?? 40, 200),
  });
};

/** A value that satisfies (most of) a JSON Schema, as zod's `toJSONSchema` writes them. */
export const arbitraryFromJsonSchema = (
  schema: TJsonSchema,
  root: TJsonSchema = schema,
): fc.Arbitrary<unknown> => {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    return target ? arbitraryFromJsonSchema(target, root) : junkValue;
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => arbitraryFromJsonSchema(s, root)));
  if (schema.allOf?.length) return arbitraryFromJsonSchema(schema.allOf[0]!, root);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? (schema.exclusiveMinimum ?? -1e6) + 1, -2_147_483_648),
        max: Math.min(schema.maximum ?? (schema.exclusiveMaximum ?? 1e6) - 1, 2_147_483_647),
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? arbitraryFromJsonSchema(schema.items, root) : junkValue, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 10),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, prop] of Object.entries(props))
        record[key] = arbitraryFromJsonSchema(prop, root);
      return fc.record(record, {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      });
    }
    default:
      return junkValue;
  }
};

const jsonSchemaOf = (schema: z.ZodType): TJsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as TJsonSchema;

/** Schema-shaped values, the same with one field broken or dropped or added, and pure junk. */
export const fuzzValue = (schema: z.ZodType | undefined): fc.Arbitrary<unknown> => {
  if (!schema) return fc.oneof(fc.constant(undefined), junkValue);
  const shaped = arbitraryFromJsonSchema(jsonSchemaOf(schema));
  const broken = fc
    .tuple(shaped, fc.string({ maxLength: 12 }), junkValue, fc.nat(), fc.boolean())
    .map(([value, extraKey, junk, pick, drop]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return junk;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      if (keys.length === 0) return { [extraKey]: junk };
      const key = keys[pick % keys.length]!;
      if (drop) delete copy[key];
      else copy[key] = junk;
      return copy;
    });
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 4, arbitrary: broken },
    { weight: 2, arbitrary: junkValue },
  );
};

/** One schema-shaped value (deterministic for a seed): the base that field-by-field tests alter. */
export const sampleOf = (schema: z.ZodType, seed = 1): Record<string, unknown> => {
  const [value] = fc.sample(arbitraryFromJsonSchema(jsonSchemaOf(schema)), { seed, numRuns: 1 });
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
};

/** Top-level field names of an object schema. */
export const fieldsOf = (schema: z.ZodType): string[] =>
  Object.keys(jsonSchemaOf(schema).properties ?? {});

export type TFuzzRequest = {
  method: string;
  path: string;
  /** JSON text, or raw text that is not JSON. */
  body?: string;
  contentType?: string;
};

/** Values for path parameters that name real records (so a request can get past the lookup). */
export type TParamHints = Record<string, readonly string[]>;

const paramValue = (name: string, hints: TParamHints) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: hints[name]?.length ? fc.constantFrom(...hints[name]!) : fc.constant('1'),
    },
    { weight: 2, arbitrary: nasty },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  );

/** Requests for one route: path parameters, query and body from its schemas, plus junk. */
export const requestArbitrary = (
  route: TAnyRouteDef,
  hints: TParamHints = {},
): fc.Arbitrary<TFuzzRequest> => {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = fc.tuple(...names.map((n) => paramValue(n, hints)));
  const query = route.query ? fuzzValue(route.query) : fc.constant(undefined);
  const body = fc.oneof(
    {
      weight: 8,
      arbitrary: fuzzValue(route.body).map((v) => ({
        text: v === undefined ? undefined : JSON.stringify(v),
        type: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 60 }).map((t) => ({ text: t, type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue().map((v) => ({ text: JSON.stringify(v), type: 'text/plain' })),
    },
  );
  return fc.tuple(params, query, body).map(([values, q, b]) => {
    let path = route.path;
    names.forEach((name, i) => {
      path = path.replace(`:${name}`, encodeURIComponent(String(values[i])));
    });
    if (q && typeof q === 'object' && !Array.isArray(q)) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
        if (v !== undefined) search.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
      const text = search.toString();
      if (text) path += `?${text}`;
    }
    const method = route.method.toUpperCase();
    return method === 'GET'
      ? { method, path }
      : { method, path, body: b.text, contentType: b.type };
  });
};

const CJK = /[\u4e00-\u9fff]/;

/**
 * What is wrong with a response, if anything: a server error, an error body without a code or a
 * Chinese message, or an input rejection that does not say where (field, key, or the part of
 * the request named in the message).
 */
export const responseProblem = (status: number, body: unknown): string | undefined => {
  if (status >= 500) return `HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`;
  if (status < 400) return undefined;
  const error = (
    body as {
      error?: {
        code?: string;
        message?: string;
        where?: Record<string, unknown>;
        issues?: { field: string }[];
      };
    }
  )?.error;
  if (!error?.code || !error.message)
    return `HTTP ${status} without an error body: ${JSON.stringify(body).slice(0, 200)}`;
  if (!CJK.test(error.message)) return `HTTP ${status} message is not Chinese: ${error.message}`;
  if (status === 400 || status === 422) {
    const where =
      Object.values(error.where ?? {}).some((v) => v !== undefined && v !== '') ||
      (error.issues ?? []).some((i) => i.field) ||
      /请求体|路径参数|查询参数|上传的文件/.test(error.message);
    if (!where) return `HTTP ${status} does not say where: ${JSON.stringify(error)}`;
  }
  return undefined;
};

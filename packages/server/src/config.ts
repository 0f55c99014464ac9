import path from 'node:path';
import { AppError } from '@shegong/shared';
import { z } from 'zod';

const ZBoolString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Environment of the server, validated once at start-up (t3's env pattern). */
export const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** postgres://… for PostgreSQL; unset for the embedded PGlite database in DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().default('./data'),
  /** Base64 of 32 random bytes; the field-encryption master key. Generated into DATA_DIR when unset. */
  SHEGONG_DATA_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Login attempts allowed per client IP and per user name in each window (all processes). */
  LOGIN_RATE_IP_MAX: z.coerce.number().int().min(1).default(60),
  LOGIN_RATE_USER_MAX: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Behind a load balancer: take the client IP from the last X-Forwarded-For hop. */
  TRUST_PROXY: ZBoolString.optional(),
  /** Days after which a password must be changed (0: never). */
  PASSWORD_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  /** Audit records are kept at least this long (等保 2.0: at least 6 months). */
  AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(180, '审计记录至少保留180天（6个月）')
    .default(180),
  /** intl: AES-256-GCM / HMAC-SHA-256 / SHA-256; gm: SM4 / HMAC-SM3 / SM3 (商用密码). */
  CRYPTO_SUITE: z.enum(['intl', 'gm']).default('intl'),
  COOKIE_SECURE: ZBoolString.optional(),
  POLICIES_DIR: z.string().optional(),
  WEB_DIST_DIR: z.string().optional(),
  /** Load the demo cities when the database is empty (default: on for the embedded database). */
  DEMO: ZBoolString.optional(),
  DEMO_WORKERS: z.coerce.number().int().min(0).default(3000),
  /** Connections of the PostgreSQL pool (each server process). */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * Statement cancels of disconnected requests in flight at once, per process (each opens one
   * short connection); beyond it a statement runs to its end. 0: never cancel.
   */
  DB_CANCEL_MAX_INFLIGHT: z.coerce.number().int().min(0).max(100).default(4),
  /**
   * API requests handled at once by this process (admission control, http/request-queue.ts);
   * the rest wait in FIFO order. Default: 4 on PGlite (one connection), 2 × DB_POOL_MAX on
   * PostgreSQL.
   */
  REQUEST_MAX_INFLIGHT: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Requests allowed to wait for a slot; beyond this the server answers 503 with Retry-After. */
  REQUEST_MAX_QUEUE: z.coerce.number().int().min(0).max(100_000).default(256),
});
export type TConfig = z.infer<typeof ZConfig> & {
  /** Admission control of API requests, with the defaults of the database kind applied. */
  requests: { maxInflight: number; maxQueue: number };
  dataDir: string;
  policiesDir: string;
  webDistDir: string;
};

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Parses the environment; a bad value stops start-up with a Chinese message naming the variable. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): TConfig => {
  // An empty variable means "not set" (e.g. `DATABASE_URL= npm start`).
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = ZConfig.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    throw new AppError('CONFIG_INVALID', `环境变量 ${key} 无效：${issue.message}`, {
      where: { key },
    });
  }
  const cfg = parsed.data;
  return {
    ...cfg,
    requests: {
      // PGlite runs every statement on one connection in the server's own thread: a few
      // requests in flight keep it busy; more only interleave their statements and stretch each
      // request. On PostgreSQL, twice the pool lets the JavaScript of some requests overlap the
      // SQL of others.
      maxInflight: cfg.REQUEST_MAX_INFLIGHT ?? (cfg.DATABASE_URL ? 2 * cfg.DB_POOL_MAX : 4),
      maxQueue: cfg.REQUEST_MAX_QUEUE,
    },
    dataDir: path.resolve(cfg.DATA_DIR),
    policiesDir: path.resolve(cfg.POLICIES_DIR ?? path.join(repoRoot, 'policies')),
    webDistDir: path.resolve(cfg.WEB_DIST_DIR ?? path.join(repoRoot, 'packages/web/dist')),
  };
};

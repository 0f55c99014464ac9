import type { TPolicyRegistry } from '@shegong/policy';
import type { TPermission, TRole } from '@shegong/shared';
import type { TAuditEntry } from './audit/audit.ts';
import type { TConfig } from './config.ts';
import type { TDatabase, TExecutor } from './db/client.ts';
import type { TLogger } from './logger.ts';
import type { TFieldCrypto } from './security/field-crypto.ts';

/**
 * What a caller may see. Every repository read of people data takes a scope and applies it in
 * SQL: `org` limits rows to a subtree of the org tree (by materialised path), `self` to one
 * worker's own record.
 */
export type TScope =
  | { kind: 'org'; path: string; orgCode: string }
  | { kind: 'self'; workerId: string; path: string; orgCode: string };

export type TActor = {
  id: string;
  username: string;
  displayName: string;
  role: TRole;
  orgCode: string;
  workerId: string | null;
  permissions: readonly TPermission[];
  scope: TScope;
};

/** Long-lived services shared by all requests. */
export type TServices = {
  config: TConfig;
  database: TDatabase;
  log: TLogger;
  crypto: TFieldCrypto;
  /** The policy packs of `policies/`, loaded and checked once at start-up. */
  policies: TPolicyRegistry;
};

/** The context of a use case: the executor (db or transaction), the caller and the services. */
export type TCtx = {
  db: TExecutor;
  actor: TActor;
  services: TServices;
  log: TLogger;
};

export type TAuditWriter = (entry: TAuditEntry | TAuditEntry[]) => Promise<void>;

/** Runs `fn` in a transaction, with `ctx.db` bound to it. Never use the outer db inside. */
export const inTransaction = <T>(ctx: TCtx, fn: (tx: TCtx) => Promise<T>): Promise<T> =>
  ctx.db.transaction((tx) => fn({ ...ctx, db: tx as unknown as TExecutor }));

/** An actor for the system itself (CLI, start-up tasks). */
export const systemActor = (orgCode = '000000'): TActor => ({
  id: '00000000-0000-0000-0000-000000000000',
  username: 'system',
  displayName: '系统',
  role: 'system-admin',
  orgCode,
  workerId: null,
  permissions: [],
  scope: { kind: 'org', path: `/${orgCode}/`, orgCode },
});

export type TDatabaseHandle = TDatabase;

import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';

// Computed dashboards kept per process, as the JSON the API sends. An answer depends on the node,
// the caller's scope (the trail starts at the scope's node; nothing in it is masked by role), the
// date, the policy packs (the registry loaded by this process) and the data, whose version
// (migration 0017) every writer raises in its own transaction: an entry is served only while the
// version read in the request's scope check is the one it was computed under (docs/architecture.md,
// Statistics).

export type TDashboardCacheLimits = { entries: number; bytes: number };

/** Per database and process: 2,000 answers or 32 MB (a county's is 5–30 KB). */
export const DASHBOARD_CACHE_LIMITS: TDashboardCacheLimits = {
  entries: 2_000,
  bytes: 32 * 1024 * 1024,
};

type TEntry = { version: string; registry: object; json: string; bytes: number };

/** What a string costs at most (two bytes a UTF-16 unit; V8 keeps ASCII-only text in one). */
const sizeOf = (text: string) => text.length * 2;

/** A least-recently-used map of answers, bounded by count and by size. */
export class DashboardCache {
  readonly #entries = new Map<string, TEntry>();
  #bytes = 0;

  constructor(private limits: TDashboardCacheLimits = DASHBOARD_CACHE_LIMITS) {}

  get size() {
    return this.#entries.size;
  }

  /** Bytes held, keys included (upper bound). */
  get bytes() {
    return this.#bytes;
  }

  /** The answer kept under the key if it was computed at this data version with this registry. */
  get(key: string, version: string, registry: object): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.version !== version || entry.registry !== registry) return undefined;
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.json;
  }

  /** Keeps an answer; one computed at an older version than the one kept is dropped. */
  set(key: string, version: string, registry: object, json: string) {
    const old = this.#entries.get(key);
    if (old) {
      if (BigInt(old.version) > BigInt(version)) return;
      this.#remove(key, old);
    }
    const bytes = sizeOf(key) + sizeOf(json);
    if (bytes > this.limits.bytes) return;
    this.#entries.set(key, { version, registry, json, bytes });
    this.#bytes += bytes;
    this.#fit();
  }

  /** New limits (tests), the least recently used answers dropped until they hold. */
  resize(limits: TDashboardCacheLimits) {
    this.limits = limits;
    this.#fit();
  }

  clear() {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: string, entry: TEntry) {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #fit() {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.limits.entries && this.#bytes <= this.limits.bytes) return;
      this.#remove(key, entry);
    }
  }
}

/** One cache per database handle (tests open several databases in one process). */
const caches = new WeakMap<TExecutor, DashboardCache>();

export const dashboardCacheOf = (db: TExecutor): DashboardCache => {
  let cache = caches.get(db);
  if (!cache) {
    cache = new DashboardCache();
    caches.set(db, cache);
  }
  return cache;
};

/** The key of an answer: the node, everything of the caller's scope, the date and the packs' directory. */
export const dashboardKey = (code: string, scope: TScope, asOf: string, policiesDir: string) =>
  [
    code,
    scope.kind,
    scope.path,
    scope.orgCode,
    scope.kind === 'self' ? scope.workerId : '',
    asOf,
    policiesDir,
  ].join('\u0001');

import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { TScope } from '../../context.ts';

/**
 * The `like` pattern of a text prefix, its wildcards escaped (paths hold only digits and '/', but
 * be safe; a name prefix may hold any).
 */
export const likePrefix = (path: string) => `${path.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/**
 * The one place that turns a scope into SQL for a path column (documenso's where-builder idea):
 * rows whose materialised path lies under the caller's org. Every repository read of org or
 * people data goes through this.
 */
export const pathInScope = (column: AnyPgColumn | SQL, scope: TScope): SQL =>
  pathLike(column, scopePattern(scope));

/** The `like` pattern of `pathInScope` for a scope (a prepared statement's value). */
export const scopePattern = (scope: TScope): string => likePrefix(scope.path);

/**
 * `pathInScope` with the pattern given apart: `scopePattern(scope)` or a placeholder whose value
 * it is (a statement built once and run for any scope).
 */
export const pathLike = (column: AnyPgColumn | SQL, pattern: unknown): SQL =>
  sql`${column} like ${pattern}`;

/**
 * SQL: `column` lies in the subtree of the node whose path is the SQL `path` (read from a row):
 * the range [path, path with its last '/' raised to '0') — paths hold only digits and '/' —
 * which the `text_pattern_ops` indexes serve (a `like` pattern built from a column would not).
 */
export const underPath = (column: AnyPgColumn | SQL, path: SQL): SQL =>
  sql`${column} ~>=~ ${path} and ${column} ~<~ (left(${path}, -1) || '0')`;

/** Whether a node path lies inside the scope's subtree. */
export const isWithinScope = (scope: TScope, path: string): boolean => path.startsWith(scope.path);

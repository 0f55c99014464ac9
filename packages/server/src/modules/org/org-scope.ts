import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { TScope } from '../../context.ts';

/** Escapes LIKE wildcards in a path prefix (paths hold only digits and '/', but be safe). */
const likePrefix = (path: string) => `${path.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/**
 * The one place that turns a scope into SQL for a path column (documenso's where-builder idea):
 * rows whose materialised path lies under the caller's org. Every repository read of org or
 * people data goes through this.
 */
export const pathInScope = (column: AnyPgColumn | SQL, scope: TScope): SQL =>
  sql`${column} like ${likePrefix(scope.path)}`;

/** Whether a node path lies inside the scope's subtree. */
export const isWithinScope = (scope: TScope, path: string): boolean => path.startsWith(scope.path);

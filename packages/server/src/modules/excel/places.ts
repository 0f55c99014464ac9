import { and, inArray } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { org } from '../../db/schema/index.ts';
import { pathInScope } from '../org/org-scope.ts';
import { placeIndex, type TPlaces } from './place-index.ts';

export type { TPlace, TPlaceResolution, TPlaces } from './place-index.ts';

/** The streets, communities and grids of the scope (see `TPlaces`). */
export const loadPlaces = async (db: TExecutor, scope: TScope): Promise<TPlaces> => {
  const rows = await db
    .select({
      code: org.code,
      parentCode: org.parentCode,
      level: org.level,
      name: org.name,
      path: org.path,
      countyCode: org.countyCode,
    })
    .from(org)
    .where(and(pathInScope(org.path, scope), inArray(org.level, ['street', 'community', 'grid'])));
  return placeIndex(
    rows.map((r) => ({ ...r, countyCode: r.countyCode ?? r.path.split('/')[4] ?? '' })),
  );
};

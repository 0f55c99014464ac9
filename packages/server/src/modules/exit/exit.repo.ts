import { and, desc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { TExecutor } from '../../db/client.ts';
import { org, orgFact } from '../../db/schema/index.ts';

/** The latest residents' satisfaction (%) recorded for each grid on or before the date. */
export const latestGridSatisfaction = async (
  db: TExecutor,
  gridCodes: readonly string[],
  onDate: string,
) => {
  if (gridCodes.length === 0)
    return new Map<string, { satisfaction: number | null; from: string; name: string }>();
  const rows = await db
    .selectDistinctOn([orgFact.orgCode], {
      code: orgFact.orgCode,
      satisfaction: orgFact.gridSatisfaction,
      from: orgFact.effectiveFrom,
      name: org.name,
    })
    .from(orgFact)
    .innerJoin(org, eq(org.code, orgFact.orgCode))
    .where(
      and(
        inArray(orgFact.orgCode, [...gridCodes]),
        lte(orgFact.effectiveFrom, onDate),
        isNotNull(orgFact.gridSatisfaction),
      ),
    )
    .orderBy(orgFact.orgCode, desc(orgFact.effectiveFrom));
  return new Map(
    rows.map((r) => [r.code, { satisfaction: r.satisfaction, from: r.from, name: r.name }]),
  );
};

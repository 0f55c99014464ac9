import type { TImportIssue } from '@shegong/shared';
import { issue, type TRecord, type TSheetLayout } from './parse-file.ts';

// The places of a scope, indexed to resolve a row's community and grid: pure, so the reader's
// thread (read-thread.ts) resolves rows with it too; loading them is `loadPlaces` (places.ts).

export type TPlace = {
  code: string;
  parentCode: string | null;
  level: string;
  name: string;
  path: string;
  countyCode: string;
};

export type TPlaceResolution = {
  community?: TPlace;
  communityCode?: string;
  gridCode?: string;
  issue?: TImportIssue;
};

/**
 * The streets, communities and grids of the caller's scope, loaded once per import, to resolve
 * a row's place by code or by name. A place outside the scope is "not found" — a street admin's
 * file cannot write into another street.
 */
export type TPlaces = {
  /** The places as loaded (what the reader's thread is given). */
  rows: readonly TPlace[];
  byCode: Map<string, TPlace>;
  resolveCommunity: (
    values: Record<string, unknown>,
    layout: TSheetLayout,
    record: TRecord,
  ) => TPlaceResolution;
};

/** Indexes the places of a scope (as `loadPlaces` reads them). */
const column = (layout: TSheetLayout, ...fields: string[]) =>
  fields.map((f) => layout.byField.get(f)).find(Boolean);

/** A row's problem with its place, at the first of the fields' columns the sheet has. Not a
 * closure made per row: under tsx (keepNames) each would be named by a defineProperty, about
 * 0.4 µs a row (CPU profile of the 100,000-row import). */
const placeIssue = (
  record: Pick<TRecord, 'sheet' | 'row'>,
  layout: TSheetLayout,
  message: string,
  ...fields: string[]
) =>
  issue(record.sheet, record.row, message, {
    column: column(layout, ...fields),
    field: fields[0],
  });

export const placeIndex = (rows: readonly TPlace[]): TPlaces => {
  const byCode = new Map<string, TPlace>();
  const communitiesByName = new Map<string, TPlace[]>();
  const gridsByName = new Map<string, TPlace>();
  for (const place of rows) {
    byCode.set(place.code, place);
    if (place.level === 'community') {
      const list = communitiesByName.get(place.name) ?? [];
      list.push(place);
      communitiesByName.set(place.name, list);
    }
    if (place.level === 'grid') gridsByName.set(`${place.parentCode}|${place.name}`, place);
  }
  return {
    rows,
    byCode,
    resolveCommunity: (values, layout, record) => {
      const code = values.communityCode as string | undefined;
      const name = values.communityName as string | undefined;
      const streetName = values.streetName as string | undefined;
      let community: TPlace | undefined;
      if (code) {
        community = byCode.get(code);
        if (community?.level !== 'community') {
          return {
            issue: placeIssue(
              record,
              layout,
              `社区代码：社区 ${code} 不存在或不在您的管辖范围内`,
              'communityCode',
            ),
          };
        }
      } else if (name) {
        let candidates = communitiesByName.get(name) ?? [];
        if (streetName) {
          candidates = candidates.filter(
            (c) => byCode.get(c.parentCode ?? '')?.name === streetName,
          );
        }
        if (candidates.length === 0) {
          return {
            issue: placeIssue(
              record,
              layout,
              `社区：“${streetName ? `${streetName}` : ''}${name}”不存在或不在您的管辖范围内`,
              'communityName',
            ),
          };
        }
        if (candidates.length > 1) {
          return {
            issue: placeIssue(
              record,
              layout,
              `社区：有${candidates.length}个名为“${name}”的社区，请填写“街道”或“社区代码”`,
              'communityName',
            ),
          };
        }
        community = candidates[0];
      } else {
        return {
          issue: placeIssue(
            record,
            layout,
            '请填写社区代码或社区名称',
            'communityCode',
            'communityName',
          ),
        };
      }
      if (!community) return {};
      const placed = { community, communityCode: community.code };
      const gridCode = values.gridCode as string | undefined;
      const gridName = values.gridName as string | undefined;
      if (gridCode) {
        const grid = byCode.get(gridCode);
        if (grid?.level !== 'grid' || grid.parentCode !== community.code) {
          return {
            ...placed,
            issue: placeIssue(
              record,
              layout,
              `网格代码：网格 ${gridCode} 不属于社区“${community.name}”`,
              'gridCode',
            ),
          };
        }
        return { ...placed, gridCode };
      }
      if (gridName) {
        const grid = gridsByName.get(`${community.code}|${gridName}`);
        if (!grid) {
          return {
            ...placed,
            issue: placeIssue(
              record,
              layout,
              `网格：社区“${community.name}”没有名为“${gridName}”的网格`,
              'gridName',
            ),
          };
        }
        return { ...placed, gridCode: grid.code };
      }
      return placed;
    },
  };
};

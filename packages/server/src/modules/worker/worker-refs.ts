import { AppError } from '@shegong/shared';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { isWithinScope } from '../org/org-scope.ts';
import { findOrgs } from './worker.repo.ts';

export type TWorkerPlace = {
  communityCode: string;
  communityName: string;
  orgPath: string;
  countyCode: string;
  gridCode: string | null;
};

/**
 * Checks that the community is a community in the caller's scope and the grid (if any) one of
 * its grids; returns what the worker row stores about the place.
 */
export const resolveWorkerPlace = async (
  db: TExecutor,
  scope: TScope,
  communityCode: string,
  gridCode: string | null | undefined,
): Promise<TWorkerPlace> => {
  const rows = await findOrgs(db, gridCode ? [communityCode, gridCode] : [communityCode]);
  const community = rows.find((r) => r.code === communityCode);
  if (community?.level !== 'community' || !isWithinScope(scope, community.path)) {
    throw new AppError('VALIDATION_FAILED', `社区 ${communityCode} 不存在或不在您的管辖范围内`, {
      where: { field: 'communityCode' },
      issues: [{ field: 'communityCode', message: '社区不存在或不在您的管辖范围内' }],
    });
  }
  if (gridCode) {
    const grid = rows.find((r) => r.code === gridCode);
    if (grid?.level !== 'grid' || grid.parentCode !== communityCode) {
      throw new AppError('VALIDATION_FAILED', `网格 ${gridCode} 不属于社区 ${community.name}`, {
        where: { field: 'gridCode' },
        issues: [{ field: 'gridCode', message: '网格不属于所选社区' }],
      });
    }
  }
  return {
    communityCode,
    communityName: community.name,
    orgPath: community.path,
    countyCode: community.countyCode ?? community.path.split('/')[4] ?? '',
    gridCode: gridCode ?? null,
  };
};

import type { TOrgLevel, TPermission, TRole } from '@shegong/shared';

export type TMe = {
  id: string;
  username: string;
  displayName: string;
  role: TRole;
  orgCode: string;
  workerId: string | null;
  permissions: TPermission[];
  csrfToken: string;
};

export type TOrgCounts = { streets: number; communities: number; grids: number; workers: number };

export type TOrgNode = {
  code: string;
  parentCode: string | null;
  level: TOrgLevel;
  name: string;
  path: string;
  packId: string | null;
};

export type TOrgDetail = TOrgNode & { effectivePackId: string | null; counts: TOrgCounts };
export type TOrgChild = TOrgNode & { counts: TOrgCounts };

export type { TArchiveItemView, TWorkerView } from '@shegong/shared';

export type TWorkerPage = {
  items: import('@shegong/shared').TWorkerView[];
  nextCursor: string | null;
  total: number | null;
  totalCapped: boolean;
};

export type THistoryEntry = {
  seq: number;
  at: string;
  actorName: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
};

import type { TPayLineView, TPayRunView } from '@shegong/shared';
import type { TPayLineRow } from './compute-lines.ts';
import type { TLineRow, TRunRow } from './pay.repo.ts';

export const toRunView = (r: TRunRow): TPayRunView => ({
  id: r.id,
  streetCode: r.streetCode,
  streetName: r.streetName,
  countyCode: r.countyCode,
  month: r.month,
  status: r.status,
  workerCount: r.workerCount,
  openCount: r.openCount,
  totalFen: r.totalFen,
  arrearsFen: r.arrearsFen,
  version: r.version,
  packs: r.packs,
  computedAt: r.computedAt,
  reviewedAt: r.reviewedAt,
  reviewedBy: r.reviewedBy,
  reviewedByName: r.reviewedByName,
  lockedAt: r.lockedAt,
  lockedByName: r.lockedByName,
});

export const toLineView = (l: TLineRow): TPayLineView => ({
  workerId: l.workerId,
  name: l.name,
  communityName: l.communityName,
  kind: l.kind,
  forMonth: l.forMonth,
  status: l.status,
  reason: l.reason,
  packId: l.packId,
  post: l.post,
  title: l.title,
  years: l.years,
  grade: l.grade,
  coefficient: l.coefficient,
  probation: l.probation,
  baseFen: l.baseFen,
  performanceFen: l.performanceFen,
  allowancesFen: l.allowancesFen,
  oneOffFen: l.oneOffFen,
  annualFen: l.annualFen,
  monthlyFen: l.monthlyFen,
  paidDays: l.paidDays,
  monthDays: l.monthDays,
  payableFen: l.payableFen,
});

/** A computed (unsaved) line as the API shows it. */
export const toLineViewOfRow = (l: TPayLineRow, name: string): TPayLineView =>
  toLineView({ ...l, name, communityName: '', runId: '' });

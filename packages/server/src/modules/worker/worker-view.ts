import { serviceYears } from '@shegong/policy';
import type { TArchiveItemView, TArchiveKind, TWorkerView } from '@shegong/shared';
import type { TActor } from '../../context.ts';
import type { TFieldCrypto } from '../../security/field-crypto.ts';
import type { TArchiveRow, TWorkerRow, TWorkerViewRow } from './worker.repo.ts';

/** Whether the caller may see a worker's 身份证号 and phone in clear. */
export const maySeeSensitive = (actor: TActor, workerId: string): boolean =>
  actor.permissions.includes('worker:read-sensitive') ||
  (actor.scope.kind === 'self' && actor.scope.workerId === workerId);

/** Completed years of age on a date. */
export const ageOn = (birthDate: string, onDate: string): number => {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
};

/** Years of community work on a date: the current period plus earlier periods in the province. */
export const workerServiceYears = (
  row: Pick<TWorkerRow, 'serviceStartedOn' | 'priorService' | 'exitedOn'>,
  onDate: string,
) =>
  serviceYears(
    [...row.priorService, { from: row.serviceStartedOn, to: row.exitedOn ?? null }],
    onDate,
  );

/** A worker as the API shows it to this caller: personal data in clear only when allowed. */
export const toWorkerView = (
  row: TWorkerViewRow,
  names: { communityName: string; streetName: string; postCategory: string | null },
  actor: TActor,
  crypto: TFieldCrypto,
  today: string,
): TWorkerView => {
  const clear = maySeeSensitive(actor, row.id);
  return {
    id: row.id,
    name: row.name,
    idNumber: clear ? crypto.decrypt(row.idNumberCipher) : row.idNumberMasked,
    idNumberMasked: !clear,
    birthDate: row.birthDate,
    age: ageOn(row.birthDate, today),
    sex: row.sex,
    phone: row.phoneCipher ? (clear ? crypto.decrypt(row.phoneCipher) : row.phoneMasked) : null,
    ethnicity: row.ethnicity,
    politicalStatus: row.politicalStatus,
    educationLevel: row.educationLevel,
    educationMajor: row.educationMajor,
    educationRecognised: row.educationRecognised,
    certificateLevel: row.certificateLevel,
    certificateDate: row.certificateDate,
    veteran: row.veteran,
    livesInCommunity: row.livesInCommunity,
    serviceStartedOn: row.serviceStartedOn,
    priorService: row.priorService,
    serviceYears: workerServiceYears(row, today),
    status: row.status,
    communityCode: row.communityCode,
    communityName: names.communityName,
    streetName: names.streetName,
    gridCode: row.gridCode,
    postTitle: row.postTitle,
    postCategory: names.postCategory,
    hiredOn: row.hiredOn,
    probationUntil: row.probationUntil,
    exitedOn: row.exitedOn,
    version: row.version,
    updatedAt: row.updatedAt,
  };
};

export const toArchiveView = (row: TArchiveRow): TArchiveItemView => ({
  id: row.id,
  kind: row.kind as TArchiveKind,
  startOn: row.startOn,
  endOn: row.endOn,
  data: row.data,
  createdAt: row.createdAt,
});

/** What the audit log keeps of a worker: everything but personal data in clear. */
export const auditSnapshot = (row: Partial<TWorkerRow>) => {
  const { idNumberCipher, idNumberHash, phoneCipher, phoneHash, ...rest } = row;
  return rest;
};

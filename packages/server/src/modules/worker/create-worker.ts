import {
  AppError,
  checkIdNumber,
  maskIdNumber,
  maskPhone,
  type TCreateWorkerParsed,
  todayIso,
} from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { newId } from '../../security/ids.ts';
import { applyWorkerStatDelta } from '../stats/stat-maintenance.ts';
import { findWorkerIdByIdNumberHash, insertArchiveItems, insertWorker } from './worker.repo.ts';
import { resolveWorkerPlace } from './worker-refs.ts';
import { auditSnapshot } from './worker-view.ts';

/**
 * Registers a worker: the place must be in the caller's scope, the 身份证号 unique nationally;
 * birth date and sex come from the number. The first post item opens the archive; one audit
 * entry records the creation (without personal data in clear).
 */
export const createWorker = async (
  ctx: TCtx,
  input: TCreateWorkerParsed,
): Promise<{ id: string }> => {
  const { crypto } = ctx.services;
  const id = newId();
  const facts = checkIdNumber(input.idNumber);
  if (!facts.ok)
    throw new AppError('VALIDATION_FAILED', facts.message, { where: { field: 'idNumber' } });
  return inTransaction(ctx, async (tx) => {
    const place = await resolveWorkerPlace(
      tx.db,
      ctx.actor.scope,
      input.communityCode,
      input.gridCode,
    );
    const hash = crypto.blindIndex(input.idNumber);
    if (await findWorkerIdByIdNumberHash(tx.db, hash)) {
      throw new AppError('CONFLICT', '该身份证号已登记', {
        where: { field: 'idNumber' },
        issues: [{ field: 'idNumber', message: '该身份证号已登记' }],
      });
    }
    const hiredOn = input.hiredOn ?? input.serviceStartedOn;
    const row = {
      id,
      name: input.name,
      idNumberCipher: crypto.encrypt(input.idNumber),
      idNumberHash: hash,
      idNumberMasked: maskIdNumber(input.idNumber),
      birthDate: facts.facts.birthDate,
      sex: facts.facts.sex,
      phoneCipher: input.phone ? crypto.encrypt(input.phone) : null,
      phoneHash: input.phone ? crypto.blindIndex(input.phone) : null,
      phoneMasked: input.phone ? maskPhone(input.phone) : null,
      ethnicity: input.ethnicity,
      politicalStatus: input.politicalStatus,
      educationLevel: input.educationLevel,
      educationMajor: input.educationMajor ?? null,
      educationRecognised: input.educationRecognised,
      certificateLevel: input.certificateLevel,
      certificateDate: input.certificateDate ?? null,
      veteran: input.veteran,
      livesInCommunity: input.livesInCommunity,
      serviceStartedOn: input.serviceStartedOn,
      priorService: input.priorService,
      status: input.status,
      communityCode: place.communityCode,
      gridCode: place.gridCode,
      orgPath: place.orgPath,
      countyCode: place.countyCode,
      postTitle: input.postTitle,
      hiredOn,
      probationUntil: input.probationUntil ?? null,
      exitedOn: input.status === '已退出' ? todayIso() : null,
    };
    await insertWorker(tx.db, row);
    await applyWorkerStatDelta(tx.db, null, row);
    await insertArchiveItems(tx.db, [
      {
        id: newId(),
        workerId: id,
        countyCode: place.countyCode,
        kind: 'post',
        startOn: hiredOn,
        endOn: null,
        data: {
          title: input.postTitle,
          communityCode: place.communityCode,
          oneShoulder: input.postTitle === '书记兼主任',
        },
        createdBy: ctx.actor.id,
      },
    ]);
    await writeAudit(tx.db, {
      actorId: ctx.actor.id,
      actorName: ctx.actor.username,
      action: 'create',
      entity: 'worker',
      entityId: id,
      orgPath: place.orgPath,
      after: auditSnapshot(row),
    });
    return { id };
  });
};

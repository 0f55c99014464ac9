import {
  AppError,
  maskPhone,
  type TUpdateWorker,
  todayIso,
  workerRecordIssues,
} from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { newId } from '../../security/ids.ts';
import { applyWorkerStatDelta } from '../stats/stat-maintenance.ts';
import { datedChangeItems } from './dated-changes.ts';
import {
  alignRecordsToWorkerCounty,
  closeOpenPosts,
  findWorkerInScope,
  insertArchiveItems,
  type TWorkerRow,
  updateWorkerVersioned,
} from './worker.repo.ts';
import { resolveWorkerPlace } from './worker-refs.ts';
import { auditSnapshot } from './worker-view.ts';

const PLAIN_FIELDS = [
  'name',
  'ethnicity',
  'politicalStatus',
  'educationLevel',
  'educationMajor',
  'educationRecognised',
  'certificateLevel',
  'certificateDate',
  'veteran',
  'livesInCommunity',
  'serviceStartedOn',
  'priorService',
  'status',
  'hiredOn',
  'probationUntil',
] as const;

/**
 * Changes a worker. The version read by the client must still be current (else 409: someone
 * else changed the record). A change of post or community closes the open post item and opens
 * a new one on `effectiveOn`; a change of education is recorded from `effectiveOn` too (the
 * months before it keep the old one), a change of certificate from the new certificate's day,
 * unless either is a `correction` of a wrong record; leaving (status 已退出) writes the exit item — the post itself
 * stays (人走岗留). The 身份证号 never changes: a wrong one means a new registration.
 */
export const updateWorker = async (ctx: TCtx, id: string, input: TUpdateWorker) =>
  inTransaction(ctx, async (tx) => {
    const current = await findWorkerInScope(tx.db, ctx.actor.scope, id);
    if (!current) throw new AppError('NOT_FOUND', '工作者不存在');
    if (
      input.idNumber !== undefined &&
      ctx.services.crypto.decrypt(current.idNumberCipher) !== input.idNumber
    ) {
      throw new AppError(
        'VALIDATION_FAILED',
        '身份证号不能修改；如登记有误，请退出原记录后重新登记',
        {
          where: { field: 'idNumber' },
        },
      );
    }
    const effectiveOn = input.effectiveOn ?? todayIso();
    const set: Partial<TWorkerRow> = {};
    for (const field of PLAIN_FIELDS) {
      const value = input[field];
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[field])) {
        (set as Record<string, unknown>)[field] = value;
      }
    }
    const issues = workerRecordIssues({ ...current, ...set }).map((i) => ({
      field: i.path.join('.'),
      message: i.message,
    }));
    if (issues.length > 0) {
      throw new AppError('VALIDATION_FAILED', issues[0]?.message ?? '', {
        where: { field: issues[0]?.field },
        issues,
      });
    }
    if (input.phone !== undefined) {
      const { crypto } = ctx.services;
      const old = current.phoneCipher ? crypto.decrypt(current.phoneCipher) : null;
      if ((input.phone ?? null) !== old) {
        set.phoneCipher = input.phone ? crypto.encrypt(input.phone) : null;
        set.phoneHash = input.phone ? crypto.blindIndex(input.phone) : null;
        set.phoneMasked = input.phone ? maskPhone(input.phone) : null;
      }
    }
    const communityCode = input.communityCode ?? current.communityCode;
    const gridCode = input.gridCode === undefined ? current.gridCode : input.gridCode;
    if (communityCode !== current.communityCode || gridCode !== current.gridCode) {
      const place = await resolveWorkerPlace(tx.db, ctx.actor.scope, communityCode, gridCode);
      Object.assign(set, {
        communityCode: place.communityCode,
        gridCode: place.gridCode,
        orgPath: place.orgPath,
        countyCode: place.countyCode,
      });
    }
    const postTitle = input.postTitle ?? current.postTitle;
    const archive = [];
    if (postTitle !== current.postTitle || communityCode !== current.communityCode) {
      set.postTitle = postTitle;
      await closeOpenPosts(tx.db, id, effectiveOn);
      archive.push({
        id: newId(),
        workerId: id,
        countyCode: set.countyCode ?? current.countyCode,
        kind: 'post',
        startOn: effectiveOn,
        endOn: null,
        data: { title: postTitle, communityCode, oneShoulder: postTitle === '书记兼主任' },
        createdBy: ctx.actor.id,
      });
    }
    // 学历、社工证 dated (datedChangeItems), unless the change corrects a wrong record.
    if (!input.correction)
      for (const item of datedChangeItems(current, { ...current, ...set }, effectiveOn))
        archive.push({
          id: newId(),
          workerId: id,
          countyCode: set.countyCode ?? current.countyCode,
          ...item,
          endOn: null,
          createdBy: ctx.actor.id,
        });
    if (set.status === '已退出' && current.status !== '已退出') {
      set.exitedOn = effectiveOn;
      await closeOpenPosts(tx.db, id, effectiveOn);
      archive.push({
        id: newId(),
        workerId: id,
        countyCode: current.countyCode,
        kind: 'exit',
        startOn: effectiveOn,
        endOn: null,
        data: { reason: input.reason ?? '未填写' },
        createdBy: ctx.actor.id,
      });
    }
    if (Object.keys(set).length === 0) return { id, version: current.version, changed: false };
    const changed = await updateWorkerVersioned(tx.db, id, input.version, set);
    if (changed === 0) {
      throw new AppError('CONFLICT', '该记录已被他人修改，请刷新后重试', {
        where: { field: 'version' },
      });
    }
    await applyWorkerStatDelta(tx.db, current, { ...current, ...set });
    await insertArchiveItems(tx.db, archive);
    if (set.countyCode !== undefined && set.countyCode !== current.countyCode)
      await alignRecordsToWorkerCounty(tx.db, [id]);
    const before = Object.fromEntries(
      Object.keys(set).map((k) => [k, current[k as keyof TWorkerRow]]),
    );
    await writeAudit(tx.db, {
      actorId: ctx.actor.id,
      actorName: ctx.actor.username,
      action: 'update',
      entity: 'worker',
      entityId: id,
      orgPath: set.orgPath ?? current.orgPath,
      before: auditSnapshot(before),
      after: auditSnapshot(set),
      reason: input.reason ?? null,
    });
    return { id, version: input.version + 1, changed: true };
  });

import type { TEligibilityValue } from '@shegong/policy';
import {
  AppError,
  checkIdNumber,
  maskIdNumber,
  maskPhone,
  type ZCreateApplication,
} from '@shegong/shared';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import type { TCtx } from '../../context.ts';
import { recruitmentApplication } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import type { TCampaignRow, TPostRow } from './recruitment.repo.ts';

export type TApplicationInput = z.output<typeof ZCreateApplication>;

/**
 * The pack's eligibility of an applicant on the announcement date: a reason per criterion with
 * its clause (age limits and exceptions, education) and the priorities that apply.
 */
export const eligibilityOf = (
  ctx: TCtx,
  campaign: TCampaignRow,
  input: TApplicationInput,
  birthDate: string,
): TEligibilityValue => {
  const { policies } = ctx.services;
  if (!campaign.packId || !policies.has(campaign.packId))
    throw new AppError('VALIDATION_FAILED', '招聘未设置适用的政策包');
  const pack = policies.at(campaign.packId, campaign.announcedOn);
  const declared = new Set(pack.workflow({}).value.applicantFlags.map((f) => f.name));
  const unknown = input.flags.filter((f) => !declared.has(f));
  if (unknown.length)
    throw new AppError(
      'VALIDATION_FAILED',
      `「${unknown.join('、')}」不是${pack.name}的报名情形（可选：${[...declared].join('、') || '无'}）`,
      { where: { field: 'flags' } },
    );
  return pack.eligibility({
    birthDate,
    education: input.educationLevel,
    educationRecognised: input.educationRecognised,
    certificate: input.certificateLevel,
    ...(input.educationMajor ? { major: input.educationMajor } : {}),
    flags: input.flags,
  }).value;
};

/**
 * Registers an application (报名) in the 报名 step: the 身份证号 encrypted, the eligibility the
 * pack gives stored with it; one application per person and campaign.
 */
export const insertApplication = async (
  tx: TCtx,
  campaign: TCampaignRow,
  post: TPostRow,
  input: TApplicationInput,
  where: { row?: number } = {},
) => {
  const facts = checkIdNumber(input.idNumber);
  if (!facts.ok)
    throw new AppError('VALIDATION_FAILED', facts.message, {
      where: { field: 'idNumber', ...where },
    });
  const { crypto } = tx.services;
  const hash = crypto.blindIndex(input.idNumber);
  const eligibility = eligibilityOf(tx, campaign, input, facts.facts.birthDate);
  const row = {
    id: newId(),
    campaignId: campaign.id,
    postId: post.id,
    orgPath: post.orgPath,
    countyCode: post.countyCode,
    name: input.name,
    idNumberCipher: crypto.encrypt(input.idNumber),
    idNumberHash: hash,
    idNumberMasked: maskIdNumber(input.idNumber),
    birthDate: facts.facts.birthDate,
    sex: facts.facts.sex,
    phoneCipher: input.phone ? crypto.encrypt(input.phone) : null,
    phoneMasked: input.phone ? maskPhone(input.phone) : null,
    educationLevel: input.educationLevel,
    educationRecognised: input.educationRecognised,
    educationMajor: input.educationMajor ?? null,
    certificateLevel: input.certificateLevel,
    certificateDate: input.certificateDate ?? null,
    flags: input.flags,
    eligibility: eligibility as unknown as Record<string, unknown>,
    eligible: eligibility.eligible,
    priorityCount: eligibility.priorities.length,
  };
  const inserted = await tx.db
    .insert(recruitmentApplication)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: recruitmentApplication.id });
  if (inserted.length === 0)
    throw new AppError('CONFLICT', `${input.name}已报名本次招聘`, {
      where: { field: 'idNumber', ...where },
      issues: [{ field: 'idNumber', message: '该身份证号已报名本次招聘' }],
    });
  await writeAudit(tx.db, {
    actorId: tx.actor.id,
    actorName: tx.actor.username,
    action: 'apply',
    entity: 'recruitment_application',
    entityId: row.id,
    orgPath: post.orgPath,
    after: {
      campaignId: campaign.id,
      postId: post.id,
      name: row.name,
      idNumberMasked: row.idNumberMasked,
      educationLevel: row.educationLevel,
      certificateLevel: row.certificateLevel,
      flags: row.flags,
      eligible: row.eligible,
    },
  });
  return { id: row.id, eligible: eligibility.eligible };
};

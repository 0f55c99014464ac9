import { z } from 'zod';
import { ASSESSMENT_GRADES, CERTIFICATE_LEVELS, EDUCATION_LEVELS, POST_TITLES } from '../vocab.ts';
import { ZFen, ZIsoDate, ZOrgCode } from './common.ts';

// Items of the personnel archive (银川 职业化 (十五): 基本情况、劳动合同、工作经历、岗位变化、
// 薪酬待遇、考核评议、教育培训、表彰奖励). Each is dated; `data` is checked per kind.

export const ARCHIVE_KIND_LABELS = {
  post: '岗位变动',
  education: '学历变动',
  certificate: '证书变动',
  contract: '劳动合同',
  pay: '薪酬变动',
  assessment: '年度考核',
  training: '教育培训',
  reward: '表彰奖励',
  penalty: '惩戒',
  secondment: '借调挂职',
  exit: '退出',
  note: '备注',
} as const;
export type TArchiveKind = keyof typeof ARCHIVE_KIND_LABELS;

export const CONTRACT_TYPES = [
  '一年一签',
  '一届一签',
  '以完成一定工作任务为期限',
  '固定期限',
  '无固定期限',
] as const;

export const ZArchiveData = {
  post: z.object({
    title: z.enum(POST_TITLES),
    communityCode: ZOrgCode,
    category: z.string().max(30).optional(),
    /** 一肩挑: one person is both party secretary and committee director. */
    oneShoulder: z.boolean().optional(),
  }),
  /**
   * A change of education (学历) recorded by a worker change, from its effective day: the new
   * education and the one held before it, so a month before the day is paid on the old one.
   */
  education: z.object({
    level: z.enum(EDUCATION_LEVELS),
    recognised: z.boolean(),
    major: z.string().max(50).nullish(),
    previous: z.object({
      level: z.enum(EDUCATION_LEVELS),
      recognised: z.boolean(),
      major: z.string().max(50).nullish(),
    }),
  }),
  /**
   * A change of the social-work certificate (社工证) recorded by a worker change, dated by the
   * new certificate's day: the certificate and the one held before it, so a month wholly before
   * the day is paid on the old one.
   */
  certificate: z.object({
    level: z.enum(CERTIFICATE_LEVELS),
    on: ZIsoDate.nullable(),
    previous: z.object({ level: z.enum(CERTIFICATE_LEVELS), on: ZIsoDate.nullable() }),
  }),
  contract: z.object({
    type: z.enum(CONTRACT_TYPES, { error: `合同类型应为：${CONTRACT_TYPES.join('、')}` }),
    probationMonths: z.number().int().min(0).max(12).default(0),
    number: z.string().max(50).optional(),
  }),
  pay: z.object({
    reason: z.string().trim().min(1, '请填写变动原因').max(100),
    monthlyFen: ZFen,
  }),
  assessment: z.object({
    year: z.number().int().min(1990).max(2100),
    grade: z.enum(ASSESSMENT_GRADES, { error: `考核等次应为：${ASSESSMENT_GRADES.join('、')}` }),
    note: z.string().max(200).optional(),
  }),
  training: z.object({
    course: z.string().trim().min(1, '请填写培训名称').max(100),
    hours: z.number().min(0).max(2000),
    days: z.number().min(0).max(365).optional(),
    passed: z.boolean().default(true),
  }),
  reward: z.object({
    title: z.string().trim().min(1, '请填写奖励名称').max(100),
    amountFen: ZFen.optional(),
  }),
  penalty: z.object({ title: z.string().trim().min(1, '请填写惩戒事由').max(100) }),
  secondment: z.object({
    to: z.string().trim().min(1, '请填写借调（挂职）单位').max(100),
    purpose: z.string().trim().max(200).optional(),
  }),
  exit: z.object({ reason: z.string().trim().min(1, '请填写退出原因').max(200) }),
  note: z.object({ text: z.string().trim().min(1).max(1000) }),
} satisfies Record<TArchiveKind, z.ZodType>;

/** A new archive item as a client sends it. Post, education, certificate and exit items come from worker changes. */
export const ZCreateArchiveItem = z
  .discriminatedUnion(
    'kind',
    [
      z.object({
        kind: z.literal('contract'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.contract,
      }),
      z.object({
        kind: z.literal('pay'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.pay,
      }),
      z.object({
        kind: z.literal('assessment'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.assessment,
      }),
      z.object({
        kind: z.literal('training'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.training,
      }),
      z.object({
        kind: z.literal('reward'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.reward,
      }),
      z.object({
        kind: z.literal('penalty'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.penalty,
      }),
      z.object({
        kind: z.literal('secondment'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.secondment,
      }),
      z.object({
        kind: z.literal('note'),
        startOn: ZIsoDate,
        endOn: ZIsoDate.nullish(),
        data: ZArchiveData.note,
      }),
    ],
    {
      error:
        '档案类型应为：劳动合同、薪酬变动、年度考核、教育培训、表彰奖励、惩戒、借调挂职、备注 之一',
    },
  )
  .refine((item) => !item.endOn || item.endOn >= item.startOn, {
    message: '结束日期不能早于开始日期',
    path: ['endOn'],
  });
export type TCreateArchiveItem = z.input<typeof ZCreateArchiveItem>;

export type TArchiveItemView = {
  id: string;
  kind: TArchiveKind;
  startOn: string;
  endOn: string | null;
  data: Record<string, unknown>;
  createdAt: string;
};

/** The post a worker holds on a date: the post item open on that date (latest start wins). */
export const currentPost = <T extends { kind: string; startOn: string; endOn: string | null }>(
  items: readonly T[],
  onDate: string,
): T | undefined =>
  items
    .filter(
      (i) => i.kind === 'post' && i.startOn <= onDate && (i.endOn === null || i.endOn > onDate),
    )
    .sort((a, b) => (a.startOn < b.startOn ? 1 : -1))[0];

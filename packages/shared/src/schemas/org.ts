import { z } from 'zod';
import { COMMUNITY_KINDS, type ORG_LEVELS } from '../vocab.ts';
import { ZIsoDate } from './common.ts';

export const ZCreateOrg = z.object({
  code: z.string().regex(/^(\d{6}|\d{12}|\d{15})$/, '机构代码应为6、12或15位数字'),
  parentCode: z.string().regex(/^\d{6,15}$/, '上级机构代码应为6–15位数字'),
  name: z.string().trim().min(2, '名称至少2个字').max(50),
  packId: z
    .string()
    .regex(/^[a-z0-9-]+$/, '政策包编号格式不正确')
    .nullish(),
});
export type TCreateOrg = z.input<typeof ZCreateOrg>;

export const ZUpdateOrg = z.object({
  name: z.string().trim().min(2, '名称至少2个字').max(50).optional(),
  packId: z
    .string()
    .regex(/^[a-z0-9-]+$/, '政策包编号格式不正确')
    .nullable()
    .optional(),
});

export const ZMoveOrg = z.object({
  toParentCode: z.string().regex(/^\d{12}$/, '目标街道代码应为12位数字'),
  effectiveOn: ZIsoDate,
  reason: z.string().trim().min(1, '请填写调整原因').max(200),
});

const ZCount = z.number().int('应为整数').min(0, '不能为负数').max(10_000_000);

export const ZOrgFact = z.object({
  effectiveFrom: ZIsoDate,
  householdsRegistered: ZCount.nullish(),
  householdsResident: ZCount.nullish(),
  population: ZCount.nullish(),
  kind: z.enum(COMMUNITY_KINDS, { error: `社区类型应为：${COMMUNITY_KINDS.join('、')}` }).nullish(),
  starRating: z.number().int().min(0, '星级为0–5').max(5, '星级为0–5').nullish(),
  gridSatisfaction: z.number().int().min(0).max(100).nullish(),
  note: z.string().max(200).nullish(),
});
export type TOrgFact = z.input<typeof ZOrgFact>;

/** The level below each level of the tree. */
export const CHILD_LEVEL: Partial<
  Record<(typeof ORG_LEVELS)[number], (typeof ORG_LEVELS)[number]>
> = {
  country: 'province',
  province: 'city',
  city: 'county',
  county: 'street',
  street: 'community',
  community: 'grid',
};

/**
 * Whether a child's code fits its parent's: streets are county code + 3 digits + '000',
 * communities street's first 9 digits + 3, grids community code + 3; county and above are
 * 6-digit GB/T 2260 codes.
 */
export const codeFitsParent = (level: string, code: string, parentCode: string): boolean => {
  switch (level) {
    case 'province':
      return /^\d{2}0000$/.test(code);
    case 'city':
      return /^\d{4}00$/.test(code) && code.slice(0, 2) === parentCode.slice(0, 2);
    case 'county':
      return (
        /^\d{6}$/.test(code) && code.slice(0, 4) === parentCode.slice(0, 4) && !code.endsWith('00')
      );
    case 'street':
      return (
        /^\d{9}000$/.test(code) &&
        code.startsWith(parentCode) &&
        !code.slice(6, 9).startsWith('000')
      );
    case 'community':
      return (
        /^\d{12}$/.test(code) &&
        code.slice(0, 9) === parentCode.slice(0, 9) &&
        !code.endsWith('000')
      );
    case 'grid':
      return /^\d{15}$/.test(code) && code.startsWith(parentCode);
    default:
      return false;
  }
};

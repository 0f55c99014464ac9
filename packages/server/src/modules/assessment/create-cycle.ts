import { parseRatio } from '@shegong/policy';
import { AppError, type TFieldIssue, type ZCreateCycle } from '@shegong/shared';
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { assessmentCycle } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { packForPath } from '../todo/worker-policy.ts';

const percentOf = (share: string): number | null => {
  const r = parseRatio(share);
  if (!r) return null;
  const p = (r.num * 100) / r.den;
  return Number.isInteger(p) ? p : null;
};

/**
 * 年度考核: opens the cycle of a year for a street or county with the dimensions of the governing
 * pack (银川 德、能、勤、绩、廉). Weights the pack gives are used as they are; where the document
 * leaves them to the county (考核细则), the cycle must set them, adding up to 100%.
 */
export const createCycle = (ctx: TCtx, input: z.output<typeof ZCreateCycle>) =>
  inTransaction(ctx, async (tx) => {
    const node = await findOrgInScope(tx.db, tx.actor.scope, input.orgCode);
    if (!node || tx.actor.scope.kind === 'self')
      throw new AppError('NOT_FOUND', `机构 ${input.orgCode} 不存在`);
    if (node.level !== 'county' && node.level !== 'street')
      throw new AppError('VALIDATION_FAILED', '年度考核由县（市、区）或街道组织实施', {
        where: { field: 'orgCode' },
      });
    const exists = await tx.db
      .select({ id: assessmentCycle.id })
      .from(assessmentCycle)
      .where(and(eq(assessmentCycle.orgCode, node.code), eq(assessmentCycle.year, input.year)))
      .limit(1);
    if (exists.length)
      throw new AppError('CONFLICT', `${node.name}${input.year}年度考核已建立`, {
        where: { field: 'year' },
      });
    const pack = await packForPath(tx.db, tx.services.policies, node.path, `${input.year}-12-31`);
    const rule = pack.workflow({}).value.assessment;
    if (!rule)
      throw new AppError('VALIDATION_FAILED', `${pack.name}没有年度考核的规定`, {
        where: { field: 'orgCode' },
      });
    const issues: TFieldIssue[] = [];
    const dimensions = rule.dimensions.map((d) => {
      const fixed = d.weight ? percentOf(d.weight) : null;
      const given = input.weights?.[d.name];
      if (fixed !== null) {
        if (given !== undefined && given !== fixed)
          issues.push({
            field: `weights.${d.name}`,
            message: `${d.name}的权重由政策规定为${d.weight}（${rule.source}）`,
          });
        return { name: d.name, weight: fixed };
      }
      if (given === undefined)
        issues.push({
          field: `weights.${d.name}`,
          message: `请填写“${d.name}”的权重（政策未规定，由${rule.detailsBy ?? '考核组织单位'}确定）`,
        });
      return { name: d.name, weight: given ?? 0 };
    });
    const total = dimensions.reduce((s, d) => s + d.weight, 0);
    if (!issues.length && total !== 100)
      issues.push({
        field: `weights.${dimensions.at(-1)?.name}`,
        message: `各项权重之和应为100%，现为${total}%`,
      });
    if (issues.length)
      throw new AppError('VALIDATION_FAILED', issues[0]?.message ?? '权重有误', {
        where: { field: issues[0]?.field },
        issues,
      });
    const row = {
      id: newId(),
      year: input.year,
      orgCode: node.code,
      orgPath: node.path,
      countyCode: node.countyCode,
      packId: pack.id,
      dimensions,
      createdBy: tx.actor.id,
    };
    await tx.db.insert(assessmentCycle).values(row);
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'create',
      entity: 'assessment_cycle',
      entityId: row.id,
      orgPath: node.path,
      after: {
        year: row.year,
        orgCode: row.orgCode,
        packId: row.packId,
        dimensions,
        rule: rule.rule,
      },
    });
    return { id: row.id };
  });

import { AppError, type TOrgLevel, type TQuotaExplanation, todayIso } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { effectivePackIds, findOrgInScope } from '../org/org.repo.ts';
import { communityInput, packOn } from './community-quota.ts';
import { countyNamesUnder } from './get-quota-view.ts';
import { listCommunitiesWithFacts } from './quota.repo.ts';

/** Beyond this many communities the explanation of a whole keeps to its own standards. */
const MAX_LISTED = 300;

/**
 * "为什么": the quota of a community, or the standards of a street, county or city, evaluated
 * with the trace of the governing pack (each step names the rule and the clause it cites).
 */
export const explainQuota = async (
  ctx: TCtx,
  code: string,
  onDate = todayIso(),
): Promise<TQuotaExplanation> => {
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, code);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${code} 不存在`);
  if (node.level === 'grid') throw new AppError('BAD_REQUEST', '职数按社区核定，请选择社区或以上');
  const packId = (await effectivePackIds(ctx.db, [node.path])).get(node.path) ?? null;
  const base = {
    code: node.code,
    name: node.name,
    level: node.level as TOrgLevel,
    packId,
    packName: null as string | null,
    date: onDate,
  };
  const p = packOn(ctx.services.policies, packId, onDate);
  if ('note' in p) return { ...base, input: null, value: null, trace: [], error: p.note };
  const pack = p.pack;
  const countyNames = await countyNamesUnder(ctx, node.path);
  const communities = await listCommunitiesWithFacts(ctx.db, ctx.actor.scope, node.path, onDate);
  let input: Record<string, unknown> | undefined;
  if (node.level === 'community') {
    const c = communities[0];
    input = c
      ? communityInput(pack, { ...c, district: countyNames.get(c.countyCode ?? '') ?? null })
      : undefined;
    if (input) input = { scope: 'community', ...input };
  } else {
    const list = communities
      .map((c) =>
        communityInput(pack, { ...c, district: countyNames.get(c.countyCode ?? '') ?? null }),
      )
      .filter((c) => c !== undefined);
    input = {
      scope: 'street',
      residents: communities.reduce((s, c) => s + (c.residents ?? 0), 0),
      ...(pack.districts.includes(node.name) ? { district: node.name } : {}),
      ...(list.length <= MAX_LISTED ? { communities: list } : {}),
    };
  }
  const named = { ...base, packName: pack.name };
  if (!input) return { ...named, input: null, value: null, trace: [], error: '缺少户数、人口数据' };
  try {
    const r = pack.quota(input);
    return { ...named, input, value: r.value, trace: r.trace, error: null };
  } catch (error) {
    return {
      ...named,
      input,
      value: null,
      trace: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
};

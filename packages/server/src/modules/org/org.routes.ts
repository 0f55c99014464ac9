import fs from 'node:fs';
import path from 'node:path';
import {
  AppError,
  ORG_LEVELS,
  type TOrgLevel,
  ZCreateOrg,
  ZMoveOrg,
  ZOrgFact,
  ZUpdateOrg,
} from '@shegong/shared';
import { z } from 'zod';
import type { TConfig } from '../../config.ts';
import { defineRoute } from '../../http/route.ts';
import {
  findOrgInScope,
  findOrgWithCountsInScope,
  listChildrenWithCountsInScope,
  listFacts,
  listGridsWithWorkers,
  listMoves,
  type TOrgNode,
} from './org.repo.ts';
import { createOrg, moveCommunity, recordOrgFact, updateOrg } from './org-write.ts';

/** Whether a pack of this id exists in the policies directory. */
const packExists = (config: TConfig) => (id: string) =>
  fs.existsSync(path.join(config.policiesDir, id, 'pack.yaml'));

export const ZOrgNode = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  level: z.enum(ORG_LEVELS),
  name: z.string(),
  path: z.string(),
  packId: z.string().nullable(),
});

const ZCodeParam = z.object({ code: z.string().regex(/^\d{6,15}$/, '机构代码应为6–15位数字') });

const toNode = (row: Omit<TOrgNode, 'sort'>): z.infer<typeof ZOrgNode> => ({
  code: row.code,
  parentCode: row.parentCode,
  level: row.level as TOrgLevel,
  name: row.name,
  path: row.path,
  packId: row.packId,
});

export const orgRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/orgs/:code',
    summary: '机构节点（含生效政策包与下级统计）',
    tag: '机构与社区',
    access: 'org:read',
    params: ZCodeParam,
    handler: async (c, { params }) => {
      const { db } = c.get('services').database;
      const scope = c.get('actor')!.scope;
      // The node, its effective pack and the counts under it in one statement (scope checked there).
      const found = await findOrgWithCountsInScope(db, scope, params.code);
      if (!found) throw new AppError('NOT_FOUND', `机构 ${params.code} 不存在`);
      return {
        ...toNode(found.node),
        effectivePackId: found.effectivePackId,
        counts: found.counts,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/orgs/:code/children',
    summary: '下级机构列表（含统计）',
    tag: '机构与社区',
    access: 'org:read',
    params: ZCodeParam,
    handler: async (c, { params }) => {
      const { db } = c.get('services').database;
      const scope = c.get('actor')!.scope;
      const node = await findOrgInScope(db, scope, params.code);
      if (!node) throw new AppError('NOT_FOUND', `机构 ${params.code} 不存在`);
      const children = await listChildrenWithCountsInScope(db, scope, node.code);
      return { items: children.map((child) => ({ ...toNode(child.node), counts: child.counts })) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/orgs/:code/facts',
    summary: '社区（网格）基本情况的历史：户数、人口、类型、党组织星级',
    tag: '机构与社区',
    access: 'org:read',
    params: ZCodeParam,
    handler: async (c, { params }) => {
      const { db } = c.get('services').database;
      const node = await findOrgInScope(db, c.get('actor')!.scope, params.code);
      if (!node) throw new AppError('NOT_FOUND', `机构 ${params.code} 不存在`);
      return { items: await listFacts(db, node.code), moves: await listMoves(db, node.code) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/orgs/:code/grids',
    summary: '社区的网格：户数与网格员',
    tag: '机构与社区',
    access: 'org:read',
    params: ZCodeParam,
    handler: async (c, { params }) => {
      const { db } = c.get('services').database;
      const scope = c.get('actor')!.scope;
      const node = await findOrgInScope(db, scope, params.code);
      if (node?.level !== 'community')
        throw new AppError('NOT_FOUND', `社区 ${params.code} 不存在`);
      return { items: await listGridsWithWorkers(db, scope, node.code) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/orgs',
    summary: '新增机构节点（街道、社区、网格等）',
    tag: '机构与社区',
    access: 'org:write',
    body: ZCreateOrg,
    status: 201,
    handler: async (c, { body }) =>
      toNode(
        (await createOrg(c.get('ctx'), body, packExists(c.get('services').config))) as Omit<
          TOrgNode,
          'sort'
        >,
      ),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/orgs/:code',
    summary: '修改机构名称或适用政策包',
    tag: '机构与社区',
    access: 'org:write',
    params: ZCodeParam,
    body: ZUpdateOrg,
    handler: async (c, { params, body }) =>
      toNode(
        await updateOrg(c.get('ctx'), params.code, body, packExists(c.get('services').config)),
      ),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orgs/:code/move',
    summary: '社区调整到另一街道（按日期记录）',
    tag: '机构与社区',
    access: 'org:write',
    params: ZCodeParam,
    body: ZMoveOrg,
    handler: async (c, { params, body }) => moveCommunity(c.get('ctx'), params.code, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/orgs/:code/facts',
    summary: '登记社区（网格）某日起的户数、人口、类型、星级',
    tag: '机构与社区',
    access: 'org:write',
    params: ZCodeParam,
    body: ZOrgFact,
    status: 201,
    handler: async (c, { params, body }) => recordOrgFact(c.get('ctx'), params.code, body),
  }),
];

import {
  AppError,
  checkIdNumber,
  currentPost,
  type TUpdateWorker,
  todayIso,
  ZCreateArchiveItem,
  ZCreateWorker,
  ZUpdateWorker,
  ZWorkerListQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { governingPack } from '../org/org.repo.ts';
import { postCategoryOf } from '../policy/pack-of.ts';
import { addArchiveItem } from './add-archive-item.ts';
import { createWorker } from './create-worker.ts';
import { updateWorker } from './update-worker.ts';
import {
  findWorkerDetailInScope,
  findWorkerHistoryInScope,
  listWorkers,
  type TWorkerFilters,
} from './worker.repo.ts';
import { toArchiveView, toWorkerView } from './worker-view.ts';

const ZIdParam = z.object({ id: z.uuid('工作者编号无效') });
const COUNT_CAP = 10_000;

const streetCodeOf = (path: string) => path.split('/').filter(Boolean).at(-2) ?? '';

export const workerRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/workers',
    summary: '社区工作者列表（筛选、键集分页）',
    tag: '社区工作者',
    access: 'worker:read',
    query: ZWorkerListQuery,
    handler: async (c, { query }) => {
      const { database, crypto, policies } = c.get('services');
      const actor = c.get('actor')!;
      const { db } = database;
      const filters: TWorkerFilters = {
        status: query.status,
        postTitle: query.postTitle,
        educationLevel: query.educationLevel,
        certificateLevel: query.certificateLevel,
        orgCode: query.org,
      };
      if (query.q) {
        const q = query.q.replace(/\s/g, '');
        const id = checkIdNumber(q);
        if (id.ok) filters.idNumberHash = crypto.blindIndex(id.value);
        else if (/^1\d{10}$/.test(q)) filters.phoneHash = crypto.blindIndex(q);
        else filters.nameprefix = q;
      }
      // One statement: the org filter's node in scope, the page, the names and packs, the total.
      const { rows, orgFound } = await listWorkers(db, actor.scope, filters, {
        after: query.after,
        limit: query.limit,
        countCap: query.after ? undefined : COUNT_CAP,
      });
      if (!orgFound) throw new AppError('NOT_FOUND', `机构 ${query.org} 不存在`);
      // The total comes with the first page only; an empty first page means none match.
      const total = query.after ? undefined : (rows[0]?.total ?? 0);
      const today = todayIso();
      const items = rows.map((r) =>
        toWorkerView(
          r,
          {
            communityName: r.communityName ?? '',
            streetName: r.streetName,
            postCategory: postCategoryOf(policies, r.packId, r.postTitle, today),
          },
          actor,
          crypto,
          today,
        ),
      );
      return {
        items,
        nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
        total: total === undefined ? null : Math.min(total, COUNT_CAP),
        totalCapped: total !== undefined && total > COUNT_CAP,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/workers/:id',
    summary: '社区工作者详情（含人事档案）',
    tag: '社区工作者',
    access: 'worker:read',
    params: ZIdParam,
    handler: async (c, { params }) => {
      const { database, crypto, policies } = c.get('services');
      const actor = c.get('actor')!;
      // The worker, its path's nodes and its archive in one statement (scope checked there).
      const found = await findWorkerDetailInScope(database.db, actor.scope, params.id);
      if (!found) throw new AppError('NOT_FOUND', '工作者不存在');
      const { worker: row, archive } = found;
      const nodes = new Map(found.nodes.map((n) => [n.code, n]));
      const name = (code: string) => nodes.get(code)?.name ?? '';
      const today = todayIso();
      const post = currentPost(archive, today);
      return {
        currentPost: post ? { title: post.data.title, since: post.startOn } : null,
        worker: toWorkerView(
          row,
          {
            communityName: name(row.communityCode),
            streetName: name(streetCodeOf(row.orgPath)),
            postCategory: postCategoryOf(
              policies,
              governingPack((code) => nodes.get(code)?.packId, row.orgPath),
              row.postTitle,
              today,
            ),
          },
          actor,
          crypto,
          today,
        ),
        archive: archive.map(toArchiveView),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/workers',
    summary: '登记社区工作者',
    tag: '社区工作者',
    access: 'worker:write',
    body: ZCreateWorker,
    status: 201,
    handler: async (c, { body }) => createWorker(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/workers/:id',
    summary: '修改社区工作者信息（乐观锁：须带版本号）',
    tag: '社区工作者',
    access: 'worker:write',
    params: ZIdParam,
    body: ZUpdateWorker,
    handler: async (c, { params, body }) =>
      updateWorker(c.get('ctx'), params.id, body as TUpdateWorker),
  }),
  defineRoute({
    method: 'post',
    path: '/api/workers/:id/archive',
    summary: '添加人事档案条目',
    tag: '社区工作者',
    access: 'worker:write',
    params: ZIdParam,
    body: ZCreateArchiveItem,
    status: 201,
    handler: async (c, { params, body }) => addArchiveItem(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/workers/:id/history',
    summary: '社区工作者变更历史（审计日志）',
    tag: '社区工作者',
    access: 'worker:read',
    params: ZIdParam,
    handler: async (c, { params }) => {
      // The scope check, the worker's audit rows and its creation by an import in one statement.
      const items = await findWorkerHistoryInScope(
        c.get('services').database.db,
        c.get('actor')!.scope,
        params.id,
      );
      if (!items) throw new AppError('NOT_FOUND', '工作者不存在');
      return { items };
    },
  }),
];

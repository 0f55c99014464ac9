import {
  APPLICATION_CSV_HEADERS,
  AppError,
  CERTIFICATE_LEVELS,
  type TFieldIssue,
  ZCreateApplication,
} from '@shegong/shared';
import { inTransaction, type TCtx } from '../../context.ts';
import { insertApplication } from './add-application.ts';
import { parseCsv } from './parse-csv.ts';
import { findCampaign, listPosts } from './recruitment.repo.ts';

const YES = new Set(['是', '有', 'Y', 'y', '√', '1']);
const HEADER_OF: Record<string, string> = {
  name: '姓名',
  idNumber: '身份证号',
  phone: '手机号',
  educationLevel: '学历',
  educationMajor: '专业',
  certificateLevel: '社工证',
  certificateDate: '取证日期',
  flags: '其他情形',
  postId: '报考岗位',
};

/**
 * 报名 by file: one application per CSV row (姓名, 身份证号, 手机号, 学历, 专业, 社工证, 取证日期,
 * 报考社区, 报考岗位, then one 是/否 column per applicant flag of the pack, or 其他情形 listing
 * them separated by 、). Atomic: every row is checked; if any is wrong nothing is saved and each
 * problem is reported with its row and column.
 */
export const importApplications = (ctx: TCtx, campaignId: string, csv: string) =>
  inTransaction(ctx, async (tx) => {
    const campaign = await findCampaign(tx.db, tx.actor.scope, campaignId);
    if (!campaign) throw new AppError('NOT_FOUND', '招聘不存在');
    if (campaign.step !== '报名')
      throw new AppError('CONFLICT', `当前为“${campaign.step}”阶段，报名阶段才能导入报名信息`);
    const rows = parseCsv(csv);
    const header = rows.shift();
    if (!header) throw new AppError('VALIDATION_FAILED', '文件没有内容');
    const col = new Map(header.cells.map((h, i) => [h.trim(), i]));
    for (const h of ['姓名', '身份证号', '学历', '报考社区', '报考岗位'])
      if (!col.has(h))
        throw new AppError(
          'IMPORT_ROW_INVALID',
          `缺少“${h}”列（应有：${APPLICATION_CSV_HEADERS.join('、')}）`,
          {
            where: { row: header.line, column: h },
          },
        );
    const posts = await listPosts(tx.db, campaign.id);
    const flagsOf = tx.services.policies
      .at(campaign.packId as string, campaign.announcedOn)
      .workflow({})
      .value.applicantFlags.map((f) => f.name);
    const issues: TFieldIssue[] = [];
    const rowIssue = (line: number, column: string, message: string) =>
      issues.push({ field: `第${line}行 ${column}`, message });
    let imported = 0;
    for (const r of rows) {
      const cell = (h: string) => (col.has(h) ? (r.cells[col.get(h) as number] ?? '').trim() : '');
      const community = cell('报考社区');
      const title = cell('报考岗位');
      const post = posts.find(
        (p) =>
          (p.post.communityCode === community || p.communityName === community) &&
          p.post.postTitle === title,
      );
      if (!post) {
        rowIssue(r.line, '报考岗位', `本次招聘没有“${community} ${title}”岗位`);
        continue;
      }
      const flags = [
        ...flagsOf.filter((f) => YES.has(cell(f))),
        ...cell('其他情形')
          .split(/[、,，;；\s]+/)
          .filter(Boolean),
      ];
      const cert = cell('社工证');
      const parsed = ZCreateApplication.safeParse({
        postId: post.post.id,
        name: cell('姓名'),
        idNumber: cell('身份证号'),
        phone: cell('手机号') || null,
        educationLevel: cell('学历'),
        educationMajor: cell('专业') || null,
        certificateLevel:
          cert && (CERTIFICATE_LEVELS as readonly string[]).includes(cert) ? cert : cert || '无',
        certificateDate: cell('取证日期') || null,
        flags: [...new Set(flags)],
      });
      if (!parsed.success) {
        for (const i of parsed.error.issues)
          rowIssue(r.line, HEADER_OF[String(i.path[0])] ?? String(i.path[0] ?? ''), i.message);
        continue;
      }
      try {
        await tx.db.transaction(async (inner) =>
          insertApplication(
            { ...tx, db: inner as unknown as typeof tx.db },
            campaign,
            post.post,
            parsed.data,
            { row: r.line },
          ),
        );
        imported++;
      } catch (e) {
        if (e instanceof AppError)
          rowIssue(r.line, HEADER_OF[e.where?.field ?? ''] ?? e.where?.field ?? '', e.message);
        else throw e;
      }
    }
    if (issues.length)
      throw new AppError(
        'IMPORT_ROW_INVALID',
        `${issues.length}处错误，未导入任何报名信息：${issues[0]?.field} ${issues[0]?.message}`,
        {
          issues,
        },
      );
    return { imported };
  });

import { AppError, todayIso } from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { addDays, addMonths } from '../todo/dates.ts';
import { addArchiveItem } from '../worker/add-archive-item.ts';
import { createWorker } from '../worker/create-worker.ts';
import { campaignState } from './get-campaign.ts';
import { updateApplication, updateCampaign } from './recruitment.repo.ts';

/**
 * 聘用: after the public notice (公示) has ended, those to be hired become workers of their
 * post's community, with the probation the governing pack sets for the post (银川 网格员 3个月,
 * 温州 6个月) and, where the pack's contract is signed at hiring, the contract in the archive.
 * The others who passed the review are 未录用 (the reserve pool may take some of them).
 */
export const hireCampaign = (ctx: TCtx, id: string, hiredOn: string) =>
  inTransaction(ctx, async (tx) => {
    const { campaign, posts, ranked, apps } = await campaignState(tx, id);
    if (campaign.step !== '公示' || campaign.status !== '进行中')
      throw new AppError('CONFLICT', `当前为“${campaign.step}”阶段，公示后才能聘用`);
    const noticeUntil = campaign.noticeUntil as string;
    if (todayIso() <= noticeUntil || hiredOn <= noticeUntil)
      throw new AppError('CONFLICT', `公示期至${noticeUntil}，期满后才能聘用`, {
        where: { field: 'hiredOn' },
      });
    const toHire = apps.filter((a) => a.outcome === '拟聘用');
    if (toHire.length === 0) throw new AppError('CONFLICT', '没有拟聘用人员');
    const { policies, crypto } = tx.services;
    const pack = policies.at(campaign.packId as string, hiredOn);
    const hired: { name: string; workerId: string; probationUntil: string | null }[] = [];
    for (const a of toHire) {
      const post = posts.find((p) => p.post.id === a.postId)?.post;
      if (!post) continue;
      const wf = pack.workflow({ post: post.postTitle }).value;
      const probation = wf.probation;
      const probationUntil = probation ? addDays(addMonths(hiredOn, probation.months), -1) : null;
      let created: { id: string };
      try {
        created = await createWorker(tx, {
          name: a.name,
          idNumber: crypto.decrypt(a.idNumberCipher),
          phone: a.phoneCipher ? crypto.decrypt(a.phoneCipher) : null,
          ethnicity: '汉族',
          politicalStatus: '群众',
          educationLevel: a.educationLevel as '本科',
          educationMajor: a.educationMajor,
          educationRecognised: a.educationRecognised,
          certificateLevel: a.certificateLevel as '无',
          certificateDate: a.certificateDate,
          veteran: a.flags.includes('退役军人'),
          livesInCommunity: a.flags.includes('本社区居民'),
          serviceStartedOn: hiredOn,
          priorService: [],
          status: probation ? '试用期' : '在岗',
          communityCode: post.communityCode,
          gridCode: null,
          postTitle: post.postTitle as '网格员',
          hiredOn,
          probationUntil,
        });
      } catch (e) {
        if (e instanceof AppError && e.code === 'CONFLICT')
          throw new AppError('CONFLICT', `${a.name}的身份证号已登记为社区工作者，请核实后再聘用`);
        throw e;
      }
      const r = ranked.get(a.id);
      await addArchiveItem(tx, created.id, {
        kind: 'note',
        startOn: hiredOn,
        data: {
          text: `经“${campaign.title}”公开招聘聘用：综合成绩${((r?.total ?? 0) / 100).toFixed(2)}，岗位排名第${r?.rank ?? '—'}名${
            probation
              ? `；试用期${probation.months}个月至${probationUntil}（${probation.source}）`
              : ''
          }`,
        },
      });
      const contract = wf.contract;
      if (contract?.type && !contract.afterProbation && !contract.endsWithTerm && contract.years)
        await addArchiveItem(tx, created.id, {
          kind: 'contract',
          startOn: hiredOn,
          endOn: addDays(addMonths(hiredOn, 12 * contract.years), -1),
          data: {
            type: contract.type as '一年一签',
            probationMonths: probation?.months ?? 0,
          },
        });
      await updateApplication(tx.db, a, { outcome: '已聘用', workerId: created.id });
      hired.push({ name: a.name, workerId: created.id, probationUntil });
    }
    for (const a of apps)
      if (a.review === '通过' && a.outcome === null)
        await updateApplication(tx.db, a, { outcome: '未录用' });
    await updateCampaign(tx.db, id, { step: '聘用', status: '已完成', hiredOn });
    await writeAudit(tx.db, {
      actorId: tx.actor.id,
      actorName: tx.actor.username,
      action: 'hire',
      entity: 'recruitment_campaign',
      entityId: id,
      orgPath: campaign.orgPath,
      before: { step: campaign.step },
      after: { step: '聘用', hiredOn, hired },
    });
    return { hired };
  });

// Vocabularies of the workflows (招聘, 合同, 考核, 培训, 借调, 退出, 表彰, 准入清单, 待办) that the
// policy packs, the server and the web app share. Values are the documents' own words.

/**
 * The steps of open recruitment as 银川 职业化 (五) lists them: 发布岗位招聘公告、个人报名、资格审查、
 * 笔试、面试、体检、考察、公示、聘用. A campaign moves through them in this order.
 */
export const RECRUITMENT_STEPS = [
  '公告',
  '报名',
  '资格审查',
  '笔试',
  '面试',
  '体检',
  '考察',
  '公示',
  '聘用',
] as const;
export type TRecruitmentStep = (typeof RECRUITMENT_STEPS)[number];

/** Who borrows a worker (003 六.17 forbids organs at county level and above). */
export const BORROWER_KINDS = ['县级以上机关事业单位', '街道（乡镇）', '其他部门（单位）'] as const;
export type TBorrowerKind = (typeof BORROWER_KINDS)[number];

/** 借调 (borrowing by a department) or 挂职锻炼 (a development posting, 银川 (十一)). */
export const SECONDMENT_KINDS = ['借调', '挂职锻炼'] as const;
export type TSecondmentKind = (typeof SECONDMENT_KINDS)[number];

// Controlled vocabularies of the registry. Values are the Chinese terms the documents use, so
// that an Excel cell, an API payload and a policy pack all speak the same words.

export const ROLES = [
  'system-admin',
  'civil-affairs-admin',
  'street-admin',
  'community-secretary',
  'worker',
  // 等保 2.0 separation of duties (三员分立): accounts and lockouts; the audit log only.
  'security-admin',
  'audit-admin',
] as const;
export type TRole = (typeof ROLES)[number];
export const ROLE_LABELS: Record<TRole, string> = {
  'system-admin': '系统管理员',
  'civil-affairs-admin': '民政管理员',
  'street-admin': '街道管理员',
  'community-secretary': '社区书记',
  worker: '社区工作者',
  'security-admin': '安全管理员',
  'audit-admin': '审计管理员',
};

/**
 * 三员分立 (GB/T 22239-2019 8.1.4.2 c): the three administrators. Their accounts are made and
 * kept on the host (`shegong user add`); no one grants these roles, or changes an account that
 * holds one, through the web or the API.
 */
export const ADMIN_ROLES = [
  'system-admin',
  'security-admin',
  'audit-admin',
] as const satisfies readonly TRole[];
export const isAdminRole = (role: string): boolean =>
  (ADMIN_ROLES as readonly string[]).includes(role);

export const ORG_LEVELS = [
  'country',
  'province',
  'city',
  'county',
  'street',
  'community',
  'grid',
] as const;
export type TOrgLevel = (typeof ORG_LEVELS)[number];
export const ORG_LEVEL_LABELS: Record<TOrgLevel, string> = {
  country: '全国',
  province: '省级',
  city: '市级',
  county: '县级',
  street: '街道',
  community: '社区',
  grid: '网格',
};

export const EDUCATION_LEVELS = ['高中及以下', '中专', '大专', '本科', '硕士', '博士'] as const;
export type TEducationLevel = (typeof EDUCATION_LEVELS)[number];

export const CERTIFICATE_LEVELS = ['无', '助理社会工作师', '社会工作师', '高级社会工作师'] as const;
export type TCertificateLevel = (typeof CERTIFICATE_LEVELS)[number];

export const POLITICAL_STATUSES = [
  '中共党员',
  '中共预备党员',
  '共青团员',
  '民主党派',
  '群众',
] as const;
export type TPoliticalStatus = (typeof POLITICAL_STATUSES)[number];

/** Titles a person holds in a community; the governing pack maps each title to its post category. */
export const POST_TITLES = [
  '书记兼主任',
  '党组织书记',
  '居委会主任',
  '副书记',
  '副主任',
  '委员',
  '党建专干',
  '专职工作人员',
  '网格员',
] as const;
export type TPostTitle = (typeof POST_TITLES)[number];

export const WORKER_STATUSES = ['在岗', '试用期', '借调', '已退出'] as const;
export type TWorkerStatus = (typeof WORKER_STATUSES)[number];

export const SEXES = ['男', '女'] as const;
export type TSex = (typeof SEXES)[number];

export const ASSESSMENT_GRADES = ['优秀', '合格', '基本合格', '不合格'] as const;
export type TAssessmentGrade = (typeof ASSESSMENT_GRADES)[number];

export const COMMUNITY_KINDS = ['城市社区', '农村社区', '商住社区', '老旧社区'] as const;
export type TCommunityKind = (typeof COMMUNITY_KINDS)[number];

import { z } from 'zod';
import {
  ASSESSMENT_GRADES,
  CERTIFICATE_LEVELS,
  COMMUNITY_KINDS,
  EDUCATION_LEVELS,
  POLITICAL_STATUSES,
  POST_TITLES,
  WORKER_STATUSES,
} from '../vocab.ts';

// Excel import and export: the kinds of file, their columns (Chinese headers with the variants
// real 花名册 use), and the shapes of a batch's report. The server parses cells into the same
// objects the API takes and validates them with the same schemas (ZCreateWorker, ZOrgFact, …).

export const IMPORT_KINDS = [
  'workers',
  'communities',
  'grids',
  'assessments',
  'trainings',
] as const;
export type TImportKind = (typeof IMPORT_KINDS)[number];
export const ZImportKind = z.enum(IMPORT_KINDS, {
  error: `导入类型应为：${IMPORT_KINDS.join('、')}`,
});

export const IMPORT_KIND_LABELS: Record<TImportKind, string> = {
  workers: '社区工作者花名册',
  communities: '社区户数与人口',
  grids: '网格',
  assessments: '年度考核结果',
  trainings: '培训记录',
};

/** How a cell is read: the parser turns the cell into the value the schema expects. */
export type TCellType =
  | 'text'
  | 'name'
  | 'date'
  | 'int'
  | 'number'
  | 'bool'
  | 'enum'
  | 'id-number'
  | 'phone'
  | 'code'
  | 'year';

export type TImportColumn = {
  /** Field of the schema (or a lookup such as communityName). */
  field: string;
  /** Header of the template. */
  header: string;
  /** Other headers meaning the same column in real files. */
  synonyms: readonly string[];
  type: TCellType;
  /** A file without this column cannot be imported (new records need it). */
  required: boolean;
  values?: readonly string[];
  example: string | number;
  /** A line of help for the template's note row. */
  note?: string;
};

const col = (
  field: string,
  header: string,
  type: TCellType,
  example: string | number,
  options: Partial<Pick<TImportColumn, 'synonyms' | 'required' | 'values' | 'note'>> = {},
): TImportColumn => ({
  field,
  header,
  type,
  example,
  synonyms: options.synonyms ?? [],
  required: options.required ?? false,
  ...(options.values ? { values: options.values } : {}),
  ...(options.note ? { note: options.note } : {}),
});

const ID_NUMBER_SYNONYMS = ['身份证号码', '公民身份号码', '身份证', '证件号码', '身份证件号码'];

const personColumns = [
  col('idNumber', '身份证号', 'id-number', '640104198801150022', {
    synonyms: ID_NUMBER_SYNONYMS,
    required: true,
    note: '18位，请设置为文本格式',
  }),
  col('name', '姓名', 'name', '王小明', { synonyms: ['名字', '人员姓名'], required: true }),
];

export type TImportKindSpec = {
  label: string;
  columns: readonly TImportColumn[];
  /** Headers recognised and deliberately not read (derived or informative columns). */
  ignored: readonly string[];
  /** What identifies a row's record (for messages and the template's note). */
  keyLabel: string;
};

export const IMPORT_SPECS: Record<TImportKind, TImportKindSpec> = {
  workers: {
    label: IMPORT_KIND_LABELS.workers,
    keyLabel: '身份证号',
    columns: [
      col('name', '姓名', 'name', '王小明', {
        synonyms: ['名字', '人员姓名', '职工姓名'],
        required: true,
      }),
      personColumns[0]!,
      col('phone', '手机号', 'phone', '13912345678', {
        synonyms: ['手机号码', '联系电话', '电话', '手机', '联系方式'],
      }),
      col('ethnicity', '民族', 'text', '汉族'),
      col('politicalStatus', '政治面貌', 'enum', '中共党员', { values: POLITICAL_STATUSES }),
      col('educationLevel', '学历', 'enum', '本科', {
        synonyms: ['文化程度', '最高学历'],
        values: EDUCATION_LEVELS,
        required: true,
      }),
      col('educationMajor', '所学专业', 'text', '社会工作', { synonyms: ['专业'] }),
      col('educationRecognised', '国家承认学历', 'bool', '是', {
        synonyms: ['学历是否国家承认', '国民教育学历'],
        values: ['是', '否'],
      }),
      col('certificateLevel', '社工证等级', 'enum', '助理社会工作师', {
        synonyms: ['职业水平证书', '社会工作者职业水平证书', '社工证', '持证情况'],
        values: CERTIFICATE_LEVELS,
      }),
      col('certificateDate', '取证日期', 'date', '2021-06-20', {
        synonyms: ['取证时间', '发证日期'],
      }),
      col('veteran', '退役军人', 'bool', '否', {
        synonyms: ['是否退役军人'],
        values: ['是', '否'],
      }),
      col('livesInCommunity', '居住在本社区', 'bool', '是', {
        synonyms: ['是否本社区居民', '本社区居民'],
        values: ['是', '否'],
      }),
      col('serviceStartedOn', '参加社区工作时间', 'date', '2019-03-01', {
        synonyms: [
          '从事社区工作时间',
          '开始从事社区工作',
          '参加社区工作日期',
          '社区工作起始时间',
          '参加工作时间',
        ],
        required: true,
      }),
      col('status', '状态', 'enum', '在岗', {
        synonyms: ['在岗状态', '人员状态'],
        values: WORKER_STATUSES,
      }),
      col('communityCode', '社区代码', 'code', '640104001001', {
        synonyms: ['社区编码', '所在社区代码'],
        note: '12位统计用区划代码；也可只填“社区”名称',
      }),
      col('communityName', '社区', 'text', '', {
        synonyms: ['所在社区', '社区名称', '所属社区'],
      }),
      col('streetName', '街道', 'text', '', {
        synonyms: ['所属街道', '街道名称', '所在街道', '街道（乡镇）', '乡镇（街道）'],
      }),
      col('gridCode', '网格代码', 'code', '', { synonyms: ['网格编码'] }),
      col('gridName', '网格', 'text', '', { synonyms: ['所在网格', '网格名称'] }),
      col('postTitle', '职务', 'enum', '网格员', {
        synonyms: ['岗位', '现任职务', '职务（岗位）'],
        values: POST_TITLES,
        required: true,
      }),
      col('hiredOn', '入职日期', 'date', '2019-03-01', { synonyms: ['聘用日期', '入职时间'] }),
      col('probationUntil', '试用期截止日期', 'date', '', {
        synonyms: ['试用期满日期', '试用期至'],
      }),
    ],
    ignored: [
      '序号',
      '编号',
      '出生日期',
      '出生年月',
      '性别',
      '年龄',
      '社区工作年限',
      '工作年限',
      '岗位类别',
      '县（市、区）',
      '县区',
      '区县',
      '退出日期',
      '备注',
    ],
  },
  communities: {
    label: IMPORT_KIND_LABELS.communities,
    keyLabel: '社区代码',
    columns: [
      col('code', '社区代码', 'code', '640104001001', {
        synonyms: ['社区编码', '统计用区划代码', '区划代码', '代码'],
        required: true,
      }),
      col('name', '社区名称', 'text', '丽景社区', {
        synonyms: ['社区'],
        note: '新社区必填；已有社区填写不同名称即更名',
      }),
      col('parentCode', '所属街道代码', 'code', '640104001000', {
        synonyms: ['街道代码', '街道编码'],
        note: '可不填：由社区代码推算',
      }),
      col('effectiveFrom', '统计日期', 'date', '2025-12-31', {
        synonyms: ['统计时间', '数据日期', '截止日期'],
      }),
      col('householdsRegistered', '户籍户数', 'int', 3100),
      col('householdsResident', '常住户数', 'int', 3300, { synonyms: ['户数', '实有户数'] }),
      col('population', '常住人口', 'int', 8200, { synonyms: ['人口', '人口数', '实有人口'] }),
      col('kind', '社区类型', 'enum', '城市社区', { synonyms: ['类型'], values: COMMUNITY_KINDS }),
      col('starRating', '党组织星级', 'int', 4, { synonyms: ['星级'] }),
      col('note', '备注', 'text', ''),
    ],
    ignored: ['序号', '街道', '所属街道', '街道名称', '县（市、区）', '县区', '区县'],
  },
  grids: {
    label: IMPORT_KIND_LABELS.grids,
    keyLabel: '网格代码',
    columns: [
      col('code', '网格代码', 'code', '640104001001001', {
        synonyms: ['网格编码', '代码'],
        required: true,
      }),
      col('name', '网格名称', 'text', '第一网格', {
        synonyms: ['网格'],
        note: '新网格必填',
      }),
      col('parentCode', '所属社区代码', 'code', '640104001001', {
        synonyms: ['社区代码', '社区编码'],
        note: '可不填：由网格代码推算',
      }),
      col('effectiveFrom', '统计日期', 'date', '2025-12-31', {
        synonyms: ['统计时间', '数据日期', '截止日期'],
      }),
      col('householdsResident', '户数', 'int', 320, { synonyms: ['常住户数', '网格户数'] }),
      col('population', '人口', 'int', 850, { synonyms: ['常住人口'] }),
      col('gridSatisfaction', '群众满意度', 'int', 95, { synonyms: ['满意度'] }),
      col('note', '备注', 'text', ''),
    ],
    ignored: ['序号', '社区', '社区名称', '所属社区', '街道'],
  },
  assessments: {
    label: IMPORT_KIND_LABELS.assessments,
    keyLabel: '身份证号 + 考核年度',
    columns: [
      ...personColumns,
      col('year', '考核年度', 'year', 2025, { synonyms: ['年度', '考核年份'], required: true }),
      col('grade', '考核等次', 'enum', '优秀', {
        synonyms: ['考核结果', '等次', '考核等级'],
        values: ASSESSMENT_GRADES,
        required: true,
      }),
      col('startOn', '评定日期', 'date', '2025-12-31', {
        synonyms: ['考核日期'],
        note: '可不填：取考核年度的12月31日',
      }),
      col('note', '备注', 'text', ''),
    ],
    ignored: ['序号', '社区', '街道', '职务', '性别'],
  },
  trainings: {
    label: IMPORT_KIND_LABELS.trainings,
    keyLabel: '身份证号 + 培训名称 + 开始日期',
    columns: [
      ...personColumns,
      col('course', '培训名称', 'text', '社区治理能力提升培训', {
        synonyms: ['培训项目', '培训内容', '课程名称', '培训班名称'],
        required: true,
      }),
      col('startOn', '开始日期', 'date', '2025-05-12', {
        synonyms: ['培训开始日期', '培训日期', '培训时间'],
        required: true,
      }),
      col('endOn', '结束日期', 'date', '2025-05-14', { synonyms: ['培训结束日期'] }),
      col('hours', '学时', 'number', 24, { synonyms: ['培训学时'], required: true }),
      col('days', '天数', 'number', 3, { synonyms: ['培训天数'] }),
      col('passed', '是否合格', 'bool', '是', {
        synonyms: ['考核结果', '结业'],
        values: ['是', '否'],
      }),
    ],
    ignored: ['序号', '社区', '街道', '职务', '性别', '培训机构', '备注'],
  },
};

/** What to do with invalid rows at commit: skip them, or write nothing while any row is wrong. */
export const IMPORT_ON_ERROR = ['skip', 'stop'] as const;
export type TImportOnError = (typeof IMPORT_ON_ERROR)[number];
export const ZImportCommit = z.object({
  onError: z.enum(IMPORT_ON_ERROR, {
    error: '请选择：跳过有误的行（skip）或有错误则全部不导入（stop）',
  }),
});
export type TImportCommit = z.input<typeof ZImportCommit>;

export const IMPORT_BATCH_STATUSES = [
  'checking',
  'checked',
  'committing',
  'committed',
  'rejected',
  'failed',
] as const;
export type TImportBatchStatus = (typeof IMPORT_BATCH_STATUSES)[number];
export const IMPORT_BATCH_STATUS_LABELS: Record<TImportBatchStatus, string> = {
  checking: '检查中',
  checked: '已检查（未导入）',
  committing: '导入中',
  committed: '已导入',
  rejected: '有错误，未导入',
  failed: '失败',
};

/** One problem of a file: where it is and, in Chinese, what is wrong. */
export type TImportIssue = {
  severity: 'error' | 'warning';
  sheet: string;
  /** 1-based row of the sheet (as Excel numbers it); 0 for the file as a whole. */
  row: number;
  /** The column's header as written in the file, and its letter. */
  column: string | null;
  columnLetter: string | null;
  field: string | null;
  message: string;
};

export type TImportCounts = {
  rows: number;
  valid: number;
  invalid: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
};

export type TImportBatchView = {
  id: string;
  kind: TImportKind;
  kindLabel: string;
  fileName: string;
  fileSize: number;
  status: TImportBatchStatus;
  onError: TImportOnError | null;
  counts: TImportCounts;
  errorCount: number;
  warningCount: number;
  createdBy: string;
  createdAt: string;
  committedAt: string | null;
  jobId: string | null;
};

export const ZImportIssuesQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// Export ------------------------------------------------------------------------------------

/** Columns of the roster export, in order; headers match the import's so a file goes back in. */
export const ROSTER_EXPORT_COLUMNS = [
  { key: 'name', header: '姓名' },
  { key: 'sex', header: '性别' },
  { key: 'birthDate', header: '出生日期' },
  { key: 'idNumber', header: '身份证号' },
  { key: 'phone', header: '手机号' },
  { key: 'ethnicity', header: '民族' },
  { key: 'politicalStatus', header: '政治面貌' },
  { key: 'educationLevel', header: '学历' },
  { key: 'educationMajor', header: '所学专业' },
  { key: 'educationRecognised', header: '国家承认学历' },
  { key: 'certificateLevel', header: '社工证等级' },
  { key: 'certificateDate', header: '取证日期' },
  { key: 'veteran', header: '退役军人' },
  { key: 'livesInCommunity', header: '居住在本社区' },
  { key: 'serviceStartedOn', header: '参加社区工作时间' },
  { key: 'status', header: '状态' },
  { key: 'countyName', header: '县（市、区）' },
  { key: 'streetName', header: '街道' },
  { key: 'communityName', header: '社区' },
  { key: 'communityCode', header: '社区代码' },
  { key: 'gridCode', header: '网格代码' },
  { key: 'postTitle', header: '职务' },
  { key: 'hiredOn', header: '入职日期' },
  { key: 'probationUntil', header: '试用期截止日期' },
  { key: 'exitedOn', header: '退出日期' },
  { key: 'monthlyPayFen', header: '月薪酬（元）' },
] as const;
export type TRosterColumnKey = (typeof ROSTER_EXPORT_COLUMNS)[number]['key'];
const ROSTER_KEYS = ROSTER_EXPORT_COLUMNS.map((c) => c.key) as [
  TRosterColumnKey,
  ...TRosterColumnKey[],
];

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type TExportFormat = (typeof EXPORT_FORMATS)[number];

export const ZRosterExport = z.object({
  /** Any node of the tree in the caller's scope (default: the whole scope). */
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
  status: z.enum(WORKER_STATUSES, { error: `状态应为：${WORKER_STATUSES.join('、')}` }).optional(),
  columns: z
    .array(z.enum(ROSTER_KEYS, { error: '导出列不存在' }))
    .min(1, '请至少选择一列')
    .default(ROSTER_KEYS.filter((k) => k !== 'monthlyPayFen')),
  format: z.enum(EXPORT_FORMATS, { error: '格式应为 xlsx 或 csv' }).default('xlsx'),
});
export type TRosterExport = z.input<typeof ZRosterExport>;

export const ZStaffingExport = z.object({
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
  /** The date the quota is computed for (default today). */
  onDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
  format: z.enum(EXPORT_FORMATS, { error: '格式应为 xlsx 或 csv' }).default('xlsx'),
});
export type TStaffingExport = z.input<typeof ZStaffingExport>;

export const EXPORT_KINDS = ['roster', 'staffing'] as const;
export type TExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_KIND_LABELS: Record<TExportKind, string> = {
  roster: '社区工作者花名册',
  staffing: '社区工作者配备明细表',
};

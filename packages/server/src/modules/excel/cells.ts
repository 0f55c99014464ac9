import type { TCellType } from '@shegong/shared';

// Cells of real spreadsheets into the values the shared schemas take. Each parser returns the
// value, `undefined` for an empty cell, or a Chinese message; it never guesses a lost digit.

/** A cell as read from a file, before any interpretation. */
export type TRawCell =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; date: Date }
  | { kind: 'bool'; value: boolean }
  | { kind: 'error'; text: string };

export type TParsed<T = unknown> =
  | { ok: true; value: T | undefined }
  | { ok: false; message: string };

/** The empty cell (one object, shared). */
export const EMPTY_CELL: TRawCell = { kind: 'empty' };
const EMPTY = EMPTY_CELL;
const ok = <T>(value: T | undefined): TParsed<T> => ({ ok: true, value });
const fail = (message: string): TParsed<never> => ({ ok: false, message });

/** An ExcelJS cell value (plain, rich text, formula, hyperlink, date) as a raw cell. */
export const rawCellOf = (value: unknown): TRawCell => {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') return value.trim() === '' ? EMPTY : { kind: 'text', text: value };
  if (typeof value === 'number') return Number.isFinite(value) ? { kind: 'number', value } : EMPTY;
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (value instanceof Date) return { kind: 'date', date: value };
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return rawCellOf((v.richText as { text: string }[]).map((r) => r.text).join(''));
    }
    if ('result' in v) return rawCellOf(v.result);
    if ('formula' in v || 'sharedFormula' in v) return EMPTY;
    if ('error' in v) return { kind: 'error', text: String(v.error) };
    if ('text' in v) return rawCellOf(v.text);
  }
  return { kind: 'text', text: String(value) };
};

const FULL_WIDTH_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g;

/** Full-width digits and Latin letters to ASCII, the ideographic space to a space; Chinese
 * punctuation is left alone (free text keeps its 全角 brackets). */
export const halfWidthAlnum = (s: string): string =>
  s
    .replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u3000\u00a0\u2002-\u200b\ufeff]/g, ' ');

/** What `cleanText` would change: full-width letters and digits, whitespace other than a
 * space, two spaces, a space at either end. Most cells have none of it. */
const NEEDS_CLEANING = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u200b]|[^\S ]| {2}|^ | $/;

/** Free text: half-width digits and letters, trimmed, runs of spaces as one. */
export const cleanText = (s: string): string =>
  !NEEDS_CLEANING.test(s)
    ? s
    : halfWidthAlnum(s)
        .replace(/[\t\r\n]+/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim();

/** Printable ASCII without space, apostrophe or equals sign: what `compact` leaves as it is. */
const COMPACT_ALREADY = /^[\x21-\x26\x28-\x3c\x3e-\x7e]*$/;

/** Text for codes, dates and numbers: NFKC (every full-width form) without any space. */
const compact = (s: string): string =>
  COMPACT_ALREADY.test(s)
    ? s
    : s
        .normalize('NFKC')
        .replace(/[\s\u200b\ufeff]/g, '')
        // A leading apostrophe or an Excel text formula ="…" keeps digits as text in some files.
        .replace(/^'/, '')
        .replace(/^="(.*)"$/, '$1');

/** The text of a cell, whatever its kind (numbers as written, dates as ISO). */
export const cellText = (cell: TRawCell): string => {
  switch (cell.kind) {
    case 'empty':
      return '';
    case 'text':
    case 'error':
      return cell.text;
    case 'number':
      return String(cell.value);
    case 'date':
      return isoOfDate(cell.date);
    case 'bool':
      return cell.value ? '是' : '否';
  }
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const isoOfDate = (d: Date): string => {
  // ExcelJS gives dates at UTC midnight (plus the time of day, if any): read the UTC parts,
  // after rounding to the nearest minute (serials carry float noise).
  const t = new Date(Math.round(d.getTime() / 60_000) * 60_000);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
};

const realDate = (y: number, m: number, d: number): string | undefined => {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
};

/** An Excel serial day number (1900 system, with its phantom 1900-02-29) as an ISO date. */
export const serialToIso = (serial: number): string | undefined => {
  if (!(serial >= 1 && serial < 2_958_466)) return undefined;
  const days = Math.floor(serial + 1e-7);
  // Serial 60 is the 1900-02-29 that never was; after it, day n is n-1 days after 1899-12-31.
  const ms = Date.UTC(1899, 11, 30) + (days < 60 ? days + 1 : days) * 86_400_000;
  return isoOfDate(new Date(ms));
};

const DATE_HINT = '日期格式应为 2019-03-01、2019/3/1、2019.03 或 2019年3月';

/** A date from any of the forms real files use; a month alone means its first day. */
export const parseDate = (cell: TRawCell): TParsed<string> => {
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'date': {
      const iso = isoOfDate(cell.date);
      return Number(iso.slice(0, 4)) < 1900 ? fail(`日期 ${iso} 无效`) : ok(iso);
    }
    case 'number':
      return parseDateNumber(cell.value);
    case 'bool':
    case 'error':
      return fail(DATE_HINT);
    case 'text':
      return parseDateText(compact(cell.text));
  }
};

const parseDateNumber = (n: number): TParsed<string> => {
  // 2019.03 typed into a General cell is the number 2019.03; 2019.1 could be January or
  // October (2019.10 loses its zero), so it is refused rather than guessed.
  if (n >= 1900 && n < 2101 && !Number.isInteger(n)) {
    const [y, frac = ''] = String(n).split('.');
    if (frac.length === 1 && frac === '1') {
      return fail(
        `日期 ${n} 有歧义（${y}年1月还是10月？）：请写成 ${y}-01 或 ${y}-10，或将该列设为文本格式`,
      );
    }
    const month = Number(frac.length === 1 ? frac : frac.slice(0, 2));
    const iso = frac.length <= 2 ? realDate(Number(y), month, 1) : undefined;
    return iso ? ok(iso) : fail(`日期 ${n} 无效：${DATE_HINT}`);
  }
  if (Number.isInteger(n) && n >= 1900 && n < 2101) {
    return fail(`日期只有年份 ${n}：请填写到月或日`);
  }
  if (Number.isInteger(n) && n >= 19_000_101 && n <= 21_001_231) {
    const s = String(n);
    const iso = realDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8)));
    return iso ? ok(iso) : fail(`日期 ${n} 不存在`);
  }
  const iso = serialToIso(n);
  return iso ? ok(iso) : fail(`日期 ${n} 无效：${DATE_HINT}`);
};

const parseDateText = (s: string): TParsed<string> => {
  if (s === '') return ok(undefined);
  let m = s.match(
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/,
  );
  if (m) {
    const iso = realDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso ? ok(iso) : fail(`日期 ${s} 不存在`);
  }
  m = s.match(/^(\d{4})[-/.年](\d{1,2})月?(?:份)?$/);
  if (m) {
    if (s.includes('.') && m[2] === '1') {
      return fail(`日期 ${s} 有歧义（1月还是10月？）：请写成 ${m[1]}-01 或 ${m[1]}-10`);
    }
    const iso = realDate(Number(m[1]), Number(m[2]), 1);
    return iso ? ok(iso) : fail(`日期 ${s} 不存在`);
  }
  m = s.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (m) {
    const iso = realDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso ? ok(iso) : fail(`日期 ${s} 不存在`);
  }
  m = s.match(/^(\d{4})(\d{2})$/);
  if (m) {
    const iso = realDate(Number(m[1]), Number(m[2]), 1);
    return iso ? ok(iso) : fail(`日期 ${s} 不存在`);
  }
  // M/D/YYYY: how a US-locale export shows a date.
  m = s.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (m) {
    const iso = realDate(Number(m[3]), Number(m[1]), Number(m[2]));
    return iso ? ok(iso) : fail(`日期 ${s} 不存在`);
  }
  // A serial number kept as text.
  if (/^\d{4,5}(\.\d+)?$/.test(s)) return parseDateNumber(Number(s));
  return fail(`无法识别的日期“${s}”：${DATE_HINT}`);
};

const UNIT_SUFFIX = /(户|人|个|名|学时|课时|小时|天|日|星|分|元|年度|年)$/;

const parseNumberText = (s: string): number | undefined => {
  const t = compact(s).replace(/,/g, '').replace(UNIT_SUFFIX, '');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
};

/** A number; text with thousands separators or a unit (3,100户) is accepted. */
export const parseNumber = (cell: TRawCell): TParsed<number> => {
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'number':
      return ok(cell.value);
    case 'text': {
      const n = parseNumberText(cell.text);
      return n === undefined ? fail(`“${cleanText(cell.text)}”不是数字`) : ok(n);
    }
    default:
      return fail('应为数字');
  }
};

export const parseInteger = (cell: TRawCell): TParsed<number> => {
  const n = parseNumber(cell);
  if (!n.ok || n.value === undefined) return n;
  // Float noise of a computed cell (3100.0000000001) is not a fraction a user typed.
  const rounded = Math.round(n.value);
  return Math.abs(rounded - n.value) < 1e-6 ? ok(rounded) : fail(`${n.value} 不是整数`);
};

const TRUE_WORDS = new Set([
  '是',
  'Y',
  'YES',
  'TRUE',
  '1',
  '√',
  '✓',
  '✔',
  '有',
  '合格',
  '通过',
  '结业',
]);
const FALSE_WORDS = new Set([
  '否',
  'N',
  'NO',
  'FALSE',
  '0',
  '×',
  '✗',
  '✘',
  '无',
  '不合格',
  '未通过',
  '未结业',
]);

export const parseBool = (cell: TRawCell): TParsed<boolean> => {
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'bool':
      return ok(cell.value);
    case 'number':
      return cell.value === 1 ? ok(true) : cell.value === 0 ? ok(false) : fail('应填写“是”或“否”');
    case 'text': {
      const t = compact(cell.text).toUpperCase();
      if (TRUE_WORDS.has(t)) return ok(true);
      if (FALSE_WORDS.has(t)) return ok(false);
      return fail(`“${cleanText(cell.text)}”应填写“是”或“否”`);
    }
    default:
      return fail('应填写“是”或“否”');
  }
};

/**
 * A 身份证号. A number cell cannot hold one: Excel keeps 15 significant digits, so the last
 * digits are already gone (and an X check character cannot be a number at all). That is
 * reported, never repaired.
 */
export const parseIdNumber = (cell: TRawCell): TParsed<string> => {
  const lost =
    '身份证号被保存为数字，Excel 只保留15位有效数字，末几位已丢失：请将该列设为文本格式后重新填写';
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'number':
      return cell.value >= 1e15 ? fail(lost) : ok(String(cell.value));
    case 'text': {
      const t = compact(cell.text).toUpperCase();
      if (/^\d(\.\d+)?E\+?\d+$/.test(t)) return fail(lost);
      return ok(t);
    }
    default:
      return fail('请填写身份证号');
  }
};

export const parsePhone = (cell: TRawCell): TParsed<string> => {
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'number':
      return ok(String(cell.value));
    case 'text': {
      const t = compact(cell.text)
        .replace(/[-()（）]/g, '')
        .replace(/^\+?86(?=1\d{10}$)/, '');
      return ok(t);
    }
    default:
      return fail('请填写手机号');
  }
};

/** A division code: digits only; a number cell is exact up to 15 digits. */
export const parseCode = (cell: TRawCell): TParsed<string> => {
  switch (cell.kind) {
    case 'empty':
      return ok(undefined);
    case 'number':
      return Number.isInteger(cell.value) && cell.value < 1e16
        ? ok(String(cell.value))
        : fail('代码应为数字');
    case 'text':
      return ok(compact(cell.text));
    default:
      return fail('代码应为数字');
  }
};

/** A personal name: spaces put in to align two-character names (王  明) are removed. */
export const parseName = (cell: TRawCell): TParsed<string> => {
  if (cell.kind === 'empty') return ok(undefined);
  const t = cleanText(cellText(cell));
  return ok(/^[\p{Script=Han}\s]+$/u.test(t) ? t.replace(/\s+/g, '') : t);
};

export const parseYear = (cell: TRawCell): TParsed<number> => {
  const n = parseInteger(cell);
  if (!n.ok || n.value === undefined) return n;
  return n.value >= 1990 && n.value <= 2100 ? n : fail(`年度 ${n.value} 无效`);
};

/** Words of real files for the registry's vocabularies (政治面貌 党员 → 中共党员, …). */
const ENUM_ALIASES: Record<string, string> = {
  党员: '中共党员',
  共产党员: '中共党员',
  中国共产党党员: '中共党员',
  预备党员: '中共预备党员',
  团员: '共青团员',
  共青团: '共青团员',
  大学本科: '本科',
  本科学历: '本科',
  大学专科: '大专',
  专科: '大专',
  高职: '大专',
  研究生: '硕士',
  硕士研究生: '硕士',
  博士研究生: '博士',
  高中: '高中及以下',
  初中: '高中及以下',
  初中及以下: '高中及以下',
  职高: '中专',
  技校: '中专',
  助理社工师: '助理社会工作师',
  初级: '助理社会工作师',
  社工师: '社会工作师',
  中级: '社会工作师',
  高级社工师: '高级社会工作师',
  高级: '高级社会工作师',
  未取得: '无',
  未持证: '无',
  无证: '无',
  社区书记: '党组织书记',
  党委书记: '党组织书记',
  党总支书记: '党组织书记',
  党支部书记: '党组织书记',
  书记: '党组织书记',
  主任: '居委会主任',
  社区主任: '居委会主任',
  '书记、主任': '书记兼主任',
  '书记,主任': '书记兼主任',
  书记主任: '书记兼主任',
  '书记/主任': '书记兼主任',
  社区专职工作者: '专职工作人员',
  专职社区工作者: '专职工作人员',
  在职: '在岗',
  离职: '已退出',
  辞职: '已退出',
  城镇社区: '城市社区',
};

/** A word of a vocabulary; an unknown word is passed on for the schema to refuse in its terms. */
export const parseEnum = (cell: TRawCell, values: readonly string[] = []): TParsed<string> => {
  if (cell.kind === 'empty') return ok(undefined);
  const t = cleanText(cellText(cell)).replace(/\s+/g, '');
  if (values.includes(t)) return ok(t);
  const alias = ENUM_ALIASES[t] ?? ENUM_ALIASES[t.normalize('NFKC')];
  return ok(alias && values.includes(alias) ? alias : t);
};

/** Parses a cell by the column's type. */
export const parseCell = (type: TCellType, cell: TRawCell, values?: readonly string[]): TParsed => {
  switch (type) {
    case 'text': {
      if (cell.kind === 'empty') return ok(undefined);
      const t = cleanText(cellText(cell));
      return ok(t === '' ? undefined : t);
    }
    case 'name':
      return parseName(cell);
    case 'date':
      return parseDate(cell);
    case 'int':
      return parseInteger(cell);
    case 'number':
      return parseNumber(cell);
    case 'bool':
      return parseBool(cell);
    case 'enum':
      return parseEnum(cell, values);
    case 'id-number':
      return parseIdNumber(cell);
    case 'phone':
      return parsePhone(cell);
    case 'code':
      return parseCode(cell);
    case 'year':
      return parseYear(cell);
  }
};

/** A header as compared: every full-width form folded, no spaces, no required-marks. */
export const normalizeHeader = (s: string): string =>
  s
    .normalize('NFKC')
    .replace(/[\s*※:：]/g, '')
    .toLowerCase();

/** Column letter of a 1-based column index (1 → A, 27 → AA). */
export const columnLetter = (index: number): string => {
  let n = index;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};

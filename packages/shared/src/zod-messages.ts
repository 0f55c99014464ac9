import { z } from 'zod';

// Zod's own messages are English ("Invalid input: expected string, received undefined") and
// reach users twice: under form fields (validateWith) and in the server's 422 answers. Schemas
// that name their message keep it; every other issue gets a plain Chinese sentence here. zod's
// zh-CN locale is the fallback, but its sentences keep type names ("期望 string") and symbols.

const TYPE_NAMES: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '是或否',
  date: '日期',
  array: '列表',
  object: '对象',
};

const zhFallback = z.locales.zhCN().localeError as (issue: z.core.$ZodRawIssue) => string;

/** The Chinese message of a zod issue that has no message of its own. */
export const zodMessageZh = (issue: z.core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return '必填';
      return `应为${TYPE_NAMES[issue.expected] ?? '有效的值'}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n <= 1 ? '不能为空' : `至少 ${n} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `至少 ${n} 项`;
      return issue.inclusive ? `不能小于 ${n}` : `须大于 ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `至多 ${n} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `至多 ${n} 项`;
      return issue.inclusive ? `不能大于 ${n}` : `须小于 ${n}`;
    }
    case 'invalid_value':
      return `须为以下之一：${issue.values.map(String).join('、')}`;
    case 'invalid_format':
      if (issue.format === 'date') return '日期格式应为 YYYY-MM-DD';
      if (issue.format === 'uuid' || issue.format === 'guid') return '编号格式不正确';
      return '格式不正确';
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}`;
    default:
      return zhFallback(issue);
  }
};

z.config({ localeError: zodMessageZh as z.core.$ZodErrorMap });

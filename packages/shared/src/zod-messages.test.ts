import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import './index.ts';

const messages = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => i.message);

describe('zod messages in Chinese', () => {
  it('says a missing field is required instead of "Invalid input: expected string"', () => {
    expect(messages(z.object({ oldPassword: z.string() }), {})).toEqual(['必填']);
  });

  it('names the expected kind of value, lengths and bounds in Chinese', () => {
    const schema = z.object({
      name: z.string().min(1),
      note: z.string().max(5),
      age: z.number().int().min(18),
      kind: z.enum(['a', 'b']),
      on: z.iso.date(),
      n: z.number(),
    });
    expect(
      messages(schema, {
        name: '',
        note: '太长了太长了',
        age: 3,
        kind: 'c',
        on: '2024/1/1',
        n: 'x',
      }),
    ).toEqual([
      '不能为空',
      '至多 5 个字符',
      '不能小于 18',
      '须为以下之一：a、b',
      '日期格式应为 YYYY-MM-DD',
      '应为数字',
    ]);
  });

  it('keeps a message a schema gives', () => {
    expect(messages(z.string().min(1, '请填写姓名'), '')).toEqual(['请填写姓名']);
  });

  it('leaves no English in any message', () => {
    const schema = z.object({ a: z.string(), b: z.array(z.number()).min(2), c: z.uuid() });
    for (const m of messages(schema, { a: 1, b: [1], c: 'x' }) ?? []) {
      expect(m).not.toMatch(/[A-Za-z]{3,}/);
    }
  });
});

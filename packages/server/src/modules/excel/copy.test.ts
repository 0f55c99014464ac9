import { describe, expect, it } from 'vitest';
import { textLine } from './copy.ts';

// COPY's text format (PostgreSQL, COPY "Text Format"): backslash, tab, line feed and carriage
// return inside a value are written as \\, \t, \n and \r; \N is null.
describe('textLine', () => {
  it('escapes a value’s backslashes, and with them its tabs and line breaks', () => {
    expect(textLine(['a', null, 1, true])).toBe('a\t\\N\t1\tt\n');
    // A snapshot document's row (JSON text inside JSON): backslashes only.
    const json = JSON.stringify(JSON.stringify(['张三', 'a\\b']));
    expect(json).toBe('"[\\"张三\\",\\"a\\\\\\\\b\\"]"');
    expect(textLine([json])).toBe('"[\\\\"张三\\\\",\\\\"a\\\\\\\\\\\\\\\\b\\\\"]"\n');
    expect(textLine(['a\\b\tc\nd\re'])).toBe('a\\\\b\\tc\\nd\\re\n');
  });
});

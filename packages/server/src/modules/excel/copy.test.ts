import { describe, expect, it } from 'vitest';
import { CopyLines, rawLine, textLine } from './copy.ts';

describe('COPY lines', () => {
  // COPY's text format (PostgreSQL, COPY "Text Format"): backslash, tab, line feed and carriage
  // return inside a value are written as \\, \t, \n and \r; \N is null.
  it('textLine escapes backslashes, tabs and line breaks', () => {
    expect(textLine(['a', null, 1, true])).toBe('a\t\\N\t1\tt\n');
    expect(textLine(['a\\b\tc\nd\re'])).toBe('a\\\\b\\tc\\nd\\re\n');
  });

  // COPY's CSV format with DELIMITER tab and QUOTE U+0001 (copyRaw): an unquoted empty value is
  // null, a quoted one an empty string; a value holding the delimiter, a line break or the
  // quote is quoted, the quote doubled; everything else, backslashes too, as it is.
  it('rawLine leaves JSON text as it is and quotes only what CSV must', () => {
    const json = JSON.stringify({ rows: [JSON.stringify(['张三', 'a\\b'])] });
    expect(rawLine(['a', null, '', 1, false, json])).toBe(`a\t\t\u0001\u0001\t1\tf\t${json}\n`);
    expect(rawLine(['a\tb', 'c\nd', 'e\u0001f', 'g\rh'])).toBe(
      '\u0001a\tb\u0001\t\u0001c\nd\u0001\t\u0001e\u0001\u0001f\u0001\t\u0001g\rh\u0001\n',
    );
  });

  it('CopyLines takes a line in pieces, buffers as they are, in order with the other lines', () => {
    const lines = new CopyLines();
    lines.add('一\t1\n');
    const big = Buffer.from(`{"rows":["${'张'.repeat(400_000)}"]}`);
    lines.addPieces(['二\t', big, '\t三\n']);
    lines.add('四\n');
    expect(lines.count).toBe(3);
    const chunks = lines.take();
    expect(chunks).toContain(big);
    expect(Buffer.concat(chunks).toString()).toBe(`一\t1\n二\t${big.toString()}\t三\n四\n`);
    expect(lines.count).toBe(0);
  });
});

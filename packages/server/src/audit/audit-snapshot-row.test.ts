import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotRowJson } from './audit.ts';

// A snapshot document's row (format 2) is the JSON text, as a JSON string, of its values and the
// row number: snapshotRowJson writes it in one pass, and must give the same text as the two
// JSON.stringify calls it replaces (what the hash covers and findImportCreations parses).
const twice = (values: readonly unknown[], row: number) =>
  JSON.stringify(JSON.stringify([...values, row]));

describe('snapshotRowJson', () => {
  it('gives the text of JSON.stringify twice, for the values a snapshot holds', () => {
    const odd = ['a"b', 'c\\d', 'e\nf', '\t', '\u0001', '\u001f', '\ud800', 'x\udfffy', '😀'];
    const more = ['\u2028', '\u2029', '中文 名', '', ' ', '/', '<>&', '\u007f', '\u00e9'];
    for (const v of [...odd, ...more, null, true, false, 0, -0, 1.5, -3, 1e21, Number.NaN])
      expect(snapshotRowJson([v], 7)).toBe(twice([v], 7));
    expect(snapshotRowJson([], 2)).toBe(twice([], 2));
    expect(snapshotRowJson([undefined, 'a'], 3)).toBe(twice([undefined, 'a'], 3));
    const row = ['1960-01-15', null, '无', '640104001001', true, '测试1', '139****0001', false];
    expect(snapshotRowJson(row, 100_001)).toBe(twice(row, 100_001));
  });

  it('agrees with JSON.stringify twice on any primitive values', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.nat(), (values, row) => {
        expect(snapshotRowJson(values, row)).toBe(twice(values, row));
      }),
      { numRuns: 2000 },
    );
  });
});

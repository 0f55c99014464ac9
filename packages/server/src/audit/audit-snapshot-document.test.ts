import { describe, expect, it } from 'vitest';
import { auditJson, SNAPSHOT_FORMAT, SnapshotDocument } from './audit.ts';

// A snapshot document built a record at a time (what the worker import hands to
// `addDocument`) must be the canonical JSON of the document as an object — the text the chain's
// hash covers and `findImportCreations` parses — with the smallest id and the narrowest common
// org path of its records.
const build = (
  records: { id: string; path: string | null; row: number; values: (string | boolean | null)[] }[],
) => {
  const doc = new SnapshotDocument({ batchId: 'b-1', entity: 'worker', columns: ['a', 'b'] });
  for (const r of records) doc.add(r.id, r.path, r.row, r.values);
  return { count: doc.count, ...doc.finish() };
};

const expected = (
  records: { id: string; row: number; values: (string | boolean | null)[] }[],
): string =>
  auditJson({
    batchId: 'b-1',
    columns: ['a', 'b', 'row'],
    entity: 'worker',
    ids: records.map((r) => r.id),
    rows: records.map((r) => JSON.stringify([...r.values, r.row])),
    v: SNAPSHOT_FORMAT,
  });

describe('SnapshotDocument', () => {
  it('is the canonical JSON of the document, with its smallest id and common path', () => {
    const records = [
      { id: '0193-c', path: '/000000/640000/640104/', row: 2, values: ['张"三', true] },
      { id: '0193-a', path: '/000000/640000/640105/', row: 3, values: ['a\\b\n', null] },
      { id: '0193-b', path: '/000000/640000/640104/x/', row: 4, values: ['\u2028😀', false] },
    ];
    const built = build(records);
    expect(built.count).toBe(3);
    expect(built.bytes.toString('utf8')).toBe(expected(records));
    expect(built.entityId).toBe('0193-a');
    // Whole segments: /000000/640000/64010 is no org.
    expect(built.orgPath).toBe('/000000/640000/');
  });

  it('has the one record’s path, no path when a record has none, and 33+ rows intact', () => {
    const one = [{ id: 'x', path: '/000000/640000/640104/', row: 9, values: ['a', 'b'] }];
    expect(build(one).orgPath).toBe('/000000/640000/640104/');
    expect(build(one).bytes.toString()).toBe(expected(one));
    const many = Array.from({ length: 70 }, (_, i) => ({
      id: `id-${String(70 - i).padStart(3, '0')}`,
      path: i === 40 ? null : '/000000/',
      row: i + 2,
      values: [`名${i}`, i % 3 === 0 ? null : `v${i}`],
    }));
    const built = build(many);
    expect(built.orgPath).toBeNull();
    expect(built.entityId).toBe('id-001');
    expect(built.bytes.toString()).toBe(expected(many));
    expect(JSON.parse(built.bytes.toString()).rows).toHaveLength(70);
  });
});

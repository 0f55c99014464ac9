import { describe, expect, it } from 'vitest';
import { DashboardCache, dashboardKey } from './dashboard-cache.ts';

const packs = {};
const otherPacks = {};

describe('DashboardCache', () => {
  it('sends an answer only at the version and with the packs it was computed with', () => {
    const cache = new DashboardCache({ entries: 10, bytes: 10_000 });
    cache.set('a', '7', packs, '{"n":1}');
    expect(cache.get('a', '7', packs)).toBe('{"n":1}');
    expect(cache.get('a', '8', packs)).toBeUndefined();
    expect(cache.get('a', '7', otherPacks)).toBeUndefined();
    expect(cache.get('b', '7', packs)).toBeUndefined();
  });

  it('keeps the newer of two answers computed at different versions', () => {
    const cache = new DashboardCache({ entries: 10, bytes: 10_000 });
    cache.set('a', '12', packs, 'new');
    cache.set('a', '9', packs, 'old');
    expect(cache.get('a', '12', packs)).toBe('new');
    cache.set('a', '13', packs, 'newer');
    expect(cache.get('a', '13', packs)).toBe('newer');
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used past its count and its bytes, and never keeps what cannot fit', () => {
    const cache = new DashboardCache({ entries: 2, bytes: 10_000 });
    cache.set('a', '1', packs, 'A');
    cache.set('b', '1', packs, 'B');
    expect(cache.get('a', '1', packs)).toBe('A');
    cache.set('c', '1', packs, 'C');
    expect(cache.get('b', '1', packs)).toBeUndefined();
    expect(cache.get('a', '1', packs)).toBe('A');
    expect(cache.get('c', '1', packs)).toBe('C');
    // Two bytes a UTF-16 unit, key included: 'k1' + 100 units = 204 bytes each.
    cache.clear();
    cache.resize({ entries: 100, bytes: 500 });
    for (const k of ['k1', 'k2', 'k3']) cache.set(k, '1', packs, 'x'.repeat(100));
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(408);
    expect(cache.get('k1', '1', packs)).toBeUndefined();
    cache.set('big', '1', packs, 'x'.repeat(300));
    expect(cache.get('big', '1', packs)).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.resize({ entries: 1, bytes: 500 });
    expect(cache.size).toBe(1);
    expect(cache.get('k3', '1', packs)).toBe('x'.repeat(100));
  });

  it('keys an answer by node, every part of the scope, date and packs directory', () => {
    const scope = { kind: 'org' as const, path: '/000000/640000/', orgCode: '640000' };
    const base = dashboardKey('640100', scope, '2026-12-07', '/p');
    expect(dashboardKey('640100', scope, '2026-12-07', '/p')).toBe(base);
    for (const other of [
      dashboardKey('640104', scope, '2026-12-07', '/p'),
      dashboardKey('640100', { ...scope, path: '/000000/' }, '2026-12-07', '/p'),
      dashboardKey('640100', { ...scope, orgCode: '000000' }, '2026-12-07', '/p'),
      dashboardKey('640100', { ...scope, kind: 'self', workerId: 'w' }, '2026-12-07', '/p'),
      dashboardKey('640100', scope, '2026-12-08', '/p'),
      dashboardKey('640100', scope, '2026-12-07', '/q'),
    ])
      expect(other).not.toBe(base);
  });
});

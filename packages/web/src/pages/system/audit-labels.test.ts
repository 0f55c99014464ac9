import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS } from './audit-labels.ts';

// Every code the server and the CLI write to the audit log (the literals of their writeAudit
// calls) has a Chinese label, so the 审计 page shows no English code.
const ROOT = path.resolve(import.meta.dirname, '../../../../..');

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    // db/schema declares the columns (`action: text('action')`), it writes no code.
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'schema' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.includes('.test.') ? [p] : [];
  });

const written = (key: 'action' | 'entity') => {
  const codes = new Set<string>();
  for (const file of [
    ...sources(path.join(ROOT, 'packages/server/src')),
    ...sources(path.join(ROOT, 'packages/cli/src')),
  ]) {
    const text = readFileSync(file, 'utf8');
    // `action: 'login'` and `action: lock ? 'lockout' : 'login-failed'`
    for (const m of text.matchAll(new RegExp(`\\b${key}: ([^,\\n]*)`, 'g'))) {
      for (const q of m[1]!.matchAll(/'([a-z][a-z0-9_-]*)'/g)) codes.add(q[1]!);
    }
  }
  return codes;
};

describe('audit codes in Chinese', () => {
  it('labels every action the server and the CLI write', () => {
    const codes = written('action');
    expect(codes.size).toBeGreaterThan(20);
    expect([...codes].filter((c) => !AUDIT_ACTION_LABELS[c])).toEqual([]);
  });

  it('labels every kind of object written', () => {
    const codes = written('entity');
    codes.add('import_snapshots'); // SNAPSHOT_DOCUMENT
    expect([...codes].filter((c) => !AUDIT_ENTITY_LABELS[c])).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHAPE_LABELS } from './shape-labels.ts';

describe('rule shapes in Chinese', () => {
  it('labels every shape the pack schema declares', () => {
    const schema = readFileSync(
      path.resolve(import.meta.dirname, '../../../../policy/src/schema/pack-schema.ts'),
      'utf8',
    );
    const shapes = [...schema.matchAll(/shape: z\.literal\('([a-z-]+)'\)/g)].map((m) => m[1]!);
    expect(shapes.length).toBeGreaterThan(20);
    expect(shapes.filter((s) => !SHAPE_LABELS[s])).toEqual([]);
  });
});

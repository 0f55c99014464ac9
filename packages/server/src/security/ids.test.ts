import { UUID, V7Generator } from 'uuidv7';
import { describe, expect, it } from 'vitest';
import { newId, uuidText } from './ids.ts';

describe('ids', () => {
  it("writes UUID bytes as the library's toString does", () => {
    const generator = new V7Generator();
    const edges = [new Uint8Array(16), new Uint8Array(16).fill(255)];
    for (const bytes of edges) expect(uuidText(bytes)).toBe(UUID.ofInner(bytes).toString());
    for (let i = 0; i < 20_000; i++) {
      const u = generator.generate();
      expect(uuidText(u.bytes)).toBe(u.toString());
    }
  });

  it('makes UUIDv7 text, each id after the one before', () => {
    let last = '';
    for (let i = 0; i < 20_000; i++) {
      const id = newId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id > last).toBe(true);
      last = id;
    }
  });
});

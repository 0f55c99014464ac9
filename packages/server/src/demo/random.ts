/** A small seedable PRNG (mulberry32): the demo data is the same on every machine. */
export const createRandom = (seed: number) => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const weighted = <T>(items: ReadonlyArray<readonly [T, number]>): T => {
    let r = next() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  };
  /** A UUIDv7-shaped id whose time part is `ms` and random part comes from this generator. */
  const uuid7 = (ms: number): string => {
    const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0');
    const rand = () => hex(next() * 0x10000, 4);
    const time = hex(ms, 12);
    const variant = (8 + int(0, 3)).toString(16) + hex(next() * 0x1000, 3);
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(next() * 0x1000, 3)}-${variant}-${rand()}${rand()}${rand()}`;
  };
  return { next, int, pick, weighted, uuid7 };
};
export type TRandom = ReturnType<typeof createRandom>;

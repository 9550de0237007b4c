import { describe, expect, it } from 'vitest';
import { cryptoRandom, SeededRandom } from './random.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Random', () => {
  for (const [name, make] of [
    ['cryptoRandom', () => cryptoRandom],
    ['SeededRandom', () => new SeededRandom(7)],
  ] as const) {
    it(`${name} gives floats in [0, 1), bounded ints, bytes and v4 UUIDs`, () => {
      const r = make();
      for (let i = 0; i < 1000; i++) {
        const f = r.float();
        expect(f >= 0 && f < 1).toBe(true);
        const n = r.int(6);
        expect(Number.isInteger(n) && n >= 0 && n < 6).toBe(true);
      }
      expect(r.bytes(33)).toHaveLength(33);
      expect(r.uuid()).toMatch(UUID_V4);
    });
  }

  it('SeededRandom replays the same sequence for the same seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 8 }, () => a.float());
    expect(Array.from({ length: 8 }, () => b.float())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.float())).not.toEqual(seqA);
  });

  it('SeededRandom spreads ints evenly', () => {
    const r = new SeededRandom(1);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

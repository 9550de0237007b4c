import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkBitmap } from './bitmap.ts';

describe('ChunkBitmap', () => {
  it('keeps bit i in bit i % 8 of byte i >> 3', () => {
    const b = new ChunkBitmap(10);
    b.set(0);
    b.set(9);
    expect([...b.toBytes()]).toEqual([0x01, 0x02]);
  });

  it('restores from its bytes and reports missing runs that cover exactly the unset bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.nat()), (size, picks) => {
        const b = new ChunkBitmap(size);
        const set = new Set(size === 0 ? [] : picks.map((p) => p % size));
        for (const i of set) b.set(i);
        const restored = new ChunkBitmap(size, b.toBytes());
        expect(restored.count).toBe(set.size);
        const missing = restored
          .missing()
          .flatMap((r) => Array.from({ length: r.end - r.start }, (_, k) => r.start + k));
        expect(missing).toEqual(Array.from({ length: size }, (_, i) => i).filter((i) => !set.has(i)));
        expect(restored.complete).toBe(set.size === size);
      }),
    );
  });

  it('refuses saved bits of the wrong length or with bits past the last chunk', () => {
    expect(() => new ChunkBitmap(10, new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'state-invalid' }));
    expect(() => new ChunkBitmap(10, new Uint8Array([0, 0x04]))).toThrow(
      expect.objectContaining({ code: 'state-invalid' }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { seededImage } from './image.ts';

describe('seededImage', () => {
  it('gives the same bytes for a seed and different bytes for another', () => {
    expect(seededImage(64, 7)).toEqual(seededImage(64, 7));
    expect(seededImage(64, 7)).not.toEqual(seededImage(64, 8));
    // seed 0 still makes bytes (xorshift has no zero state)
    expect(seededImage(16, 0).some((byte) => byte !== 0)).toBe(true);
    expect(Array.from(seededImage(4, 1))).toEqual(Array.from(seededImage(8, 1).subarray(0, 4)));
  });
});

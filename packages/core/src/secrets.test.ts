import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secretsEqual, timingSafeEqual } from './secrets.ts';

const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);

describe('timingSafeEqual', () => {
  it('accepts equal bytes and refuses a differing byte', () => {
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 2))).toBe(true);
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 3))).toBe(false);
  });

  it('refuses a prefix, an extension and an empty guess', () => {
    expect(timingSafeEqual(bytes(1, 0), bytes(1))).toBe(false);
    expect(timingSafeEqual(bytes(1), bytes(1, 0))).toBe(false);
    expect(timingSafeEqual(bytes(0), bytes())).toBe(false);
    expect(timingSafeEqual(bytes(), bytes())).toBe(true);
  });

  it('agrees with plain comparison on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        return timingSafeEqual(a, b) === (a.length === b.length && a.every((x, i) => x === b[i]));
      }),
    );
  });
});

describe('secretsEqual', () => {
  it('compares strings by their UTF-8 bytes', async () => {
    expect(await secretsEqual('pässword', 'pässword')).toBe(true);
    expect(await secretsEqual('a', 'ab')).toBe(false);
    expect(await secretsEqual('', '\u0000')).toBe(false);
  });
});

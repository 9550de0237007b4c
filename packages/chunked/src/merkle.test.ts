import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './_internal/hex.ts';
import { sha256 } from './adapters/sha256.ts';
import { merkleRoot } from './merkle.ts';

const leaf = (s: string): Uint8Array => sha256(new TextEncoder().encode(s));
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1, ...l, ...r]));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));

describe('merkleRoot', () => {
  it('is the SHA-256 of nothing when there is no chunk', () => {
    expect(toHex(merkleRoot(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('is the only digest when there is one chunk', () => {
    expect(merkleRoot(leaf('a'))).toEqual(leaf('a'));
  });

  it('hashes pairs with the 0x01 node prefix and lifts an odd last node (RFC 6962 shape)', () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(leaf) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    expect(merkleRoot(concat(a, b, c))).toEqual(node(node(a, b), c));
    expect(merkleRoot(concat(a, b, c, d, e))).toEqual(node(node(node(a, b), node(c, d)), e));
  });

  it('matches a root computed by hand for "a","b"', () => {
    // (printf '\001'; printf a | openssl dgst -sha256 -binary; printf b | openssl dgst -sha256 -binary) | openssl dgst -sha256
    const expected = fromHex('1fdf7b651907a893865fdf1866cf251d60d527dfafa10a663514f4f9ee34ab22');
    expect(merkleRoot(concat(leaf('a'), leaf('b')))).toEqual(expected);
  });

  it('refuses digests that are not whole 32-byte leaves', () => {
    expect(() => merkleRoot(new Uint8Array(33))).toThrow(/expected a multiple of 32/);
  });
});

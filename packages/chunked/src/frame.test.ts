import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './frame.ts';

const tag = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

describe('chunk frames', () => {
  it('lays out version|more, size exponent, big-endian index and tag before the payload', () => {
    const frame = encodeFrame({ tag, sizeExp: 10, index: 0x01020304, more: true }, new Uint8Array([0xaa, 0xbb]));
    expect([...frame]).toEqual([0x11, 10, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 0xbb]);
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.integer({ min: 4, max: 24 }),
        fc.nat({ max: 0xffffffff }),
        fc.boolean(),
        fc.uint8Array(),
        (t, sizeExp, index, more, payload) => {
          expect(decodeFrame(encodeFrame({ tag: t, sizeExp, index, more }, payload))).toEqual({
            tag: t,
            sizeExp,
            index,
            more,
            payload,
          });
        },
      ),
    );
  });

  it('refuses a truncated frame or an unknown version with frame-invalid', () => {
    expect(() => decodeFrame(new Uint8Array(13))).toThrow(expect.objectContaining({ code: 'frame-invalid' }));
    expect(() => decodeFrame(new Uint8Array(14).fill(0x20))).toThrow(
      expect.objectContaining({ code: 'frame-invalid' }),
    );
  });

  it('refuses to write an index beyond 32 bits or a tag not of 8 bytes', () => {
    expect(() => encodeFrame({ tag, sizeExp: 4, index: 2 ** 32, more: false }, new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    expect(() => encodeFrame({ tag: tag.subarray(1), sizeExp: 4, index: 0, more: false }, new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });
});

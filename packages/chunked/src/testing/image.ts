/**
 * `size` bytes that differ per `seed` (xorshift32), the same in every
 * process: images for tests that must never agree by accident, and that a
 * failing run can make again.
 */
export function seededImage(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let state = (seed * 2_654_435_761) >>> 0 || 1;
  for (let index = 0; index < size; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

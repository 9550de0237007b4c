import { sha256, sha256Parts } from './adapters/sha256.ts';

const NODE_PREFIX = new Uint8Array([0x01]);

/**
 * Merkle root over chunk digests (`digests` holds 32 bytes per chunk, in
 * order). Leaves are the plain SHA-256 of each chunk, so every leaf agrees
 * with `sha256sum` of the chunk; an inner node is SHA-256(0x01 ‖ left ‖
 * right), RFC 6962 §2.1's node prefix. A level with an odd count lifts its
 * last node unchanged, which gives RFC 6962's shape (split at the largest
 * power of two below n). No chunk: SHA-256 of nothing.
 */
export function merkleRoot(digests: Uint8Array): Uint8Array {
  if (digests.length % 32 !== 0)
    throw new RangeError(`Cannot build a Merkle tree over ${digests.length} bytes: expected a multiple of 32`);
  if (digests.length === 0) return sha256(new Uint8Array(0));
  let level: Uint8Array[] = [];
  for (let at = 0; at < digests.length; at += 32) level.push(digests.subarray(at, at + 32));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(sha256Parts([NODE_PREFIX, level[i]!, level[i + 1]!]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return new Uint8Array(level[0]!);
}

// SHA-256 on the calling thread through node:crypto, which Node, Bun and Deno
// all provide: it uses the CPU's SHA extensions, close to OpenSSL's own rate,
// where an awaited crypto.subtle.digest per chunk pays a promise and a copy
// each time. The figures are in docs/decisions/chunked-hashing.md.
import { createHash } from 'node:crypto';

/** SHA-256 of `bytes`, as 32 bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(bytes).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, 32);
}

/** Writes the SHA-256 of `bytes` at `offset` of `target`. */
export function sha256Into(bytes: Uint8Array, target: Uint8Array, offset: number): void {
  target.set(createHash('sha256').update(bytes).digest(), offset);
}

/** SHA-256 of the concatenation of `parts`, as 32 bytes. */
export function sha256Parts(parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const digest = hash.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, 32);
}

/**
 * How chunks sit in a batch buffer: chunk `j`'s payload starts at
 * `j * stride + header`; its digest goes to `digestsAt + 32 * j`.
 */
export interface FrameLayout {
  readonly count: number;
  readonly stride: number;
  readonly header: number;
  /** Payload bytes of the batch's last chunk. */
  readonly lastLength: number;
  readonly digestsAt: number;
}

/** Chunk `j`'s payload in a batch buffer laid out as `layout`. */
export function framePayload(buffer: Uint8Array, layout: FrameLayout, j: number): Uint8Array {
  const start = j * layout.stride + layout.header;
  return buffer.subarray(start, start + (j === layout.count - 1 ? layout.lastLength : layout.stride - layout.header));
}

/** Payload bytes of all the chunks laid out as `layout`. */
export function payloadBytes(layout: FrameLayout): number {
  return (layout.count - 1) * (layout.stride - layout.header) + layout.lastLength;
}

/** Writes the SHA-256 of every chunk payload laid out in `buffer` into its digest area; returns that area. */
export function sha256Frames(buffer: Uint8Array, layout: FrameLayout): Uint8Array {
  const digests = buffer.subarray(layout.digestsAt, layout.digestsAt + layout.count * 32);
  for (let j = 0; j < layout.count; j++)
    digests.set(
      createHash('sha256')
        .update(framePayload(buffer, layout, j))
        .digest(),
      j * 32,
    );
  return digests;
}

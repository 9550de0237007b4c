// Worker tasks of the encoder. `hashBatch` hashes the chunks of one batch
// into the batch's own digest area and moves the batch back: one transfer
// each way, no copy. `hashFileBatch` first reads the batch's chunks from the
// image file itself, so the calling thread never touches image bytes.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readvSync } from 'node:fs';
import { withTransfer } from '@fleetkit/core';
import { type FrameLayout, framePayload, payloadBytes, sha256Frames, sha256Into } from './sha256.ts';

// Reads of at most 1 MiB, each hashed at once, so the bytes are hashed from
// the core's L2 cache, not from memory; smaller pieces only add syscalls
// (docs/decisions/chunked-hashing.md).
const PIECE = 1 << 20;

/** Input of {@link hashBatch}: a batch buffer (transferred) and its layout. */
export interface HashBatchInput extends FrameLayout {
  readonly buffer: ArrayBuffer;
}

/** The same buffer, its digest area filled. */
export function hashBatch(input: HashBatchInput) {
  sha256Frames(new Uint8Array(input.buffer), input);
  return withTransfer(input.buffer, [input.buffer]);
}

/** Input of {@link hashFileBatch}: where the batch's first chunk starts in the file. */
export interface HashFileBatchInput extends HashBatchInput {
  readonly path: string;
  readonly position: number;
  /** The batch ends the image: also look one byte past it, to catch a file that grew. */
  readonly final: boolean;
}

/** The batch buffer back, and how many bytes the file held for it (one more when it goes on past a final batch). */
export interface HashFileBatchOutput {
  readonly buffer: ArrayBuffer;
  readonly read: number;
}

/**
 * Reads each chunk of the batch into its frame's payload and hashes it at
 * once, while it is still in this core's cache. Small chunks are read a
 * group at a time with one `readv` into their payloads (one syscall per
 * 1 MiB, not one per chunk). Synchronous reads are fine on a worker thread,
 * whose only job is this task.
 */
export function hashFileBatch(input: HashFileBatchInput) {
  const bytes = new Uint8Array(input.buffer);
  const full = input.stride - input.header;
  const group = Math.max(1, Math.floor(PIECE / full));
  const fd = openSync(input.path, 'r');
  let read = 0;
  try {
    for (let j = 0; j < input.count && read === j * full; j += group) {
      if (full > PIECE) {
        read += readAndHashLarge(
          fd,
          framePayload(bytes, input, j),
          input.position + read,
          bytes,
          input.digestsAt + j * 32,
        );
        continue;
      }
      const views: Uint8Array[] = [];
      for (let k = j; k < Math.min(input.count, j + group); k++) views.push(framePayload(bytes, input, k));
      const got = readvFully(fd, views, input.position + read);
      read += got;
      for (let k = 0, left = got; k < views.length && left >= views[k]!.length; left -= views[k]!.length, k++) {
        sha256Into(views[k]!, bytes, input.digestsAt + (j + k) * 32);
      }
    }
    if (input.final && read === payloadBytes(input)) read += readFully(fd, new Uint8Array(1), input.position + read);
  } finally {
    closeSync(fd);
  }
  const output: HashFileBatchOutput = { buffer: input.buffer, read };
  return withTransfer(output, [input.buffer]);
}

// A chunk larger than a piece is read and hashed a piece at a time, so even a
// 16 MiB chunk is hashed from L2. Returns the bytes read (fewer at the end of the file).
function readAndHashLarge(fd: number, target: Uint8Array, position: number, digests: Uint8Array, at: number): number {
  const hash = createHash('sha256');
  let got = 0;
  while (got < target.length) {
    const piece = target.subarray(got, Math.min(target.length, got + PIECE));
    const n = readFully(fd, piece, position + got);
    got += n;
    if (n < piece.length) return got;
    hash.update(piece);
  }
  digests.set(hash.digest(), at);
  return got;
}

// readv until every view is full or the file ends; returns the bytes read.
function readvFully(fd: number, views: readonly Uint8Array[], position: number): number {
  let total = 0;
  let rest = views.slice();
  while (rest.length > 0) {
    const n = readvSync(fd, rest, position + total);
    if (n === 0) break;
    total += n;
    let skip = n;
    let i = 0;
    while (i < rest.length && skip >= rest[i]!.length) skip -= rest[i++]!.length;
    rest = rest.slice(i);
    if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  }
  return total;
}

function readFully(fd: number, target: Uint8Array, position: number): number {
  let n = 0;
  while (n < target.length) {
    const got = readSync(fd, target, n, target.length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

// Worker tasks of the encoder. `hashBatch` hashes the chunks of one batch
// into the batch's own digest area and moves the batch back: one transfer
// each way, no copy. `hashFileBatch` first reads the batch's chunks from the
// image file itself, so the calling thread never touches image bytes.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { withTransfer } from '@fleetkit/core';
import { type FrameLayout, sha256Frames } from './sha256.ts';

// Reads of at most 1 MiB, each hashed at once: even a 16 MiB chunk is hashed
// from this core's L2 (2 MiB here), not from memory. Smaller pieces measured
// no faster (128 KiB, 32 KiB: more syscalls, same copy).
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
 * once, while it is still in this core's cache. Synchronous reads are fine on
 * a worker thread, whose only job is this task.
 */
export function hashFileBatch(input: HashFileBatchInput) {
  const bytes = new Uint8Array(input.buffer);
  const full = input.stride - input.header;
  const fd = openSync(input.path, 'r');
  let read = 0;
  try {
    for (let j = 0; j < input.count; j++) {
      const start = j * input.stride + input.header;
      const want = j === input.count - 1 ? input.lastLength : full;
      const hash = createHash('sha256');
      let got = 0;
      while (got < want) {
        const piece = bytes.subarray(start + got, start + Math.min(want, got + PIECE));
        const n = readFully(fd, piece, input.position + j * full + got);
        got += n;
        if (n < piece.length) break;
        hash.update(piece);
      }
      read += got;
      if (got < want) break;
      bytes.set(hash.digest(), input.digestsAt + j * 32);
    }
    if (input.final && read === (input.count - 1) * full + input.lastLength) read += readFully(fd, new Uint8Array(1), input.position + read);
  } finally {
    closeSync(fd);
  }
  const output: HashFileBatchOutput = { buffer: input.buffer, read };
  return withTransfer(output, [input.buffer]);
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

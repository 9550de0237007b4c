// Worker task of the encoder: hashes the chunks of one batch and moves the
// batch and the digests back to the caller (no copy either way).
import { withTransfer } from '@fleetkit/core';
import { type FrameLayout, sha256Frames } from './sha256.ts';

/** Input of {@link hashBatch}: a batch buffer (transferred) and its layout. */
export interface HashBatchInput extends FrameLayout {
  readonly buffer: ArrayBuffer;
}

/** Output of {@link hashBatch}: the same buffer and 32 bytes of digest per chunk. */
export interface HashBatchOutput {
  readonly buffer: ArrayBuffer;
  readonly digests: ArrayBuffer;
}

export function hashBatch(input: HashBatchInput) {
  const digests = sha256Frames(new Uint8Array(input.buffer), input).buffer as ArrayBuffer;
  return withTransfer<HashBatchOutput>({ buffer: input.buffer, digests }, [input.buffer, digests]);
}

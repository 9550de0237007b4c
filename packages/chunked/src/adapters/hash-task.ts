// Worker task of the encoder: hashes the chunks of one batch into the batch's
// own digest area and moves the batch back: one transfer each way, no copy.
import { withTransfer } from '@fleetkit/core';
import { type FrameLayout, sha256Frames } from './sha256.ts';

/** Input of {@link hashBatch}: a batch buffer (transferred) and its layout. */
export interface HashBatchInput extends FrameLayout {
  readonly buffer: ArrayBuffer;
}

/** The same buffer, its digest area filled. */
export function hashBatch(input: HashBatchInput) {
  sha256Frames(new Uint8Array(input.buffer), input);
  return withTransfer(input.buffer, [input.buffer]);
}

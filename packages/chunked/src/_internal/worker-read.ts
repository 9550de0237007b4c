// Sources the pool's workers read themselves, so the calling thread plans
// batches and writes frame headers but touches no image byte: today a file,
// read by path, not bytes on a SharedArrayBuffer (V8 copies and hashes shared
// memory byte-wise). See docs/decisions/chunked-hashing.md, "Sources the
// workers read themselves".
import { CoreError, CoreErrorCode, defineTask, taskModuleUrl, type WorkerPool } from '@fleetkit/core';
import type { HashFileBatchInput, HashFileBatchOutput } from '../adapters/hash-task.ts';
import { type FrameLayout, payloadBytes } from '../adapters/sha256.ts';
import { sourceSizeMismatch, sourceUnreadable } from './invalid.ts';
import { type ImageSource, isImageFile } from './source.ts';

const taskModule = taskModuleUrl(import.meta.url, 'adapters/hash-task');
const hashFileBatchTask = defineTask<HashFileBatchInput, HashFileBatchOutput>(taskModule, 'hashFileBatch');

/** One batch for the workers: its buffer (transferred, frame headers written), layout and first byte in the image. */
export interface WorkerBatch {
  readonly buffer: ArrayBuffer;
  readonly layout: FrameLayout;
  readonly position: number;
  readonly final: boolean;
}

/** An image the workers read: its size, and how one batch of it is read and hashed there. */
export interface WorkerReadSource {
  readonly size: number;
  /** Resolves to the batch buffer, payloads and digests filled. */
  hash(batch: WorkerBatch, signal: AbortSignal | undefined): Promise<ArrayBuffer>;
}

/** The workers' reader of `image`, or undefined when it must be read on the calling thread (bytes, Blobs, streams, an empty file). */
export function workerReadSource(image: ImageSource, pool: WorkerPool, name: string): WorkerReadSource | undefined {
  if (!isImageFile(image) || image.size === 0) return undefined;
  const { path, size } = image;
  return {
    size,
    async hash(batch, signal) {
      const input: HashFileBatchInput = {
        buffer: batch.buffer,
        ...batch.layout,
        path,
        position: batch.position,
        final: batch.final,
      };
      const back = await pool
        .run(hashFileBatchTask, input, transferOptions(batch.buffer, signal))
        .catch((error: unknown) => {
          // the task only fails when node:fs does (file removed, no permission, I/O error)
          throw error instanceof CoreError && error.code === CoreErrorCode.TaskFailed
            ? sourceUnreadable(path, error.cause ?? error)
            : error;
        });
      const expected = payloadBytes(batch.layout);
      if (back.read < expected) sourceSizeMismatch(name, size, batch.position + back.read);
      if (back.read > expected) sourceSizeMismatch(name, size, `more than ${size}`);
      return back.buffer;
    },
  };
}

/** Run options of a hash task: `buffer` moved to the worker, and the encode's signal if any. */
export function transferOptions(buffer: ArrayBuffer, signal: AbortSignal | undefined) {
  return signal === undefined ? { transfer: [buffer] } : { transfer: [buffer], signal };
}

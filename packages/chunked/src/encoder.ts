import { defineTask, taskModuleUrl, type WorkerPool } from '@fleetkit/core';
import { invalid, sourceSizeMismatch } from './_internal/invalid.ts';
import { keepBuffers, takeKeptBuffers } from './_internal/kept-buffers.ts';
import { type ImageSource, openSource } from './_internal/source.ts';
import { transferOptions, workerReadSource } from './_internal/worker-read.ts';
import type { HashBatchInput } from './adapters/hash-task.ts';
import { type FrameLayout, sha256Frames, sha256Into } from './adapters/sha256.ts';
import { ChunkedErrorCode } from './errors.ts';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './frame.ts';
import {
  checkDependencies,
  checkIdentity,
  chunkSizeExp,
  isValidChunkSize,
  type Manifest,
  type ManifestDependency,
  transferTag,
} from './manifest.ts';
import { merkleRoot } from './merkle.ts';

export type { FileRangeReader, ImageFile, ImageSource } from './_internal/source.ts';

const hashBatchTask = defineTask<HashBatchInput, ArrayBuffer>(
  taskModuleUrl(import.meta.url, 'adapters/hash-task'),
  'hashBatch',
);

/**
 * One chunk as the encoder hands it out. `payload` and `frame` are
 * views of a batch buffer the encoder reuses once `onChunk`'s promise settles:
 * copy what you keep (a storage adapter's write does).
 */
export interface EncodedChunk {
  readonly index: number;
  /** False for the last chunk. */
  readonly more: boolean;
  /** SHA-256 of `payload`. */
  readonly digest: Uint8Array;
  readonly payload: Uint8Array;
  /** The chunk as a wire frame ({@link decodeFrame}), laid out without a copy. */
  readonly frame: Uint8Array;
}

/** Options of {@link encodeImage}. */
export interface EncodeOptions {
  readonly name: string;
  readonly version: string;
  /** Monotonic per package name (SUIT anti-rollback). */
  readonly sequence: number;
  readonly dependencies?: readonly ManifestDependency[];
  /** Bytes per chunk: a power of two from 16 B to 16 MiB. */
  readonly chunkSize: number;
  /** Receives each chunk in index order; the encoder waits for it (backpressure). */
  readonly onChunk?: (chunk: EncodedChunk) => void | Promise<void>;
  /** Hashes large images on these threads; without it everything stays on the calling thread. */
  readonly pool?: WorkerPool;
  /** Images of at least this many bytes (streams: more than one batch) go to the pool. Default 8 MiB. */
  readonly poolThreshold?: number;
  /** Image bytes per hashing batch (one pool task), rounded down to whole chunks (at least one). Default 4 MiB on the pool, 1 MiB in-thread. */
  readonly batchBytes?: number;
  /** Batches hashed at once on the pool, which bounds the memory held to `inFlight` batches. Default: twice the pool’s threads. */
  readonly inFlight?: number;
  /** For a stream: the size it must have; checked. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

interface Batch {
  readonly first: number;
  readonly count: number;
  readonly lastLength: number;
  readonly final: boolean;
}

interface Hashed extends Batch {
  readonly buffer: ArrayBuffer;
  readonly digests: Uint8Array;
}

const MiB = 1 << 20;

/**
 * Cuts an image into chunks, hashes each (on the pool for large images,
 * buffers transferred, never copied back), lays each out as a frame and
 * builds the manifest. Holds at most `inFlight` batches of the image. On the
 * pool the workers read an {@link ImageFile} themselves.
 */
export async function encodeImage(image: ImageSource, options: EncodeOptions): Promise<Manifest> {
  checkIdentity(options, 'options');
  checkDependencies(options.dependencies ?? [], 'options.dependencies');
  if (!isValidChunkSize(options.chunkSize))
    invalid(
      'options.chunkSize',
      'a power of two from 16 to 16777216',
      options.chunkSize,
      ChunkedErrorCode.InvalidArgument,
    );
  const source = openSource(image);
  const declared = source.size ?? options.size;
  const chunkSize = options.chunkSize;
  const stride = FRAME_HEADER_BYTES + chunkSize;
  const threshold = options.poolThreshold ?? 8 * MiB;
  const pool =
    options.pool !== undefined && (declared ?? Number.POSITIVE_INFINITY) >= threshold ? options.pool : undefined;
  const perBatch = Math.max(1, Math.floor((options.batchBytes ?? (pool === undefined ? MiB : 4 * MiB)) / chunkSize));
  const inFlight = Math.max(1, options.inFlight ?? (pool === undefined ? 1 : pool.threads * 2));
  const digestsAt = perBatch * stride;
  const tag = transferTag(options);
  const sizeExp = chunkSizeExp(chunkSize);
  // In-thread over bytes in memory, each chunk is hashed where it lies and then
  // copied into its frame while still in cache: one pass from memory, not two.
  const take = pool === undefined ? source.take : undefined;
  // On the pool a file is read by the workers, each its own byte ranges.
  const byWorkers = pool === undefined ? undefined : workerReadSource(image, pool, options.name);
  const chunks = Math.ceil((declared ?? 0) / chunkSize);

  const digests: Uint8Array[] = [];
  const pending: Promise<Hashed>[] = [];
  // Batch buffers come back from the workers and are refilled: fresh ones
  // would take a page fault per page on first write (decision chunked-hashing).
  // On the pool they outlive the encode too (see _internal/kept-buffers.ts).
  const batchLength = digestsAt + perBatch * 32;
  const free: ArrayBuffer[] = pool === undefined ? [] : takeKeptBuffers(pool, batchLength);
  let size = 0;
  let first = 0;

  const emit = async (batch: Hashed): Promise<void> => {
    digests.push(batch.digests);
    if (options.onChunk === undefined) return void free.push(batch.buffer);
    const bytes = new Uint8Array(batch.buffer);
    for (let j = 0; j < batch.count; j++) {
      const at = j * stride;
      const length = j === batch.count - 1 ? batch.lastLength : chunkSize;
      const index = batch.first + j;
      await options.onChunk({
        index,
        more: !(batch.final && j === batch.count - 1),
        digest: batch.digests.subarray(j * 32, j * 32 + 32),
        payload: bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length),
        frame: bytes.subarray(at, at + FRAME_HEADER_BYTES + length),
      });
    }
    free.push(batch.buffer);
  };

  try {
    for (let final = await source.atEnd(); !final; ) {
      options.signal?.throwIfAborted();
      const buffer = free.pop() ?? new ArrayBuffer(batchLength);
      const bytes = new Uint8Array(buffer);
      let count = 0;
      let lastLength = chunkSize;
      if (byWorkers !== undefined) {
        count = Math.min(perBatch, chunks - first);
        final = first + count === chunks;
        lastLength = final ? byWorkers.size - (chunks - 1) * chunkSize : chunkSize;
        size += (count - 1) * chunkSize + lastLength;
      } else {
        while (count < perBatch) {
          const at = count * stride + FRAME_HEADER_BYTES;
          if (take === undefined) lastLength = await source.fill(bytes.subarray(at, at + chunkSize));
          else {
            const piece = take(chunkSize);
            lastLength = piece.length;
            if (lastLength > 0) {
              sha256Into(piece, bytes, digestsAt + count * 32);
              bytes.set(piece, at);
            }
          }
          if (lastLength === 0) break;
          count++;
          size += lastLength;
          if (declared !== undefined && size > declared)
            sourceSizeMismatch(options.name, declared, `more than ${declared}`);
          if (lastLength < chunkSize) break;
        }
        if (lastLength === 0) lastLength = chunkSize;
        final = lastLength < chunkSize || (await source.atEnd());
      }
      if (count === 0) break;
      for (let j = 0; j < count; j++) {
        writeFrameHeader(bytes, j * stride, { tag, sizeExp, index: first + j, more: !(final && j === count - 1) });
      }
      const batch: Batch = { first, count, lastLength, final };
      // a stream that ends within its first batch is small: it stays on this thread
      const onPool = pool !== undefined && !(declared === undefined && first === 0 && final && size < threshold);
      const layout: FrameLayout = { count, stride, header: FRAME_HEADER_BYTES, lastLength, digestsAt };
      const hashed =
        byWorkers !== undefined
          ? byWorkers
              .hash({ buffer, layout, position: first * chunkSize, final }, options.signal)
              .then((back) => hashedIn(batch, back, layout))
          : onPool
            ? hashOnPool(pool, batch, buffer, layout, options.signal)
            : Promise.resolve(hashHere(batch, buffer, layout, take !== undefined));
      // a task failing while earlier batches are emitted is awaited later, not unhandled
      hashed.catch(() => undefined);
      pending.push(hashed);
      first += count;
      if (pending.length >= inFlight) await emit(await pending.shift()!);
    }
    while (pending.length > 0) await emit(await pending.shift()!);
    await source.close();
  } catch (error) {
    await Promise.allSettled(pending);
    await source.cancel(error);
    throw error;
  } finally {
    if (pool !== undefined) keepBuffers(pool, batchLength, free, inFlight);
  }
  if (declared !== undefined && declared !== size) sourceSizeMismatch(options.name, declared, size);
  const all = concat(digests);
  return {
    name: options.name,
    version: options.version,
    sequence: options.sequence,
    size,
    chunkSize,
    digests: all,
    root: merkleRoot(all),
    dependencies: (options.dependencies ?? []).map((d) => ({ ...d })),
  };
}

// digests are copied out: the buffer is refilled once its chunks are handed out
function hashHere(batch: Batch, buffer: ArrayBuffer, layout: FrameLayout, hashed: boolean): Hashed {
  return hashed
    ? hashedIn(batch, buffer, layout)
    : { ...batch, buffer, digests: sha256Frames(new Uint8Array(buffer), layout).slice() };
}

// a batch whose digests are already in its digest area
function hashedIn(batch: Batch, buffer: ArrayBuffer, layout: FrameLayout): Hashed {
  return { ...batch, buffer, digests: new Uint8Array(buffer, layout.digestsAt, layout.count * 32).slice() };
}

async function hashOnPool(
  pool: WorkerPool,
  batch: Batch,
  buffer: ArrayBuffer,
  layout: FrameLayout,
  signal: AbortSignal | undefined,
): Promise<Hashed> {
  const input: HashBatchInput = { buffer, ...layout };
  const back = await pool.run(hashBatchTask, input, transferOptions(buffer, signal));
  return hashedIn(batch, back, layout);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

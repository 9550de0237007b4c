import { type Logger, silentLogger } from '@fleetkit/core';
import { equalBytes, toHex } from './_internal/hex.ts';
import { decodeState, encodeState } from './_internal/state.ts';
import { sha256 } from './adapters/sha256.ts';
import { ChunkBitmap, type IndexRange } from './bitmap.ts';
import { verifyChunk } from './chunk-check.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import { decodeFrame } from './frame.ts';
import {
  checkManifest,
  chunkCount,
  chunkDigest,
  chunkLength,
  chunkSizeExp,
  type Manifest,
  manifestId,
  transferTag,
} from './manifest.ts';
import { merkleRoot } from './merkle.ts';
import type { ChunkStorage } from './storage.ts';

/** Options of {@link Assembler.open}. */
export interface AssemblerOptions {
  /** The manifest, already verified ({@link openSignedManifest}) by the caller. */
  readonly manifest: Manifest;
  readonly storage: ChunkStorage;
  /** Storage key of this transfer. Default: the Merkle root in hex ({@link manifestId}). */
  readonly key?: string;
  /** Re-hash chunks found in storage when resuming, and forget corrupt ones. Default: true. */
  readonly verifyOnResume?: boolean;
  readonly logger?: Logger;
}

/** What {@link Assembler.accept} did with a valid chunk. */
export type AcceptOutcome = 'stored' | 'duplicate';

/** A byte range of the image, `end` excluded. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The receiving side of a transfer (device or server): verifies each chunk
 * against the manifest before it is stored, keeps the received-chunks bitmap
 * in storage so a restarted process resumes where it stopped, and verifies
 * the whole image at the end (manual §5.7: the plugin reports chunks "received
 * and stored", then commands validate and install).
 */
export class Assembler {
  readonly manifest: Manifest;
  readonly key: string;
  readonly #storage: ChunkStorage;
  readonly #bitmap: ChunkBitmap;
  readonly #tag: Uint8Array;
  readonly #storing = new Set<number>();
  #tail: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;

  private constructor(manifest: Manifest, key: string, storage: ChunkStorage, bitmap: ChunkBitmap) {
    this.manifest = manifest;
    this.key = key;
    this.#storage = storage;
    this.#bitmap = bitmap;
    this.#tag = transferTag(manifest);
  }

  /** Opens a transfer, resuming from the state saved in `storage` if there is one. */
  static async open(options: AssemblerOptions): Promise<Assembler> {
    checkManifest(options.manifest, 'options.manifest');
    const { manifest, storage } = options;
    const key = options.key ?? manifestId(manifest);
    const logger = options.logger ?? silentLogger;
    const saved = await storage.readState(key);
    const count = chunkCount(manifest);
    const bitmap = saved === undefined ? new ChunkBitmap(count) : decodeState(saved, manifest.root, count);
    const assembler = new Assembler(manifest, key, storage, bitmap);
    if (saved !== undefined && (options.verifyOnResume ?? true)) {
      const bad = await assembler.#recheck();
      if (bad.length > 0) {
        logger.warn('chunked: stored chunks failed verification on resume; they will be fetched again', {
          key,
          chunks: bad,
        });
        await assembler.#save();
      }
    }
    return assembler;
  }

  /** Chunks in the image. */
  get total(): number {
    return this.#bitmap.size;
  }

  /** Chunks received, verified and stored. */
  get received(): number {
    return this.#bitmap.count;
  }

  get complete(): boolean {
    return this.#bitmap.complete;
  }

  has(index: number): boolean {
    return this.#bitmap.has(index);
  }

  /** Chunk indexes still to fetch, as ascending runs. */
  missing(): IndexRange[] {
    return this.#bitmap.missing();
  }

  /** Byte ranges still to fetch (for HTTP Range requests). */
  missingBytes(): ByteRange[] {
    const { chunkSize, size } = this.manifest;
    return this.missing().map((r) => ({ start: r.start * chunkSize, end: Math.min(size, r.end * chunkSize) }));
  }

  /** A copy of the received-chunks bitmap's bytes (bit i = chunk i). */
  bitmap(): Uint8Array {
    return this.#bitmap.toBytes();
  }

  /**
   * Verifies the chunk at `index` and stores it. Throws `chunk-out-of-range`,
   * `chunk-size-mismatch` or `chunk-digest-mismatch` (details: index,
   * expected, got) without changing anything; a valid copy of a chunk already
   * held is dropped as `duplicate`. Resolves once chunk and bitmap are stored.
   */
  async accept(index: number, payload: Uint8Array): Promise<AcceptOutcome> {
    verifyChunk(this.manifest, index, payload);
    if (this.#bitmap.has(index) || this.#storing.has(index)) return 'duplicate';
    this.#storing.add(index);
    try {
      await this.#storage.writeChunk(this.key, index, payload);
      this.#bitmap.set(index);
    } finally {
      this.#storing.delete(index);
    }
    await this.#save();
    return 'stored';
  }

  /** Decodes a frame, refuses one of another image with `foreign-chunk`, then {@link accept}s it. */
  async acceptFrame(bytes: Uint8Array): Promise<{ readonly index: number; readonly outcome: AcceptOutcome }> {
    const frame = decodeFrame(bytes);
    if (!equalBytes(frame.tag, this.#tag) || frame.sizeExp !== chunkSizeExp(this.manifest.chunkSize)) {
      throw new ChunkedError(
        ChunkedErrorCode.ForeignChunk,
        `Cannot accept frame of chunk ${frame.index}: it belongs to another image`,
        {
          details: {
            index: frame.index,
            expected: { tag: toHex(this.#tag), sizeExp: chunkSizeExp(this.manifest.chunkSize) },
            got: { tag: toHex(frame.tag), sizeExp: frame.sizeExp },
          },
        },
      );
    }
    const last = frame.index === this.total - 1;
    if (frame.index < this.total && frame.more === last) {
      throw new ChunkedError(
        ChunkedErrorCode.FrameInvalid,
        `Cannot accept frame of chunk ${frame.index}: its more flag says ${frame.more}`,
        {
          details: { index: frame.index, expected: { more: !last }, got: { more: frame.more } },
        },
      );
    }
    return { index: frame.index, outcome: await this.accept(frame.index, frame.payload) };
  }

  /**
   * Re-reads every stored chunk, re-hashes it and checks the Merkle root.
   * Throws `incomplete` (details.missing) before the last chunk, and
   * `image-corrupt` (details.chunks) after forgetting chunks that storage
   * no longer holds intact, so a resume fetches exactly those again.
   */
  async verify(): Promise<void> {
    if (!this.complete) {
      throw new ChunkedError(
        ChunkedErrorCode.Incomplete,
        `Cannot verify ${this.manifest.name}: ${this.total - this.received} of ${this.total} chunks are missing`,
        {
          details: { expected: this.total, got: this.received, missing: this.missing() },
        },
      );
    }
    const bad = await this.#recheck();
    if (bad.length > 0) {
      await this.#save();
      throw new ChunkedError(
        ChunkedErrorCode.ImageCorrupt,
        `Cannot install ${this.manifest.name}: ${bad.length} stored chunks changed after they were verified`,
        {
          details: { chunks: bad },
        },
      );
    }
  }

  /** The assembled image, read chunk by chunk from storage. Call {@link verify} first. */
  stream(): ReadableStream<Uint8Array> {
    let index = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (index === this.total) return controller.close();
        const bytes = await this.#storage.readChunk(this.key, index);
        if (bytes === undefined || !this.#bitmap.has(index)) {
          return controller.error(
            new ChunkedError(
              ChunkedErrorCode.Incomplete,
              `Cannot read chunk ${index} of ${this.manifest.name}: it is not stored`,
              { details: { index } },
            ),
          );
        }
        index++;
        controller.enqueue(bytes);
      },
    });
  }

  /** Forgets the transfer's chunks and state (after install, or to restart from scratch). */
  async discard(): Promise<void> {
    await this.#tail;
    await this.#storage.remove(this.key);
  }

  // Re-hashes the chunks marked received; unmarks and returns those not intact.
  async #recheck(): Promise<number[]> {
    const bad: number[] = [];
    const digests = new Uint8Array(this.manifest.digests.length);
    for (let i = 0; i < this.total; i++) {
      if (!this.#bitmap.has(i)) continue;
      const bytes = await this.#storage.readChunk(this.key, i);
      const digest = bytes?.length === chunkLength(this.manifest, i) ? sha256(bytes) : undefined;
      if (digest === undefined || !equalBytes(digest, chunkDigest(this.manifest, i))) {
        bad.push(i);
        this.#bitmap.clear(i);
      } else digests.set(digest, i * 32);
    }
    // the whole-image check: the stored chunks' own digests rebuild the signed root
    if (bad.length === 0 && this.complete && !equalBytes(merkleRoot(digests), this.manifest.root)) {
      throw new ChunkedError(
        ChunkedErrorCode.ImageCorrupt,
        `Cannot install ${this.manifest.name}: the Merkle root of the stored chunks is not the manifest's`,
        {
          details: { expected: toHex(this.manifest.root), got: toHex(merkleRoot(digests)) },
        },
      );
    }
    return bad;
  }

  // Coalesces bitmap writes: a write not yet started will carry every bit set
  // before it starts, so concurrent accepts share one write.
  #save(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const next = this.#tail.then(() => {
      this.#next = undefined;
      return this.#storage.writeState(this.key, encodeState(this.manifest.root, this.#bitmap));
    });
    this.#next = next;
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

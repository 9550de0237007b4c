import { ChunkedError, ChunkedErrorCode } from './errors.ts';

/**
 * Where chunks and transfer state live, one namespace per transfer `key`.
 * A write that resolved survives a crash of the process (and, for adapters
 * that say so, a power loss): the assembler marks a chunk received only after
 * its write resolved.
 */
export interface ChunkStorage {
  /** Stores (or replaces) the chunk at `index` of transfer `key`. */
  writeChunk(key: string, index: number, bytes: Uint8Array): Promise<void>;
  /** The chunk's bytes, or undefined when none was stored. */
  readChunk(key: string, index: number): Promise<Uint8Array | undefined>;
  /** Replaces the transfer's state (bitmap) atomically: a reader sees the old or the new bytes. */
  writeState(key: string, state: Uint8Array): Promise<void>;
  readState(key: string): Promise<Uint8Array | undefined>;
  /** Forgets the transfer's chunks and state. */
  remove(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;

/** Throws `invalid-key` unless `key` is 1–200 of `A-Z a-z 0-9 . _ @ + -`, not starting with a dot. */
export function checkStorageKey(key: string): void {
  if (typeof key !== 'string' || !SAFE_KEY.test(key)) {
    throw new ChunkedError(
      ChunkedErrorCode.InvalidKey,
      `Cannot use storage key ${JSON.stringify(key)}: expected 1–200 of A-Z a-z 0-9 . _ @ + -, starting with a letter or digit`,
      {
        details: { path: 'key', expected: '/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/', got: key },
      },
    );
  }
}

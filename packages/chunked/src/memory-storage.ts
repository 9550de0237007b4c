import { type ChunkStorage, checkStorageKey } from './storage.ts';

interface Transfer {
  readonly chunks: Map<number, Uint8Array>;
  state: Uint8Array | undefined;
}

/**
 * Chunk storage in memory: for tests, and for servers that keep small images
 * in RAM. Bytes are copied in and out, so callers cannot alter what is stored.
 */
export function createMemoryStorage(): ChunkStorage {
  const transfers = new Map<string, Transfer>();
  const transfer = (key: string): Transfer => {
    checkStorageKey(key);
    let t = transfers.get(key);
    if (t === undefined) {
      t = { chunks: new Map(), state: undefined };
      transfers.set(key, t);
    }
    return t;
  };
  return {
    async writeChunk(key, index, bytes) {
      transfer(key).chunks.set(index, new Uint8Array(bytes));
    },
    async readChunk(key, index) {
      const bytes = transfer(key).chunks.get(index);
      return bytes === undefined ? undefined : new Uint8Array(bytes);
    },
    async writeState(key, state) {
      transfer(key).state = new Uint8Array(state);
    },
    async readState(key) {
      const state = transfer(key).state;
      return state === undefined ? undefined : new Uint8Array(state);
    },
    async remove(key) {
      checkStorageKey(key);
      transfers.delete(key);
    },
  };
}

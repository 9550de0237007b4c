import type { ChunkStorage } from '@fleetkit/chunked';
import { AgentError, AgentErrorCode } from '../errors.ts';

function failed(action: string, cause: unknown): AgentError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new AgentError(AgentErrorCode.StorageFailed, `Cannot ${action} package chunks: ${message}`, { cause });
}

/**
 * The storage with its failures as `storage-failed`, so a transfer tells a
 * full disk (the operation fails) from a cut connection (it is retried):
 * both reach it as plain errors thrown through the download.
 */
export function guardedStorage(storage: ChunkStorage): ChunkStorage {
  return {
    writeChunk: (key, index, bytes) => guard('store', () => storage.writeChunk(key, index, bytes)),
    readChunk: (key, index) => guard('read', () => storage.readChunk(key, index)),
    writeState: (key, state) => guard('store the state of', () => storage.writeState(key, state)),
    readState: (key) => guard('read the state of', () => storage.readState(key)),
    remove: (key) => guard('remove', () => storage.remove(key)),
  };
}

async function guard<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failed(action, error);
  }
}

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChunkStorage, checkStorageKey } from '../storage.ts';

/** Options of {@link createFsStorage}. */
export interface FsStorageOptions {
  /** Folder holding one sub-folder per transfer key. */
  readonly dir: string;
  /**
   * fsync each file and its folder before a write resolves, so it survives a
   * power loss, not only a crash. Default: true (devices lose power mid-transfer).
   */
  readonly durable?: boolean;
}

/**
 * Chunk storage on the filesystem: `<dir>/<key>/<index>.chunk` and
 * `<dir>/<key>/state`. Every write goes to a temporary file that is renamed
 * over the target, so a reader never sees half a chunk or half a bitmap.
 */
export function createFsStorage(options: FsStorageOptions): ChunkStorage {
  const durable = options.durable ?? true;
  let serial = 0;
  const folder = (key: string): string => {
    checkStorageKey(key);
    return join(options.dir, key);
  };

  async function writeAtomic(dir: string, name: string, bytes: Uint8Array): Promise<void> {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${name}.${process.pid}.${serial++}.tmp`);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, name));
    if (durable) await syncFolder(dir);
  }

  return {
    writeChunk: (key, index, bytes) => writeAtomic(folder(key), `${index}.chunk`, bytes),
    readChunk: (key, index) => readOrUndefined(join(folder(key), `${index}.chunk`)),
    writeState: (key, state) => writeAtomic(folder(key), 'state', state),
    readState: (key) => readOrUndefined(join(folder(key), 'state')),
    remove: (key) => rm(folder(key), { recursive: true, force: true }),
  };
}

async function readOrUndefined(path: string): Promise<Uint8Array | undefined> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

// The rename is durable only once the folder's entry is on disk.
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // some platforms cannot fsync a folder (EISDIR, EPERM, EINVAL); the file itself is synced
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((error as { code?: string }).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeChunkStorage } from '../testing/storage-suite.ts';
import { createFsStorage } from './fs-storage.ts';

const dirs = new WeakMap<object, string>();
const fresh = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-'));
  const storage = createFsStorage({ dir });
  dirs.set(storage, dir);
  return storage;
};

describeChunkStorage('filesystem', fresh, { reopen: async (storage) => createFsStorage({ dir: dirs.get(storage)! }) });
describeChunkStorage('filesystem, not durable', async () =>
  createFsStorage({ dir: mkdtempSync(join(tmpdir(), 'fleetkit-chunked-')), durable: false }),
);

describe('filesystem chunk storage', () => {
  it('leaves no temporary file behind after writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-'));
    const storage = createFsStorage({ dir });
    await Promise.all([
      storage.writeChunk('t', 0, new Uint8Array(10)),
      storage.writeChunk('t', 1, new Uint8Array(10)),
      storage.writeState('t', new Uint8Array(1)),
    ]);
    expect(readdirSync(join(dir, 't')).sort()).toEqual(['0.chunk', '1.chunk', 'state']);
  });
});

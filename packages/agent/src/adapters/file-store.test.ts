import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChunkStorage } from '@fleetkit/chunked';
import { describeChunkStorage } from '@fleetkit/chunked/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore, STATE_FILE } from './file-store.ts';

const auth = { id: 'pub-1', accessKey: 'key', hubUrl: 'http://hub' };

describe('fileStore', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fleetkit-agent-store-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('has nothing before the first save, creates its directory, and reads back what it saved', async () => {
    const directory = join(root, 'a', 'b');
    const store = fileStore(directory);
    expect(await store.load()).toBeUndefined();
    await store.save({ auth, configVersion: 4, inProgress: { id: '9.1', name: 'm:reboot' } });
    expect(await fileStore(directory).load()).toEqual({
      auth,
      configVersion: 4,
      inProgress: { id: '9.1', name: 'm:reboot' },
    });
    expect(JSON.parse(await readFile(join(directory, STATE_FILE), 'utf8'))).toMatchObject({ configVersion: 4 });
  });

  it('keeps saves in the order they were asked for, the last one winning', async () => {
    const store = fileStore(join(root, 'order'));
    await Promise.all(Array.from({ length: 20 }, (_, version) => store.save({ configVersion: version })));
    expect(await store.load()).toEqual({ configVersion: 19 });
  });

  it('ignores a temporary file a power cut left behind', async () => {
    const directory = join(root, 'torn');
    const store = fileStore(directory);
    await store.save({ auth, configVersion: 1 });
    await writeFile(join(directory, `${STATE_FILE}.tmp`), '{"auth":{"id":"half');
    expect(await store.load()).toEqual({ auth, configVersion: 1 });
    await store.save({ auth, configVersion: 2 });
    expect(await fileStore(directory).load()).toEqual({ auth, configVersion: 2 });
  });

  it('refuses contents that are not a state with state-invalid', async () => {
    const directory = join(root, 'garbage');
    await fileStore(directory).save({ configVersion: 0 });
    await writeFile(join(directory, STATE_FILE), 'not json');
    await expect(fileStore(directory).load()).rejects.toMatchObject({ code: 'state-invalid' });
    await writeFile(join(directory, STATE_FILE), '{"configVersion":"7"}');
    await expect(fileStore(directory).load()).rejects.toMatchObject({ code: 'state-invalid' });
  });
});

const made = new Map<ChunkStorage, string>();
let stores = 0;
const chunksRoot = mkdtempSync(join(tmpdir(), 'fleetkit-agent-chunks-'));
afterAll(() => rm(chunksRoot, { recursive: true, force: true }));

// the package chunks of a file store: what a new store on the same directory (a restarted agent) finds
describeChunkStorage(
  'fileStore(dir).chunks()',
  async () => {
    const directory = join(chunksRoot, `store-${stores++}`);
    const storage = fileStore(directory).chunks();
    made.set(storage, directory);
    return storage;
  },
  { reopen: async (storage) => fileStore(made.get(storage)!).chunks() },
);

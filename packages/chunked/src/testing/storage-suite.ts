import { type ContractOptions, contractSuite } from '@fleetkit/core/testing';
import { describe, expect } from 'vitest';
import type { ChunkStorage } from '../storage.ts';

/** What the additional tests of {@link describeChunkStorage} work with. */
export interface ChunkStorageSuiteContext {
  /** A fresh, empty storage (the suite's `create`). */
  create(): Promise<ChunkStorage>;
  /** A new instance over the same place as `storage` (the suite's `reopen`), if the storage has one. */
  readonly reopen?: (storage: ChunkStorage) => Promise<ChunkStorage>;
}

/** Options of {@link describeChunkStorage}. */
export interface ChunkStorageSuiteOptions extends ContractOptions<ChunkStorageSuiteContext> {
  /**
   * Returns a new instance over the same place as `storage`, as a restarted
   * process would see it; without it, the test of what survives a reopen is
   * reported as skipped.
   */
  readonly reopen?: (storage: ChunkStorage) => Promise<ChunkStorage>;
}

/** The contract every {@link ChunkStorage} passes. `create` returns a fresh, empty storage. */
export function describeChunkStorage(
  name: string,
  create: () => Promise<ChunkStorage>,
  options: ChunkStorageSuiteOptions = {},
): void {
  const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
  const { reopen } = options;

  describe(`chunk storage contract: ${name}`, () => {
    const contract = contractSuite(options);
    const it = contract.test;
    it('returns undefined for a chunk or state never written', async () => {
      const storage = await create();
      expect(await storage.readChunk('t1', 0)).toBeUndefined();
      expect(await storage.readState('t1')).toBeUndefined();
    });

    it('reads back the bytes of each chunk and of the state', async () => {
      const storage = await create();
      await storage.writeChunk('t1', 0, bytes(1, 2, 3));
      await storage.writeChunk('t1', 7, bytes(9));
      await storage.writeState('t1', bytes(0xff, 0x01));
      expect(await storage.readChunk('t1', 0)).toEqual(bytes(1, 2, 3));
      expect(await storage.readChunk('t1', 7)).toEqual(bytes(9));
      expect(await storage.readState('t1')).toEqual(bytes(0xff, 0x01));
    });

    it('stores a copy: changing the written array afterwards changes nothing stored', async () => {
      const storage = await create();
      const chunk = bytes(1, 2, 3);
      await storage.writeChunk('t1', 0, chunk);
      chunk[0] = 42;
      expect(await storage.readChunk('t1', 0)).toEqual(bytes(1, 2, 3));
    });

    it('replaces a chunk and the state on a second write', async () => {
      const storage = await create();
      await storage.writeChunk('t1', 0, bytes(1));
      await storage.writeChunk('t1', 0, bytes(2, 2));
      await storage.writeState('t1', bytes(1));
      await storage.writeState('t1', bytes(3, 3, 3));
      expect(await storage.readChunk('t1', 0)).toEqual(bytes(2, 2));
      expect(await storage.readState('t1')).toEqual(bytes(3, 3, 3));
    });

    it('keeps transfers apart and removes one without touching another', async () => {
      const storage = await create();
      await storage.writeChunk('a', 0, bytes(1));
      await storage.writeChunk('b', 0, bytes(2));
      await storage.writeState('a', bytes(1));
      await storage.remove('a');
      expect(await storage.readChunk('a', 0)).toBeUndefined();
      expect(await storage.readState('a')).toBeUndefined();
      expect(await storage.readChunk('b', 0)).toEqual(bytes(2));
    });

    it('rejects keys that could escape their namespace, with invalid-key', async () => {
      const storage = await create();
      for (const key of ['', '..', '../x', 'a/b', '.hidden', 'a\\b']) {
        await expect(Promise.resolve().then(() => storage.writeChunk(key, 0, bytes(1)))).rejects.toMatchObject({
          code: 'invalid-key',
        });
      }
    });

    it('keeps chunks and state for a new instance over the same place', async (context) => {
      if (reopen === undefined) return context.skip('no reopen given: the storage keeps nothing past its instance');
      const storage = await create();
      await storage.writeChunk('t1', 3, bytes(3, 3));
      await storage.writeState('t1', bytes(8));
      const again = await reopen(storage);
      expect(await again.readChunk('t1', 3)).toEqual(bytes(3, 3));
      expect(await again.readState('t1')).toEqual(bytes(8));
    });

    contract.finish(reopen === undefined ? { create } : { create, reopen });
  });
}

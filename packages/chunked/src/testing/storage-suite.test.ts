import { testOutcomes } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../memory-storage.ts';
import { describeChunkStorage } from './storage-suite.ts';

describe('the chunk storage contract with options', () => {
  const reason = 'this storage keeps the caller’s array (a reason for the report)';
  const read: unknown[] = [];
  describeChunkStorage('memory', async () => createMemoryStorage(), {
    reopen: async (same) => same,
    skip: { 'stores a copy: changing the written array afterwards changes nothing stored': reason },
    additionalTests({ create, reopen }) {
      it('reads a chunk back through the suite’s create and reopen', async () => {
        const storage = await create();
        await storage.writeChunk('t', 1, new Uint8Array([7]));
        read.push(await (await reopen!(storage)).readChunk('t', 1));
      });
    },
  });
  describeChunkStorage('memory without reopen', async () => createMemoryStorage());

  it('reports skipped tests with their reason and runs the additional test with the suite’s context', (context) => {
    const outcomes = testOutcomes(context);
    const suite = 'the chunk storage contract with options > chunk storage contract: memory > ';
    expect(outcomes.get(`${suite}stores a copy: changing the written array afterwards changes nothing stored`)).toEqual(
      { state: 'skip', note: reason },
    );
    expect(outcomes.get(`${suite}keeps chunks and state for a new instance over the same place`)?.state).toBe('pass');
    expect(outcomes.get(`${suite}reads a chunk back through the suite’s create and reopen`)?.state).toBe('pass');
    expect(read).toEqual([new Uint8Array([7])]);
    expect(
      outcomes.get(
        'the chunk storage contract with options > chunk storage contract: memory without reopen > keeps chunks and state for a new instance over the same place',
      ),
    ).toEqual({ state: 'skip', note: 'no reopen given: the storage keeps nothing past its instance' });
  });
});

import type { ChunkStorage } from '@fleetkit/chunked';
import { describeChunkStorage } from '@fleetkit/chunked/testing';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, type MemoryStore, memoryStore, parseAgentState, withoutRegistration } from './store.ts';

const auth = { id: 'pub-1', accessKey: 'key', hubUrl: 'http://hub' };

describe('parseAgentState', () => {
  it('takes a full state and drops fields it does not know', () => {
    expect(
      parseAgentState({
        auth: { ...auth, extra: 1 },
        configVersion: 7,
        inProgress: { id: '3.1', name: 'm:reboot' },
        junk: true,
      }),
    ).toEqual({ auth, configVersion: 7, inProgress: { id: '3.1', name: 'm:reboot' } });
    expect(parseAgentState({ configVersion: 0 })).toEqual(EMPTY_STATE);
  });

  it('takes the pinned package key, the record of installed packages and how far a package operation got', () => {
    const state = {
      configVersion: 1,
      packageKey: 'a2V5',
      packages: { fw: '1.0', lib: '2.1' },
      packageSequences: { fw: 4, lib: 0 },
      inProgress: {
        id: '4.1',
        name: 'exodm:upgrade-package',
        package: { stage: 'reboot', name: 'fw-2', version: '2.0', from: 'fw', sequence: 5 },
      },
    };
    expect(parseAgentState(state)).toEqual(state);
  });

  it.each([
    ['not an object', []],
    ['a package key that is not text', { configVersion: 0, packageKey: 7 }],
    ['a package record with a version that is not text', { configVersion: 0, packages: { fw: 1 } }],
    [
      'a package stage it does not know',
      { configVersion: 0, inProgress: { id: '1.1', name: 'x', package: { stage: 'done', name: 'fw', version: '1' } } },
    ],
    [
      'a package stage without a version',
      { configVersion: 0, inProgress: { id: '1.1', name: 'x', package: { stage: 'install', name: 'fw' } } },
    ],
    ['a package sequence that is negative', { configVersion: 0, packageSequences: { fw: -1 } }],
    ['a package sequence that is not a whole number', { configVersion: 0, packageSequences: { fw: 1.5 } }],
    ['a package sequence that is text', { configVersion: 0, packageSequences: { fw: '3' } }],
    [
      'a package stage whose sequence is not a number',
      {
        configVersion: 0,
        inProgress: { id: '1.1', name: 'x', package: { stage: 'install', name: 'fw', version: '1', sequence: '2' } },
      },
    ],
    ['auth without a key', { auth: { id: 'x', hubUrl: 'h' }, configVersion: 0 }],
    ['a negative version', { configVersion: -1 }],
    ['a fractional version', { configVersion: 1.5 }],
    ['no version', { auth }],
    ['a command without a name', { configVersion: 0, inProgress: { id: '1.1' } }],
  ])('refuses %s with state-invalid', (_name, value) => {
    expect(() => parseAgentState(value)).toThrow(expect.objectContaining({ code: 'state-invalid' }));
  });
});

describe('withoutRegistration', () => {
  it('keeps the pinned key and the installed packages with their sequences, and drops the rest', () => {
    const state = {
      auth,
      configVersion: 3,
      inProgress: { id: '2.1', name: 'm:reboot' },
      packageKey: 'a2V5',
      packages: { fw: '2.0' },
      packageSequences: { fw: 2 },
    };
    expect(withoutRegistration(state)).toEqual({
      configVersion: 0,
      packageKey: 'a2V5',
      packages: { fw: '2.0' },
      packageSequences: { fw: 2 },
    });
  });
});

describe('memoryStore', () => {
  it('hands the state saved last to whoever loads it, and nothing before the first save', async () => {
    const store = memoryStore();
    expect(await store.load()).toBeUndefined();
    await store.save({ auth, configVersion: 2 });
    await store.save({ auth, configVersion: 3 });
    expect(await store.load()).toEqual({ auth, configVersion: 3 });
    expect(store.state).toEqual({ auth, configVersion: 3 });
    expect(await memoryStore({ configVersion: 9 }).load()).toEqual({ configVersion: 9 });
  });
});

const stores = new Map<ChunkStorage, MemoryStore>();

// a memory store's chunks outlive the agent: a new agent on the same store (a simulated restart) resumes
describeChunkStorage(
  'memoryStore().chunks()',
  async () => {
    const store = memoryStore();
    const storage = store.chunks();
    stores.set(storage, store);
    return storage;
  },
  { reopen: async (storage) => stores.get(storage)!.chunks() },
);

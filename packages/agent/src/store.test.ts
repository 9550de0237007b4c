import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, memoryStore, parseAgentState } from './store.ts';

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

  it.each([
    ['not an object', []],
    ['auth without a key', { auth: { id: 'x', hubUrl: 'h' }, configVersion: 0 }],
    ['a negative version', { configVersion: -1 }],
    ['a fractional version', { configVersion: 1.5 }],
    ['no version', { auth }],
    ['a command without a name', { configVersion: 0, inProgress: { id: '1.1' } }],
  ])('refuses %s with state-invalid', (_name, value) => {
    expect(() => parseAgentState(value)).toThrow(expect.objectContaining({ code: 'state-invalid' }));
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

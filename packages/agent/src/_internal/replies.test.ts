import { describe, expect, it } from 'vitest';
import { authDataOf, commandOf, configOf, licensesOf, pendingOf } from './replies.ts';

describe('the device API answers as the agent reads them', () => {
  it('reads a registration; a missing hub URL means the provisioning origin', () => {
    expect(authDataOf({ id: 'p1', access_key: 'k', hub_url: 'https://hub.example/' }, 'http://entry')).toEqual({
      id: 'p1',
      accessKey: 'k',
      hubUrl: 'https://hub.example',
    });
    expect(authDataOf({ id: 7, access_key: 'k' }, 'http://entry.example:8000/x')).toEqual({
      id: '7',
      accessKey: 'k',
      hubUrl: 'http://entry.example:8000',
    });
    expect(() => authDataOf({ id: 'p1' }, 'http://e')).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
  });

  it('reads a telemetry answer (Xyte field names; a missing version is 0)', () => {
    expect(pendingOf({ config_version: 12, command: true, new_licenses: false })).toEqual({
      command: true,
      configVersion: 12,
      licenses: false,
    });
    expect(pendingOf({ command: 'yes' })).toEqual({ command: false, configVersion: 0, licenses: false });
    expect(() => pendingOf({ config_version: -3 })).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
    expect(() => pendingOf('ok')).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
  });

  it('reads a command, pending unless in_progress, with its cancel flag', () => {
    expect(commandOf({ id: '4.2', name: 'm:beep', parameters: { times: 2 }, status: 'in_progress' })).toEqual({
      id: '4.2',
      name: 'm:beep',
      parameters: { times: 2 },
      status: 'in_progress',
      cancel: false,
    });
    expect(commandOf({ id: 9, name: 'm:stop', cancel: true })).toMatchObject({
      id: '9',
      parameters: {},
      status: 'pending',
      cancel: true,
    });
    expect(() => commandOf({ id: '1.1' })).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
  });

  it('reads a configuration with or without a delivery id', () => {
    expect(configOf({ id: '5.1', version: 5, config: { version: 5, updates: [] } })).toEqual({
      id: '5.1',
      version: 5,
      config: { version: 5, updates: [] },
    });
    expect(configOf({ config: { version: 3 } })).toEqual({ version: 3, config: { version: 3 } });
    expect(() => configOf({ version: 'x' })).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
  });

  it('reads licences in order with their action and expiry', () => {
    expect(
      licensesOf([
        { id: 'pro', add: true, expired_at: '2030-01-01T00:00:00.000Z', data: { seats: 5 } },
        { id: 'old', remove: true },
      ]),
    ).toEqual([
      { id: 'pro', action: 'add', expiresAt: '2030-01-01T00:00:00.000Z', data: { seats: 5 } },
      { id: 'old', action: 'remove', data: undefined },
    ]);
    expect(() => licensesOf([{ id: 'x' }])).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
    expect(() => licensesOf({})).toThrow(expect.objectContaining({ code: 'invalid-reply' }));
  });
});

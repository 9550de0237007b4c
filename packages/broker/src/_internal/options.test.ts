import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { resolveOptions } from './options.ts';

const keys = { deviceKeys: ['d'], controlKeys: ['c'] };

describe('broker options', () => {
  it('fills the documented defaults', () => {
    const o = resolveOptions(keys);
    expect([o.heartbeatMs, o.maxMessageBytes, o.maxBufferedBytes, o.slowConsumer]).toEqual([
      30_000,
      65_536,
      1 << 20,
      'disconnect',
    ]);
  });

  it('needs no deviceKeys when authorizeDevice decides', () => {
    const authorizeDevice = () => true;
    const o = resolveOptions({ controlKeys: ['c'], authorizeDevice });
    expect([o.deviceKeys, o.authorizeDevice]).toEqual([[], authorizeDevice]);
  });

  it.each([
    [{ deviceKeys: [] }, 'deviceKeys'],
    [{ controlKeys: [''] }, 'controlKeys'],
    [{ deviceKeys: 'd' }, 'deviceKeys'],
    [{ heartbeatMs: -1 }, 'heartbeatMs'],
    [{ maxMessageBytes: 10 }, 'maxMessageBytes'],
    [{ maxBufferedBytes: 1.5 }, 'maxBufferedBytes'],
    [{ slowConsumer: 'block' }, 'slowConsumer'],
    [{ deviceKeys: undefined }, 'deviceKeys'],
    [{ deviceKeys: [], authorizeDevice: () => true }, 'deviceKeys'],
    [{ authorizeDevice: 'yes' }, 'authorizeDevice'],
  ])('refuses %j with invalid-option naming %s', (bad, path) => {
    try {
      resolveOptions({ ...keys, ...(bad as object) } as Parameters<typeof resolveOptions>[0]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BrokerError);
      expect((e as BrokerError).code).toBe('invalid-option');
      expect((e as BrokerError).details?.path).toBe(path);
    }
  });
});

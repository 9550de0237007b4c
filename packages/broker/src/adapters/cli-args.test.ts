import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { parseCli } from './cli-args.ts';

describe('fleetkit-broker arguments', () => {
  it('reads port, host, repeated keys and the tuning flags', () => {
    expect(
      parseCli(
        [
          '--port',
          '9000',
          '--host',
          '127.0.0.1',
          '--device-key',
          'd1',
          '--device-key',
          'd2',
          '--control-key',
          'c',
          '--heartbeat-ms',
          '0',
          '--slow-consumer',
          'drop',
        ],
        {},
      ),
    ).toEqual({
      listen: { port: 9000, hostname: '127.0.0.1' },
      broker: { deviceKeys: ['d1', 'd2'], controlKeys: ['c'], heartbeatMs: 0, slowConsumer: 'drop' },
    });
  });

  it('takes keys from FLEETKIT_DEVICE_KEYS and FLEETKIT_CONTROL_KEYS when no flag names them', () => {
    expect(parseCli([], { FLEETKIT_DEVICE_KEYS: 'a,b', FLEETKIT_CONTROL_KEYS: 'c' }).broker).toEqual({
      deviceKeys: ['a', 'b'],
      controlKeys: ['c'],
    });
  });

  it.each([
    [['--control-key', 'c'], '--device-key'],
    [['--device-key', 'd'], '--control-key'],
    [['--device-key', 'd', '--control-key', 'c', '--port', '80x'], '--port'],
  ])('refuses %j naming %s', (argv, path) => {
    try {
      parseCli(argv, {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BrokerError);
      expect((e as BrokerError).details?.path).toBe(path);
    }
  });
});

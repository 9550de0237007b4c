import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args.ts';

const base = ['--url', 'http://fleet:8000', '--account', 'acme', '--provisioning-key', 'k-1'];

describe('fleetkit-agent arguments', () => {
  it('takes the server, the identity, the state directory and the transport, with defaults', () => {
    expect(parseCli(base, {}, 'host-7')).toEqual({
      url: 'http://fleet:8000',
      registration: { account: 'acme', provisioningKey: 'k-1', deviceId: 'host-7' },
      stateDir: './fleetkit-agent-state',
      transport: 'http',
    });
    expect(
      parseCli(
        [
          '--url',
          'https://fleet',
          '--account',
          'acme',
          '--device-id',
          'm-1',
          '--state-dir',
          '/var/lib/agent',
          '--transport',
          'broker',
          '--broker-url',
          'wss://fleet/devices',
          '--name',
          'meter',
          '--firmware-version',
          '1.0',
          '--telemetry-ms',
          '10000',
          '--simulate',
          '50',
        ],
        { FLEETKIT_PROVISIONING_KEY: 'from-env' },
        'h',
      ),
    ).toEqual({
      url: 'https://fleet',
      registration: {
        account: 'acme',
        provisioningKey: 'from-env',
        deviceId: 'm-1',
        name: 'meter',
        firmwareVersion: '1.0',
      },
      stateDir: '/var/lib/agent',
      transport: 'broker',
      brokerUrl: 'wss://fleet/devices',
      telemetryInterval: 10_000,
      simulate: 50,
    });
  });

  it.each([
    [['--account', 'a', '--provisioning-key', 'k'], '--url'],
    [['--url', 'ftp://x', '--account', 'a', '--provisioning-key', 'k'], '--url'],
    [['--url', 'http://x', '--provisioning-key', 'k'], '--account'],
    [['--url', 'http://x', '--account', 'a'], '--provisioning-key'],
    [[...base, '--transport', 'mqtt'], '--transport'],
    [[...base, '--telemetry-ms', '0'], '--telemetry-ms'],
    [[...base, '--simulate', 'many'], '--simulate'],
  ])('refuses %j naming %s', (argv, path) => {
    expect(() => parseCli(argv, {}, 'h')).toThrow(
      expect.objectContaining({ code: 'invalid-option', details: expect.objectContaining({ path }) }),
    );
  });
});

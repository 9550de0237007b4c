import { parseArgs } from 'node:util';
import type { BrokerOptions, SlowConsumerPolicy } from '../_internal/options.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import type { ListenOptions } from './server.ts';

/** Usage text of `fleetkit-broker`. */
export const USAGE = `Usage: fleetkit-broker --port N --device-key K --control-key K [options]

  --port N                 TCP port (default 8080; 0 picks a free one)
  --host H                 interface to bind (default 0.0.0.0)
  --device-key K           key accepted on /devices; repeatable; or FLEETKIT_DEVICE_KEYS=k1,k2
  --control-key K          key accepted on /control; repeatable; or FLEETKIT_CONTROL_KEYS=k1,k2
  --heartbeat-ms N         ping interval, 0 = off (default 30000)
  --max-message-bytes N    largest accepted frame (default 65536)
  --max-buffered-bytes N   send buffer before the slow-consumer policy applies (default 1048576)
  --slow-consumer P        disconnect (default) | drop

Signals: SIGTERM/SIGINT close every connection with 1001, SIGHUP with 1012, then exit.`;

/** What the command line asks for. */
export interface CliConfig {
  readonly listen: ListenOptions;
  readonly broker: Omit<BrokerOptions, 'clock' | 'random' | 'logger'>;
}

function int(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start as --${flag} must be a non-negative integer: got ${JSON.stringify(value)}`,
      {
        details: { path: `--${flag}`, expected: 'non-negative integer', got: value },
      },
    );
  }
  return n;
}

function keys(flag: string, given: string[] | undefined, env: string | undefined): string[] {
  const list = given !== undefined && given.length > 0 ? given : (env ?? '').split(',').filter((k) => k !== '');
  if (list.length === 0) {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start as no ${flag} is configured: pass --${flag} K or set FLEETKIT_${flag.toUpperCase().replace('-', '_')}S`,
      {
        details: { path: `--${flag}`, expected: 'at least one key', got: [] },
      },
    );
  }
  return list;
}

/** Parses `fleetkit-broker` arguments; throws {@link BrokerError} `invalid-option` naming the flag. */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'device-key': { type: 'string', multiple: true },
      'control-key': { type: 'string', multiple: true },
      'heartbeat-ms': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'max-buffered-bytes': { type: 'string' },
      'slow-consumer': { type: 'string' },
    },
    strict: true,
  });
  const slow = values['slow-consumer'];
  const port = int('port', values.port);
  const optional = {
    ...(values['heartbeat-ms'] === undefined ? {} : { heartbeatMs: int('heartbeat-ms', values['heartbeat-ms'])! }),
    ...(values['max-message-bytes'] === undefined
      ? {}
      : { maxMessageBytes: int('max-message-bytes', values['max-message-bytes'])! }),
    ...(values['max-buffered-bytes'] === undefined
      ? {}
      : { maxBufferedBytes: int('max-buffered-bytes', values['max-buffered-bytes'])! }),
    ...(slow === undefined ? {} : { slowConsumer: slow as SlowConsumerPolicy }),
  };
  return {
    listen: {
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { hostname: values.host }),
    },
    broker: {
      deviceKeys: keys('device-key', values['device-key'], env.FLEETKIT_DEVICE_KEYS),
      controlKeys: keys('control-key', values['control-key'], env.FLEETKIT_CONTROL_KEYS),
      ...optional,
    },
  };
}

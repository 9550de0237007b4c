import { parseArgs } from 'node:util';
import { DEVICE_APIS, type DeviceApiName } from './devices/device.ts';

/** Usage text of `fleetkit-conformance`. */
export const USAGE = `Usage: fleetkit-conformance --url URL --user U --password P [options]

  --url URL                the server's base URL (the backend API is <url>/exodm/rpc)
  --user U, --password P   a master user: the suites create their own accounts, users and devices
  --suite a,b              only these suites (default: all): SUITE_NAMES
  --device-api A           how devices are played: fleetkit-http (default), exoport or broker
  --broker-url URL         the broker devices connect to (default: <url> as ws://, /devices appended)
  --callback-host H        where the callback listener listens (default 127.0.0.1)
  --callback-port N        its port (default 0: a free one)
  --wait-ms N              how long to wait for a callback or a delivery (default 10000)
  --short-timeout-ms N     the timeout the timeouts suite gives its transactions (default 1500)
  --junit FILE             also write a JUnit XML report
  --json                   print the results as JSON on stdout (progress goes to stderr)
  broker-lifecycle only:
  --broker-device-key K, --broker-control-key K   keys of a standalone broker at --broker-url
  --broker-heartbeat-ms N  the broker's ping interval (default 30000)
  --restart-command CMD    restarts the broker (its devices must see close 1012)
  --shutdown-command CMD   stops the broker (its devices must see close 1001)
  --help                   this text

Exit status: 0 when every check passed or was skipped, 1 when one failed, 2 on bad arguments.`;

/** What the command line asks for. */
export interface CliOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly suites: readonly string[] | undefined;
  readonly deviceApi: DeviceApiName;
  readonly brokerUrl: string;
  readonly callbackHost: string;
  readonly callbackPort: number;
  readonly waitMs: number;
  readonly shortTimeoutMs: number;
  readonly junit: string | undefined;
  readonly json: boolean;
  readonly brokerDeviceKey: string | undefined;
  readonly brokerControlKey: string | undefined;
  readonly brokerHeartbeatMs: number;
  readonly restartCommand: string | undefined;
  readonly shutdownCommand: string | undefined;
}

/** A command line that cannot run: the message says which flag and why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses the flags; `help` when --help was given. */
export function parseOptions(argv: readonly string[], suiteNames: readonly string[]): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        url: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        suite: { type: 'string' },
        'device-api': { type: 'string' },
        'broker-url': { type: 'string' },
        'callback-host': { type: 'string' },
        'callback-port': { type: 'string' },
        'wait-ms': { type: 'string' },
        'short-timeout-ms': { type: 'string' },
        junit: { type: 'string' },
        json: { type: 'boolean' },
        'broker-device-key': { type: 'string' },
        'broker-control-key': { type: 'string' },
        'broker-heartbeat-ms': { type: 'string' },
        'restart-command': { type: 'string' },
        'shutdown-command': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';
  const text = (flag: string): string | undefined => values[flag] as string | undefined;
  const missing = ['url', 'user', 'password'].filter((flag) => text(flag) === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((flag) => `--${flag}`).join(', ')}`);
  const url = text('url')!;
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL: got ${JSON.stringify(url)}`);
  const suites = text('suite')
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = (suites ?? []).filter((name) => !suiteNames.includes(name));
  if (unknown.length > 0)
    throw new UsageError(`unknown suite ${unknown.join(', ')}: choose from ${suiteNames.join(', ')}`);
  const deviceApi = text('device-api') ?? 'fleetkit-http';
  if (!(DEVICE_APIS as readonly string[]).includes(deviceApi)) {
    throw new UsageError(`--device-api must be one of ${DEVICE_APIS.join(', ')}: got ${JSON.stringify(deviceApi)}`);
  }
  const base = url.endsWith('/') ? url : `${url}/`;
  return {
    url: base,
    user: text('user')!,
    password: text('password')!,
    suites,
    deviceApi: deviceApi as DeviceApiName,
    brokerUrl: text('broker-url') ?? base.replace(/^http/, 'ws').replace(/\/$/, ''),
    callbackHost: text('callback-host') ?? '127.0.0.1',
    callbackPort: integer('callback-port', text('callback-port'), 0, 65_535) ?? 0,
    waitMs: integer('wait-ms', text('wait-ms'), 1, 3_600_000) ?? 10_000,
    shortTimeoutMs: integer('short-timeout-ms', text('short-timeout-ms'), 1, 3_600_000) ?? 1_500,
    junit: text('junit'),
    json: values.json === true,
    brokerDeviceKey: text('broker-device-key'),
    brokerControlKey: text('broker-control-key'),
    brokerHeartbeatMs: integer('broker-heartbeat-ms', text('broker-heartbeat-ms'), 1, 3_600_000) ?? 30_000,
    restartCommand: text('restart-command'),
    shutdownCommand: text('shutdown-command'),
  };
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer ${min}..${max}: got ${JSON.stringify(value)}`);
  }
  return n;
}

import { parseArgs } from 'node:util';
import { AgentError, AgentErrorCode } from '../errors.ts';
import type { Interval } from '../timing.ts';
import type { Registration } from '../types.ts';

/** Usage text of `fleetkit-agent`. */
export const USAGE = `Usage: fleetkit-agent --url URL --account A --provisioning-key K [options]

  --url URL                the server's provisioning URL (http:// or https://)
  --account A              the account of the device type
  --provisioning-key K     the device type's provisioning key; or FLEETKIT_PROVISIONING_KEY
  --device-id ID           the device's id (default: the host name)
  --state-dir DIR          where the auth data and package chunks are kept (default ./fleetkit-agent-state)
  --transport T            http (default) | broker
  --broker-url URL         the broker's device endpoint (default: ws(s)://<hub>/devices)
  --name N                 a human-readable name
  --firmware-version V     reported at registration
  --telemetry-ms N         a fixed telemetry interval (default 5–30 s, drawn per beat)
  --simulate N             run N simulated devices <device-id>-0 … -<N-1> (memory state) instead of one

Every command is reported done with what it received; configuration and licences are accepted;
packages are transferred into the state directory, verified and reported installed.
Logs are JSON lines on stderr. SIGINT/SIGTERM stop the agent (nothing half-done is reported) and exit.`;

/** What the command line asks for. */
export interface CliConfig {
  readonly url: string;
  readonly registration: Registration;
  readonly stateDir: string;
  readonly transport: 'http' | 'broker';
  readonly brokerUrl?: string;
  readonly telemetryInterval?: Interval;
  /** Simulated devices; absent: one real agent. */
  readonly simulate?: number;
}

function invalid(flag: string, expected: string, got: unknown): AgentError {
  return new AgentError(AgentErrorCode.InvalidOption, `Cannot start as --${flag} must be ${expected}`, {
    details: { path: `--${flag}`, expected, got },
  });
}

function count(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min) {
    throw invalid(flag, `an integer ≥ ${min}`, value);
  }
  return number;
}

/** Parses `fleetkit-agent` arguments; throws {@link AgentError} `invalid-option` naming the flag. */
export function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  hostname: string,
): CliConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      account: { type: 'string' },
      'provisioning-key': { type: 'string' },
      'device-id': { type: 'string' },
      'state-dir': { type: 'string' },
      transport: { type: 'string' },
      'broker-url': { type: 'string' },
      name: { type: 'string' },
      'firmware-version': { type: 'string' },
      'telemetry-ms': { type: 'string' },
      simulate: { type: 'string' },
    },
    strict: true,
  });
  const url = values.url;
  if (url === undefined || !/^https?:\/\/[^/]/i.test(url)) throw invalid('url', 'an http(s) URL', url);
  if (values.account === undefined || values.account === '')
    throw invalid('account', 'an account name', values.account);
  const key = values['provisioning-key'] ?? env.FLEETKIT_PROVISIONING_KEY;
  if (key === undefined || key === '') {
    throw invalid('provisioning-key', 'a key (or FLEETKIT_PROVISIONING_KEY)', key);
  }
  const transport = values.transport ?? 'http';
  if (transport !== 'http' && transport !== 'broker') throw invalid('transport', 'http or broker', transport);
  const telemetry = count('telemetry-ms', values['telemetry-ms'], 1);
  const simulate = count('simulate', values.simulate, 1);
  return {
    url,
    registration: {
      account: values.account,
      provisioningKey: key,
      deviceId: values['device-id'] ?? hostname,
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values['firmware-version'] === undefined ? {} : { firmwareVersion: values['firmware-version'] }),
    },
    stateDir: values['state-dir'] ?? './fleetkit-agent-state',
    transport,
    ...(values['broker-url'] === undefined ? {} : { brokerUrl: values['broker-url'] }),
    ...(telemetry === undefined ? {} : { telemetryInterval: telemetry }),
    ...(simulate === undefined ? {} : { simulate }),
  };
}

import { parseArgs } from 'node:util';
import type { ServerSettings } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';

/** Usage text of `fleetkit-server`. */
export const USAGE = `Usage: fleetkit-server [options]

  --port N                 TCP port (default 8000; 0 picks a free one)
  --host H                 interface to bind (default 127.0.0.1)
  --data-dir DIR           where the embedded SQLite database lives (default ./fleetkit-data)
  --database URL           postgres://… : share one PostgreSQL database between server processes
  --tls-cert FILE          PEM certificate: serve HTTPS (with --tls-key)
  --tls-key FILE           PEM private key
  --callbacks-to-group-urls  also post transaction callbacks to the device's groups' URLs (the 1.x behaviour)
  --allow-destination D    a CIDR or host name notification URLs may point at (repeatable; default: any)
  --deny-destination D     a CIDR or host name they may not (repeatable; adds to the link-local default)
  --log-level L            debug | info | warn | error (default info)
  --help                   this text

Environment: FLEETKIT_ADMIN_PASSWORD sets sysadm's password on first start (otherwise one is generated and
printed once). SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the database, exit.`;

/** What the command line asks for. */
export interface CliConfig {
  readonly help: boolean;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: string | undefined;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly settings: Partial<ServerSettings>;
}

function invalid(flag: string, expected: string, got: unknown): never {
  throw new ServerError(ServerErrorCode.InvalidOption, `Cannot start as --${flag} must be ${expected}`, {
    details: { path: flag, expected, got },
  });
}

/** Parses `fleetkit-server` flags; a bad one throws `invalid-option` naming the flag. */
export function parseCli(argv: readonly string[]): CliConfig {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'callbacks-to-group-urls': { type: 'boolean' },
      'allow-destination': { type: 'string', multiple: true },
      'deny-destination': { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const port = values.port === undefined ? 8000 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65_535) invalid('port', 'an integer 0..65535', values.port);
  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    invalid('database', 'a postgres:// URL (the embedded default needs no flag)', database);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    invalid('tls-cert', 'given together with --tls-key', values['tls-cert'] ?? values['tls-key']);
  }
  const level = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) invalid('log-level', 'debug, info, warn or error', level);
  const settings: { -readonly [K in keyof ServerSettings]?: ServerSettings[K] } = {};
  if (values['callbacks-to-group-urls'] === true) settings.callbacksToGroupUrls = true;
  if (values['allow-destination'] !== undefined) settings.destinationsAllow = values['allow-destination'];
  if (values['deny-destination'] !== undefined) {
    settings.destinationsDeny = ['169.254.0.0/16', 'fe80::/10', ...values['deny-destination']];
  }
  return {
    help: values.help === true,
    port,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? 'fleetkit-data',
    database,
    tls:
      values['tls-cert'] === undefined || values['tls-key'] === undefined
        ? undefined
        : { cert: values['tls-cert'], key: values['tls-key'] },
    logLevel: level as CliConfig['logLevel'],
    settings,
  };
}

import { formatIp, type IpNetwork, isNoDestination, networkHolds, parseIp, parseNetwork } from './_internal/ip.ts';
import { lookupHost } from './adapters/dns.ts';
import type { ServerContext, ServerSettings } from './context.ts';
import { ServerError, ServerErrorCode } from './errors.ts';
import { fail, ResultCode } from './result-code.ts';

/** Every address of a host name; rejects when the name does not resolve. */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/** Where tenant-given URLs may point: the operator's lists (CIDRs, addresses, host names) and a resolver. */
export interface DestinationPolicy {
  /** When not empty, a destination must be on it: by host name, or with every address in its networks. */
  readonly allow: readonly string[];
  /** A destination whose host name or any address is on it is refused; it wins over `allow`. */
  readonly deny: readonly string[];
  readonly resolve: ResolveHost;
}

/** Why a destination was refused: a malformed URL, the operator's rules, or a host name that does not resolve. */
export type RefusalCode = 'invalid-url' | 'destination-denied' | 'unresolved';

/** The outcome of {@link judgeDestination}. */
export type DestinationVerdict =
  | {
      readonly allowed: true;
      readonly url: URL;
      /** The checked addresses; connect to one of these, not to a new resolution of the name. */
      readonly addresses: readonly string[];
    }
  | { readonly allowed: false; readonly code: RefusalCode; readonly reason: string };

/** A rule list, parsed: networks and host-name patterns (`name`, or `*.name` for its subdomains). */
interface Rules {
  readonly networks: readonly IpNetwork[];
  readonly names: readonly string[];
}

function hostName(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

function parseRules(list: readonly string[], setting: string): Rules {
  const networks: IpNetwork[] = [];
  const names: string[] = [];
  for (const rule of list) {
    const network = parseNetwork(rule);
    if (network !== undefined) networks.push(network);
    else if (!rule.includes('/') && /^(\*\.)?[a-z0-9._-]+$/i.test(rule)) names.push(hostName(rule));
    else {
      throw new ServerError(
        ServerErrorCode.InvalidOption,
        `Cannot use ${setting} rule "${rule}": not a CIDR, address or host name`,
        {
          details: { path: setting, expected: 'a CIDR, an IP address or a host name', got: rule },
        },
      );
    }
  }
  return { networks, names };
}

function nameMatches(rules: Rules, name: string): string | undefined {
  return rules.names.find((rule) => (rule.startsWith('*.') ? name.endsWith(rule.slice(1)) : name === rule));
}

/** The destination policy of a server's settings, with the system resolver. */
export function destinationPolicy(settings: ServerSettings): DestinationPolicy {
  return { allow: settings.destinationsAllow, deny: settings.destinationsDeny, resolve: lookupHost };
}

/** Throws `invalid-option` when a rule of `destinationsAllow` or `destinationsDeny` is malformed. */
export function checkDestinationSettings(settings: ServerSettings): void {
  parseRules(settings.destinationsAllow, 'destinationsAllow');
  parseRules(settings.destinationsDeny, 'destinationsDeny');
}

function refuse(code: RefusalCode, reason: string): DestinationVerdict {
  return { allowed: false, code, reason };
}

/**
 * Decides whether a tenant-given URL may be contacted: http or https only,
 * no deny-listed host name, and every address it resolves to checked (any
 * address on the deny list, or one that names no single server, refuses it;
 * with an allow list, the name or every address must be on it). Runs on
 * any runtime: the resolver is the caller's.
 */
export async function judgeDestination(text: string, policy: DestinationPolicy): Promise<DestinationVerdict> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('invalid-url', `${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('invalid-url', `a notification URL must be http or https, not ${url.protocol.slice(0, -1)}`);
  }
  const allow = parseRules(policy.allow, 'destinationsAllow');
  const deny = parseRules(policy.deny, 'destinationsDeny');
  const literal = parseIp(url.hostname);
  const name = literal === undefined ? hostName(url.hostname) : undefined;
  let addresses: readonly string[];
  if (name === undefined) {
    addresses = [url.hostname];
  } else {
    const denied = nameMatches(deny, name);
    if (denied !== undefined) return refuse('destination-denied', `${name} is on the deny list (${denied})`);
    try {
      addresses = await policy.resolve(name);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return refuse('unresolved', `host ${name} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    if (addresses.length === 0) return refuse('unresolved', `host ${name} has no address`);
  }
  const checked: string[] = [];
  for (const text of addresses) {
    const address = parseIp(text);
    const shown = address === undefined ? text : formatIp(address, text);
    // "10.0.0.1", or "host.example (10.0.0.1)" when a name led there
    const where = name === undefined ? shown : `${name} (${shown})`;
    if (address === undefined || isNoDestination(address)) {
      return refuse('destination-denied', `${where} names no single server`);
    }
    if (deny.networks.some((network) => networkHolds(network, address))) {
      return refuse('destination-denied', `${where} is on the deny list`);
    }
    checked.push(shown);
  }
  const onAllowList =
    (name !== undefined && nameMatches(allow, name) !== undefined) ||
    checked.every((text) => allow.networks.some((network) => networkHolds(network, parseIp(text)!)));
  if (allow.names.length + allow.networks.length > 0 && !onAllowList) {
    return refuse('destination-denied', `${url.hostname} is not on the allow list`);
  }
  return { allowed: true, url, addresses: checked };
}

/**
 * Checks a notification URL when a tenant gives it (a device RPC's
 * `notification-url`, create-device-group): a refused one ends the call
 * with `{"result":"validation-failed","reason":…}`. Sending checks again,
 * since names can resolve elsewhere later.
 */
export async function checkDestination(server: ServerContext, url: string): Promise<void> {
  const verdict = await judgeDestination(url, destinationPolicy(server.settings));
  if (!verdict.allowed) fail(ResultCode.ValidationFailed, `notification-url refused: ${verdict.reason}`);
}

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A network: the address bits that count are the first `prefix` of `network`. */
export interface IpNetwork {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): bigint | undefined {
  const parts = IPV4.exec(text);
  if (parts === null) return undefined;
  let value = 0n;
  for (const part of parts.slice(1)) {
    const byte = Number(part);
    if (byte > 255) return undefined;
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // an IPv4 tail (::ffff:10.0.0.1) stands for the last two groups
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<bigint>(missing).fill(0n), ...tail]) value = (value << 16n) | group;
  return value;
}

/**
 * Parses an IPv4 or IPv6 address (brackets and a zone id are dropped). An
 * IPv4-mapped IPv6 address (`::ffff:169.254.169.254`) is returned as the IPv4
 * address it reaches, so a rule on the IPv4 network covers both spellings.
 */
export function parseIp(text: string): IpAddress | undefined {
  let bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = bare.indexOf('%');
  if (zone >= 0) bare = bare.slice(0, zone);
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!bare.includes(':')) return undefined;
  const v6 = parseIpv6(bare);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Parses `address/prefix`, or a bare address as the network of that address alone. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const given = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(given)) return undefined;
    // an IPv4-mapped network (::ffff:0:0/96 and longer) keeps its IPv4 part
    prefix = Number(given) - (address.family === 4 && text.includes(':') ? 96 : 0);
    if (prefix < 0 || prefix > bits) return undefined;
  }
  return { family: address.family, network: address.value, prefix };
}

/** Whether `network` holds `address`. */
export function networkHolds(network: IpNetwork, address: IpAddress): boolean {
  if (network.family !== address.family) return false;
  const shift = BigInt((network.family === 4 ? 32 : 128) - network.prefix);
  return network.network >> shift === address.value >> shift;
}

// 0.0.0.0/8 and :: reach the local host on Linux; multicast and broadcast reach no single server
const NO_DESTINATION = ['0.0.0.0/8', '224.0.0.0/4', '255.255.255.255', '::/128', 'ff00::/8'].map(
  (text) => parseNetwork(text)!,
);

/** Whether an address names no single remote server: unspecified, multicast or broadcast. */
export function isNoDestination(address: IpAddress): boolean {
  return NO_DESTINATION.some((network) => networkHolds(network, address));
}

/** The address as text: IPv4 dotted, IPv6 in its input spelling. */
export function formatIp(address: IpAddress, input: string): string {
  if (address.family === 6) return input.startsWith('[') ? input.slice(1, -1) : input;
  const v = Number(address.value);
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

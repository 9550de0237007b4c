import { lookup } from 'node:dns/promises';

/**
 * Every address of a host name as the system resolver answers it
 * (getaddrinfo: the hosts file, then DNS), the way a connection would find
 * them. Node, Bun and Deno all provide node:dns.
 */
export async function lookupHost(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

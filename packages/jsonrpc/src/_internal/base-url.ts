/** `http://host:port/` for a listening server; an IPv6 address goes in brackets. */
export function baseUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}/`;
}

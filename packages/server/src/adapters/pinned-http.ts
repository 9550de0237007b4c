import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** One POST to a URL whose host must be reached at one of `addresses`, already checked against the destination rules. */
export interface PinnedRequest {
  readonly url: URL;
  readonly addresses: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly signal: AbortSignal;
}

/** The reply's status and headers, its body as it streams in, and a way to drop the rest of it. */
export interface PinnedReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: AsyncIterable<Uint8Array>;
  /** The address connected to, when the runtime tells. */
  readonly address: string | undefined;
  discard(): void;
}

/**
 * POSTs with node:http(s), connecting to the checked address instead of
 * resolving the host name again (a name's several addresses are tried
 * as a connection would): a DNS answer that changes between the check
 * and the connection (rebinding) cannot redirect the request. The URL's host
 * still goes into the Host header and TLS server name, so certificates are
 * verified against the name. Redirects are never followed. Node, Bun and
 * Deno honour the `lookup` option.
 */
export function postPinned(request: PinnedRequest): Promise<PinnedReply> {
  const found = request.addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, found);
    else callback(null, found[0]!.address, found[0]!.family);
  };
  const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      request.url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(request.body.byteLength) },
        lookup,
        signal: request.signal,
      },
      (incoming) => {
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: incoming,
          address: incoming.socket?.remoteAddress,
          discard: () => incoming.destroy(),
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

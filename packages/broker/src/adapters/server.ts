import type { Broker, ShutdownKind } from '../broker.ts';
import { type AcceptRequest, apiKeyOf, endpointOf } from '../connection.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';

/** Where a runtime adapter listens. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Interface to bind. Default `0.0.0.0`. */
  readonly hostname?: string;
}

/** A broker listening on a port, whatever the runtime. */
export interface BrokerServer {
  readonly broker: Broker;
  /** The bound port. */
  readonly port: number;
  /** Base URL of the endpoints, e.g. `ws://127.0.0.1:8080` (then `/devices`, `/control`). */
  readonly url: string;
  /** Closes every connection with 1001 or 1012 (002 table), then stops listening. */
  close(kind?: ShutdownKind): Promise<void>;
}

/** Where a broker mounted on another server answers. */
export interface MountOptions {
  /** The path before `/devices` and `/control`, e.g. `/broker`. Default `''`: the endpoints at the root. */
  readonly path?: string;
}

/** A broker sharing a server (and its port) with other routes. */
export interface BrokerMount {
  readonly broker: Broker;
  /** The path prefix in force, without a trailing slash (`''` for the root). */
  readonly path: string;
  /** Closes the broker's connections with 1001 or 1012 and stops taking upgrades; the host server keeps running. */
  close(kind?: ShutdownKind): Promise<void>;
}

/** The transport ceiling: a frame this big is cut off by the runtime with 1009 before the broker sees it. */
export function transportLimit(broker: Broker): number {
  return Math.max(broker.options.maxMessageBytes * 16, 1 << 20);
}

/** `ws://host:port` for a bound address (wildcards become loopback). */
export function baseUrl(hostname: string, port: number): string {
  const host =
    hostname === '0.0.0.0' || hostname === '::' || hostname === ''
      ? '127.0.0.1'
      : hostname.includes(':')
        ? `[${hostname}]`
        : hostname;
  return `ws://${host}:${port}`;
}

/** {@link MountOptions.path} checked and without its trailing slash; throws {@link BrokerError} `invalid-option`. */
export function mountPath(path: string | undefined): string {
  const trimmed = (path ?? '').replace(/\/+$/, '');
  if (trimmed === '' || (trimmed.startsWith('/') && !/[?#\s]/.test(trimmed))) return trimmed;
  throw new BrokerError(
    BrokerErrorCode.InvalidOption,
    `Cannot mount the broker as path must start with "/" and hold no "?", "#" or spaces: got ${JSON.stringify(path)}`,
    { details: { path: 'path', expected: 'a path such as /broker', got: path } },
  );
}

/**
 * What a mount at `base` accepts from a Fetch-API request: a WebSocket
 * upgrade to one of its endpoints. Undefined for anything else, which the
 * host answers.
 */
export function routeUpgrade(request: Request, base: string): AcceptRequest | undefined {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return undefined;
  const url = new URL(request.url);
  const endpoint = endpointOf(url.pathname, base);
  if (endpoint === undefined) return undefined;
  return { endpoint, apiKey: apiKeyOf(url, request.headers.get('x-api-key')) };
}

/** What a standalone broker answers to a request that is no upgrade to an endpoint: 426 on an endpoint, else 404. */
export function notAnUpgrade(request: Request): Response {
  return endpointOf(new URL(request.url).pathname) === undefined
    ? new Response('Not Found', { status: 404 })
    : new Response('Upgrade Required', { status: 426, headers: { upgrade: 'websocket' } });
}

/**
 * How every adapter closes its sockets: shuts `broker` down (1001 or 1012 to
 * each peer), gives the peers up to a second to answer the close frames, then
 * cuts the sockets still open. `sockets` is the adapter's live set, which its
 * close handler empties.
 */
export async function shutdownSockets<Socket>(
  broker: Broker,
  kind: ShutdownKind,
  sockets: { readonly open: ReadonlySet<Socket>; cut(socket: Socket): void },
): Promise<void> {
  broker.shutdown(kind);
  for (let waited = 0; sockets.open.size > 0 && waited < 1_000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const socket of sockets.open) sockets.cut(socket);
}

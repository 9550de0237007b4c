import type { OutFrame } from './protocol/frame.ts';

/** The two endpoints of 002 and docs/sources.md, the machine broker's control side. */
export type Endpoint = 'devices' | 'control';

/**
 * One accepted WebSocket as the broker sees it. Adapters implement it over
 * `ws`, `Bun.serve` or `Deno.upgradeWebSocket`; the broker never touches a
 * socket directly.
 */
export interface Connection {
  /** Queues a text frame; never blocks. */
  send(frame: OutFrame): void;
  /** Bytes queued but not yet written to the network. */
  bufferedAmount(): number;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection without a handshake (a dead peer cannot answer one). */
  terminate(): void;
  /**
   * Sends a WebSocket ping. Absent when the runtime runs the heartbeat itself
   * (Deno's `idleTimeout`); the adapter must then drop dead peers.
   */
  ping?(): void;
}

/** What an adapter drives after {@link Broker.accept}: it reports the socket's events. */
export interface Session {
  /** A text frame arrived. */
  message(text: string): void;
  /** A pong (or any sign of life) arrived. */
  pong(): void;
  /** The socket is closed; called once. */
  closed(code: number): void;
}

/** What an adapter knows about an upgrade request. */
export interface AcceptRequest {
  readonly endpoint: Endpoint;
  /** `?apiKey=` or the `X-API-Key` header (002 Step 1). */
  readonly apiKey: string | undefined;
}

/**
 * The endpoint a URL path names, or undefined for any other path. `base` is
 * the path a mounted broker lives under (`/broker` → `/broker/devices`).
 */
export function endpointOf(pathname: string, base = ''): Endpoint | undefined {
  if (!pathname.startsWith(base)) return undefined;
  const rest = pathname.slice(base.length);
  if (rest === '/devices' || rest === '/devices/') return 'devices';
  if (rest === '/control' || rest === '/control/') return 'control';
  return undefined;
}

/** 002 Step 1: the key from `?apiKey=`, else from `X-API-Key`. */
export function apiKeyOf(url: URL, header: string | null | undefined): string | undefined {
  return url.searchParams.get('apiKey') ?? header ?? undefined;
}

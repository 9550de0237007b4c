import type { Broker, ShutdownKind } from '../broker.ts';

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

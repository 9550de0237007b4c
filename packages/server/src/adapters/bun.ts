import { mountBun } from '@fleetkit/broker/bun';
import { recordAddress } from '../app.ts';
import type { FleetServer } from '../server.ts';
import { type Serving, type ServingOptions, servingUrl } from './serve.ts';

// The slice of Bun's API this adapter uses (bun-types is not a dependency).
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { readonly address: string } | null;
  upgrade(request: Request, options: { data: unknown }): boolean;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunRuntime {
  serve(options: object): BunServer;
}

/**
 * Serves a {@link FleetServer} on `Bun.serve`: the API and, on the same port,
 * the broker plugin's WebSocket endpoints on Bun's native WebSockets.
 */
export async function serveBun(server: FleetServer, options: ServingOptions = {}): Promise<Serving> {
  const bun = (globalThis as unknown as { Bun: BunRuntime }).Bun;
  const hostname = options.hostname ?? '127.0.0.1';
  const broker = mountBun(server.broker);
  const http = bun.serve({
    port: options.port ?? 8000,
    hostname,
    ...(options.tls === undefined ? {} : { tls: { cert: options.tls.cert, key: options.tls.key } }),
    fetch(request: Request, host: BunServer) {
      const upgraded = broker.fetch(request, host);
      if (upgraded !== undefined) return upgraded;
      const address = host.requestIP(request)?.address;
      if (address !== undefined) recordAddress(request, address);
      return server.app.fetch(request);
    },
    websocket: broker.websocket,
  });
  return {
    url: servingUrl(options, hostname, http.port),
    port: http.port,
    async stop(graceMs = 10_000) {
      // WebSocket connections never go idle: close them first, or they would hold the server open
      await broker.close('shutdown');
      const cut = setTimeout(() => void http.stop(true), graceMs);
      try {
        await http.stop(false);
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

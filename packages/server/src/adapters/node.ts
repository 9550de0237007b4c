import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mountNode } from '@fleetkit/broker/node';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { recordAddress } from '../app.ts';
import type { FleetServer } from '../server.ts';

/** Options of {@link listen}. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 8000 (the real server's port). */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  readonly hostname?: string;
  /** PEM certificate and key: serve HTTPS (manual §8.2 recommends it for Basic auth). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** A server listening on Node. */
export interface Listening {
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  /**
   * Graceful stop: refuses new connections, lets in-flight requests finish
   * (idle keep-alive connections close at once), and after `graceMs` cuts
   * what is left. The server's engines are the caller's to close after.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Serves a {@link FleetServer} with node:http (or node:https) through Hono's Node adapter. */
export async function listen(server: FleetServer, options: ListenOptions = {}): Promise<Listening> {
  const hostname = options.hostname ?? '127.0.0.1';
  const fetch = (request: Request, env: HttpBindings) => {
    const address = env.incoming.socket.remoteAddress;
    if (address !== undefined) recordAddress(request, address);
    return server.app.fetch(request, env);
  };
  const http = (
    options.tls === undefined
      ? createAdaptorServer({ fetch: fetch as never, hostname })
      : createAdaptorServer({
          fetch: fetch as never,
          hostname,
          createServer: createHttpsServer,
          serverOptions: { cert: options.tls.cert, key: options.tls.key },
        })
  ) as Server;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8000, hostname, () => {
      http.off('error', reject);
      resolve();
    });
  });
  // the broker plugin's WebSocket endpoints (/devices, /control) share the port with the API
  const broker = mountNode(server.broker, http);
  const port = (http.address() as AddressInfo).port;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}/`,
    port,
    http,
    stop: async (graceMs = 10_000) => {
      // WebSocket connections never go idle: close them first, or they would hold the server open
      await broker.close('shutdown');
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => http.closeAllConnections(), graceMs);
        http.close(() => {
          clearTimeout(cut);
          resolve();
        });
        http.closeIdleConnections();
      });
    },
  };
}

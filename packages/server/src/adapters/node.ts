import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mountNode } from '@fleetkit/broker/node';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { recordAddress } from '../app.ts';
import type { FleetServer } from '../server.ts';
import { type Serving, type ServingOptions, servingUrl } from './serve.ts';

/** Options of {@link listen}: those of every runtime's listener. */
export type ListenOptions = ServingOptions;

/** A server listening on Node. */
export interface Listening extends Serving {
  readonly http: Server;
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
          serverOptions: { cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) },
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
  return {
    url: servingUrl(options, hostname, port),
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

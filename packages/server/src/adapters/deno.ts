import { mountDeno } from '@fleetkit/broker/deno';
import { recordAddress } from '../app.ts';
import type { FleetServer } from '../server.ts';
import { type Serving, type ServingOptions, servingUrl } from './serve.ts';

// The slice of Deno's API this adapter uses (Deno's types are not a dependency).
interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
interface DenoRuntime {
  serve(
    options: object,
    handler: (
      request: Request,
      info: { readonly remoteAddr: { readonly hostname: string } },
    ) => Response | Promise<Response>,
  ): DenoServer;
}

/** Deno.serve takes PEM text; the CLI reads the files as bytes. */
function pemText(pem: string | Uint8Array): string {
  return typeof pem === 'string' ? pem : new TextDecoder().decode(pem);
}

/**
 * Serves a {@link FleetServer} on `Deno.serve`: the API and, on the same
 * port, the broker plugin's WebSocket endpoints through `Deno.upgradeWebSocket`.
 */
export async function serveDeno(server: FleetServer, options: ServingOptions = {}): Promise<Serving> {
  const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
  const hostname = options.hostname ?? '127.0.0.1';
  const broker = mountDeno(server.broker);
  const http = deno.serve(
    {
      port: options.port ?? 8000,
      hostname,
      onListen() {},
      ...(options.tls === undefined ? {} : { cert: pemText(options.tls.cert), key: pemText(options.tls.key) }),
    },
    (request, info) => {
      const upgraded = broker.fetch(request);
      if (upgraded !== undefined) return upgraded;
      recordAddress(request, info.remoteAddr.hostname);
      return server.app.fetch(request);
    },
  );
  return {
    url: servingUrl(options, hostname, http.addr.port),
    port: http.addr.port,
    async stop(graceMs = 10_000) {
      await broker.close('shutdown');
      // Deno's shutdown lets requests in flight finish; it has no forced variant to fall back on
      let cut: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        http.shutdown(),
        new Promise<void>((resolve) => {
          cut = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(cut);
    },
  };
}

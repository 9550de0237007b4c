// Deno serves web-standard Requests itself.
import type { FetchHandler } from '../http-handler.ts';
import type { ServeOptions, Served } from '../serve.ts';

interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: FetchHandler): DenoServer;
};

/** Serves `handler` with `Deno.serve`. */
export async function serveDeno(handler: FetchHandler, options: ServeOptions): Promise<Served> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, handler);
  const port = server.addr.port;
  return {
    runtime: 'deno',
    port,
    url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}/`,
    close: () => server.shutdown(),
  };
}

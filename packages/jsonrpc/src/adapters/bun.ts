// Bun serves web-standard Requests itself.
import { baseUrl } from '../_internal/base-url.ts';
import type { FetchHandler } from '../http-handler.ts';
import type { Served, ServeOptions } from '../serve.ts';

interface BunServer {
  readonly port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}
declare const Bun: { serve(options: { port: number; hostname: string; fetch: FetchHandler }): BunServer };

/** Serves `handler` with `Bun.serve`. */
export async function serveBun(handler: FetchHandler, options: ServeOptions): Promise<Served> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = Bun.serve({ port: options.port ?? 0, hostname, fetch: handler });
  return {
    runtime: 'bun',
    port: server.port,
    url: baseUrl(hostname, server.port),
    close: async () => {
      await server.stop(true);
    },
  };
}

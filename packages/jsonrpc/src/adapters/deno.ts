// Deno serves web-standard Requests itself.
import type { FetchHandler } from '../http-handler.ts';
import type { ServeOptions, Served } from '../serve.ts';

interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
interface DenoServeInfo {
  /** Settles when the response is delivered; rejects when the client went away first. */
  readonly completed?: Promise<void>;
}
declare const Deno: {
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (request: Request, info: DenoServeInfo) => Promise<Response>): DenoServer;
};

/** Serves `handler` with `Deno.serve`. */
export async function serveDeno(handler: FetchHandler, options: ServeOptions): Promise<Served> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, (request, info) => {
    // Deno's request.signal also aborts after a successful response (its legacy
    // behaviour); the call context's signal should mean "the client went away"
    const gone = new AbortController();
    info.completed?.catch((reason: unknown) => gone.abort(reason));
    // built from parts: copying the Request itself would read (and arm) its signal
    const init = { method: request.method, headers: request.headers, body: request.body, signal: gone.signal, duplex: 'half' };
    return handler(new Request(request.url, init as RequestInit));
  });
  const port = server.addr.port;
  return {
    runtime: 'deno',
    port,
    url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}/`,
    close: () => server.shutdown(),
  };
}

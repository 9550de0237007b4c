// Deno serves web-standard Requests itself.
import { baseUrl } from '../_internal/base-url.ts';
import { clientGone } from '../_internal/guard.ts';
import type { FetchHandler } from '../http-handler.ts';
import type { Served, ServeOptions } from '../serve.ts';

interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request) => Promise<Response>,
  ): DenoServer;
};

/** Serves `handler` with `Deno.serve`. */
export async function serveDeno(handler: FetchHandler, options: ServeOptions): Promise<Served> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = Deno.serve({ port: options.port ?? 0, hostname, onListen: () => {} }, async (request) => {
    // Deno's request.signal also aborts after every successful response (its
    // legacy behaviour, with a warning on stderr); the call context's signal
    // must mean "the client went away first", so aborts after the answer are dropped
    const gone = new AbortController();
    let answered = false;
    request.signal.addEventListener(
      'abort',
      () => {
        if (!answered) gone.abort(clientGone());
      },
      { once: true },
    );
    // built from parts: copying the Request itself would carry Deno's signal along
    const init = {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: gone.signal,
      duplex: 'half',
    };
    try {
      return await handler(new Request(request.url, init as RequestInit));
    } finally {
      answered = true;
    }
  });
  const port = server.addr.port;
  return {
    runtime: 'deno',
    port,
    url: baseUrl(hostname, port),
    close: () => server.shutdown(),
  };
}

import type { FetchHandler } from './http-handler.ts';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 or absent picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  readonly hostname?: string;
}

/** A listening server. */
export interface Served {
  /** Whose server listens: `Bun.serve`, `Deno.serve` or `node:http`. */
  readonly runtime: 'bun' | 'deno' | 'node';
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Serves a fetch handler over HTTP with the runtime's own server (Bun.serve, Deno.serve, node:http). */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  if ('Bun' in globalThis) return (await import('./adapters/bun.ts')).serveBun(handler, options);
  if ('Deno' in globalThis) return (await import('./adapters/deno.ts')).serveDeno(handler, options);
  return (await import('./adapters/node.ts')).serveNode(handler, options);
}

import { createLogger, type Logger, runtimeKey } from '@fleetkit/core';
import { guard } from './_internal/guard.ts';
import type { FetchHandler } from './http-handler.ts';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 or absent picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  readonly hostname?: string;
  /**
   * Where a throwing handler (answered 500) and a response that could not be
   * sent are logged, with the request id; default `createLogger()`, JSON
   * lines on stderr.
   */
  readonly logger?: Logger;
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

/**
 * Serves a fetch handler over HTTP with the runtime's own server (Bun.serve,
 * Deno.serve, node:http). A request's `signal` aborts, with an `AbortError`
 * reason, when its client goes away before the answer; a handler that throws
 * is answered 500 and logged.
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const logger = options.logger ?? createLogger();
  const guarded = guard(handler, logger);
  switch (runtimeKey()) {
    case 'bun':
      return (await import('./adapters/bun.ts')).serveBun(guarded, options);
    case 'deno':
      return (await import('./adapters/deno.ts')).serveDeno(guarded, options);
    default:
      return (await import('./adapters/node.ts')).serveNode(guarded, options, logger);
  }
}

import { runtimeKey } from '@fleetkit/core';
import type { FleetServer } from '../server.ts';

/** Options of {@link serve} on every runtime. */
export interface ServingOptions {
  /** TCP port; 0 picks a free one. Default 8000 (the real server's port). */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  readonly hostname?: string;
  /** PEM certificate and key: serve HTTPS (manual §8.2 recommends it for Basic auth). */
  readonly tls?: { readonly cert: string | Uint8Array; readonly key: string | Uint8Array };
}

/** A server listening, the API and the broker's WebSocket endpoints on one port. */
export interface Serving {
  readonly url: string;
  readonly port: number;
  /**
   * Graceful stop: closes the broker's WebSockets, refuses new connections,
   * lets in-flight requests finish and after `graceMs` cuts what is left
   * (Deno: stops waiting). The server's engines are the caller's to close after.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The base URL a listener answers on. */
export function servingUrl(options: ServingOptions, hostname: string, port: number): string {
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}/`;
}

/**
 * Serves a {@link FleetServer} on the runtime's own HTTP server: node:http
 * on Node, `Bun.serve` on Bun, `Deno.serve` on Deno. Only the chosen
 * runtime's adapter is loaded.
 */
export async function serve(server: FleetServer, options: ServingOptions = {}): Promise<Serving> {
  const runtime = runtimeKey();
  if (runtime === 'bun') return (await import('./bun.ts')).serveBun(server, options);
  if (runtime === 'deno') return (await import('./deno.ts')).serveDeno(server, options);
  return (await import('./node.ts')).listen(server, options);
}

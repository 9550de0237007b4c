import type { Broker } from '../broker.ts';
import type { BrokerServer, ListenOptions } from './server.ts';

/** Which native server {@link serve} uses here. */
export function runtimeName(): 'bun' | 'deno' | 'node' {
  if ('Bun' in globalThis) return 'bun';
  if ('Deno' in globalThis) return 'deno';
  return 'node';
}

/** Runs `broker` on this runtime's native server: `Bun.serve`, `Deno.serve`, or `node:http` with `ws`. */
export async function serve(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  switch (runtimeName()) {
    case 'bun':
      return (await import('./bun.ts')).serveBun(broker, options);
    case 'deno':
      return (await import('./deno.ts')).serveDeno(broker, options);
    default:
      return (await import('./node.ts')).serveNode(broker, options);
  }
}
export type { BrokerMount, BrokerServer, ListenOptions, MountOptions } from './server.ts';

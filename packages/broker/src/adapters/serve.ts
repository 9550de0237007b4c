import { runtimeKey } from '@fleetkit/core';
import type { Broker } from '../broker.ts';
import type { BrokerServer, ListenOptions } from './server.ts';

/** Which native server {@link serve} uses here (core's `runtimeKey`; Node's for any other runtime). */
export function runtimeName(): 'bun' | 'deno' | 'node' {
  const runtime = runtimeKey();
  return runtime === 'other' ? 'node' : runtime;
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

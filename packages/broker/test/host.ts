import { runtimeName } from '../src/adapters/serve.ts';
import type { BrokerMount } from '../src/adapters/server.ts';
import type { Broker } from '../src/broker.ts';

/** A host server of this runtime with the broker mounted in it (tests only). */
export interface TestHost {
  /** `http://127.0.0.1:<port>`. */
  readonly http: string;
  /** `ws://127.0.0.1:<port>`. */
  readonly ws: string;
  readonly mount: BrokerMount;
  /** Closes the mount (if still open) and the server. */
  close(): Promise<void>;
}

/** What the host's own handler answers for every request the broker leaves to it. */
export function hostAnswer(pathname: string): { readonly host: string; readonly path: string } {
  return { host: runtimeName(), path: pathname };
}

const hostname = '127.0.0.1';

interface BunLike {
  serve(options: object): { readonly port: number; stop(closeActive: boolean): Promise<void> | void };
}
interface DenoLike {
  serve(
    options: { port: number; hostname: string; onListen(): void },
    handler: (request: Request) => Response,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}

/**
 * Starts this runtime's own server (`node:http`, `Bun.serve`, `Deno.serve`)
 * whose handler answers {@link hostAnswer} as JSON, with `broker` mounted under `path`.
 */
export async function startHost(broker: Broker, path: string): Promise<TestHost> {
  const runtime = runtimeName();
  if (runtime === 'bun') {
    const { mountBun } = await import('../src/adapters/bun.ts');
    const mount = mountBun(broker, { path });
    const server = (globalThis as unknown as { Bun: BunLike }).Bun.serve({
      port: 0,
      hostname,
      fetch: (request: Request, srv: Parameters<typeof mount.fetch>[1]) =>
        mount.fetch(request, srv) ?? Response.json(hostAnswer(new URL(request.url).pathname)),
      websocket: mount.websocket,
    });
    return host(server.port, mount, () => server.stop(true));
  }
  if (runtime === 'deno') {
    const { mountDeno } = await import('../src/adapters/deno.ts');
    const mount = mountDeno(broker, { path });
    const server = (globalThis as unknown as { Deno: DenoLike }).Deno.serve(
      { port: 0, hostname, onListen() {} },
      (request) => mount.fetch(request) ?? Response.json(hostAnswer(new URL(request.url).pathname)),
    );
    return host(server.addr.port, mount, () => server.shutdown());
  }
  const { createServer } = await import('node:http');
  const { mountNode } = await import('../src/adapters/node.ts');
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://host').pathname;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hostAnswer(pathname)));
  });
  const mount = mountNode(broker, server, { path });
  await new Promise<void>((resolve) => server.listen(0, hostname, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return host(port, mount, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

function host(port: number, mount: BrokerMount, stop: () => Promise<void> | void): TestHost {
  return {
    http: `http://${hostname}:${port}`,
    ws: `ws://${hostname}:${port}`,
    mount,
    async close() {
      await mount.close();
      await stop();
    },
  };
}

import type { Broker, ShutdownKind } from '../broker.ts';
import type { Connection, Session } from '../connection.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import type { OutFrame } from '../protocol/frame.ts';
import {
  type BrokerMount,
  type BrokerServer,
  baseUrl,
  type ListenOptions,
  type MountOptions,
  mountPath,
  notAnUpgrade,
  routeUpgrade,
  shutdownSockets,
} from './server.ts';

// The slice of Deno's API this adapter uses (the Deno types are not a dependency).
interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
interface DenoRuntime {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (req: Request) => Response,
  ): DenoServer;
  upgradeWebSocket(req: Request, options: { idleTimeout: number }): { socket: WebSocket; response: Response };
}

/**
 * A Deno server WebSocket as a broker {@link Connection}. It has no `ping`:
 * Deno pings by itself (`idleTimeout`) and closes peers that stop answering.
 */
class DenoConnection implements Connection {
  readonly ws: WebSocket;
  constructor(ws: WebSocket) {
    this.ws = ws;
  }
  send(frame: OutFrame): void {
    this.ws.send(frame.text);
  }
  bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.close();
  }
}

const decoder = new TextDecoder();

/** A broker on a `Deno.serve` server that also answers other routes. */
export interface DenoBrokerMount extends BrokerMount {
  /**
   * Upgrades `request` when it is a WebSocket upgrade to the broker's paths;
   * undefined for any other request, which the caller's handler answers.
   */
  fetch(request: Request): Response | undefined;
}

function denoRuntime(): DenoRuntime {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (deno !== undefined) return deno;
  throw new BrokerError(BrokerErrorCode.UnsupportedRuntime, 'Cannot use the Deno adapter as this runtime is not Deno');
}

/** Serves `broker` inside a `Deno.serve` handler of the caller's: `(req) => mount.fetch(req) ?? app.fetch(req)`. */
export function mountDeno(broker: Broker, options: MountOptions = {}): DenoBrokerMount {
  const deno = denoRuntime();
  const path = mountPath(options.path);
  // Deno's own heartbeat stands in for the broker's: a ping every idleTimeout, close when unanswered
  const idleTimeout = Math.ceil(broker.options.heartbeatMs / 1000);
  const sockets = new Set<WebSocket>();
  return {
    broker,
    path,
    fetch(request: Request): Response | undefined {
      const route = routeUpgrade(request, path);
      if (route === undefined) return undefined;
      const { socket, response } = deno.upgradeWebSocket(request, { idleTimeout });
      let session: Session | undefined;
      socket.onopen = () => {
        sockets.add(socket);
        session = broker.accept(route, new DenoConnection(socket));
      };
      socket.onmessage = (e) =>
        session?.message(typeof e.data === 'string' ? e.data : decoder.decode(e.data as ArrayBuffer));
      socket.onclose = (e) => {
        sockets.delete(socket);
        session?.closed(e.code);
      };
      socket.onerror = () => {};
      return response;
    },
    close(kind: ShutdownKind = 'shutdown') {
      return shutdownSockets(broker, kind, { open: sockets, cut: (socket) => socket.close() });
    },
  };
}

/** Runs `broker` on `Deno.serve` and `Deno.upgradeWebSocket`. */
export function serveDeno(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const deno = denoRuntime();
  const mount = mountDeno(broker);
  const hostname = options.hostname ?? '0.0.0.0';
  const server = deno.serve(
    { port: options.port ?? 8080, hostname, onListen() {} },
    (request) => mount.fetch(request) ?? notAnUpgrade(request),
  );
  return Promise.resolve({
    broker,
    port: server.addr.port,
    url: baseUrl(hostname, server.addr.port),
    async close(kind: ShutdownKind = 'shutdown') {
      await mount.close(kind);
      await server.shutdown();
    },
  });
}

import type { Broker, ShutdownKind } from '../broker.ts';
import { apiKeyOf, type Connection, endpointOf, type Session } from '../connection.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import type { OutFrame } from '../protocol/frame.ts';
import { baseUrl, type BrokerServer, type ListenOptions } from './server.ts';

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

/** Runs `broker` on `Deno.serve` and `Deno.upgradeWebSocket`. */
export function serveDeno(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (deno === undefined)
    throw new BrokerError(
      BrokerErrorCode.UnsupportedRuntime,
      'Cannot serve with the Deno adapter as this runtime is not Deno',
    );
  const hostname = options.hostname ?? '0.0.0.0';
  // Deno's own heartbeat stands in for the broker's: a ping every idleTimeout, close when unanswered
  const idleTimeout = Math.ceil(broker.options.heartbeatMs / 1000);
  const sockets = new Set<WebSocket>();
  const server = deno.serve({ port: options.port ?? 8080, hostname, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const endpoint = endpointOf(url.pathname);
    if (endpoint === undefined) return new Response('Not Found', { status: 404 });
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Upgrade Required', { status: 426 });
    const apiKey = apiKeyOf(url, req.headers.get('x-api-key'));
    const { socket, response } = deno.upgradeWebSocket(req, { idleTimeout });
    let session: Session | undefined;
    socket.onopen = () => {
      sockets.add(socket);
      session = broker.accept({ endpoint, apiKey }, new DenoConnection(socket));
    };
    socket.onmessage = (e) =>
      session?.message(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer));
    socket.onclose = (e) => {
      sockets.delete(socket);
      session?.closed(e.code);
    };
    socket.onerror = () => {};
    return response;
  });
  return Promise.resolve({
    broker,
    port: server.addr.port,
    url: baseUrl(hostname, server.addr.port),
    async close(kind: ShutdownKind = 'shutdown') {
      broker.shutdown(kind);
      for (let waited = 0; sockets.size > 0 && waited < 1_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      await server.shutdown();
    },
  });
}

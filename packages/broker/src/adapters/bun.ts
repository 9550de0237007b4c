import type { Broker, ShutdownKind } from '../broker.ts';
import { type AcceptRequest, apiKeyOf, type Connection, endpointOf, type Session } from '../connection.ts';
import { BrokerError, BrokerErrorCode } from '../errors.ts';
import type { OutFrame } from '../protocol/frame.ts';
import { baseUrl, type BrokerServer, type ListenOptions, transportLimit } from './server.ts';

// The slice of Bun's API this adapter uses (bun-types is not a dependency).
interface BunSocket {
  data: { request: AcceptRequest; session?: Session };
  sendText(text: string): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): number;
}
interface BunServer {
  readonly port: number;
  upgrade(req: Request, options: { data: BunSocket['data'] }): boolean;
  stop(closeActive?: boolean): Promise<void> | void;
}
interface BunRuntime {
  serve(options: object): BunServer;
}

/** A `Bun.serve` socket as a broker {@link Connection}. */
class BunConnection implements Connection {
  readonly ws: BunSocket;
  constructor(ws: BunSocket) {
    this.ws = ws;
  }
  send(frame: OutFrame): void {
    this.ws.sendText(frame.text);
  }
  bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  terminate(): void {
    this.ws.terminate();
  }
  ping(): void {
    this.ws.ping();
  }
}

const decoder = new TextDecoder();

/** Runs `broker` on `Bun.serve`'s native WebSockets. */
export function serveBun(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun === undefined)
    throw new BrokerError(
      BrokerErrorCode.UnsupportedRuntime,
      'Cannot serve with the Bun adapter as this runtime is not Bun',
    );
  const hostname = options.hostname ?? '0.0.0.0';
  const server = bun.serve({
    port: options.port ?? 8080,
    hostname,
    fetch(req: Request, srv: BunServer): Response | undefined {
      const url = new URL(req.url);
      const endpoint = endpointOf(url.pathname);
      if (endpoint === undefined) return new Response('Not Found', { status: 404 });
      if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket')
        return new Response('Upgrade Required', { status: 426 });
      const request = { endpoint, apiKey: apiKeyOf(url, req.headers.get('x-api-key')) };
      return srv.upgrade(req, { data: { request } }) ? undefined : new Response('Upgrade failed', { status: 400 });
    },
    websocket: {
      maxPayloadLength: transportLimit(broker),
      perMessageDeflate: false,
      // the broker runs the heartbeat and the back-pressure policy itself
      sendPings: false,
      idleTimeout: 0,
      backpressureLimit: 2 ** 31 - 1,
      closeOnBackpressureLimit: false,
      open(ws: BunSocket) {
        ws.data.session = broker.accept(ws.data.request, new BunConnection(ws));
      },
      message(ws: BunSocket, message: string | Uint8Array) {
        ws.data.session?.message(typeof message === 'string' ? message : decoder.decode(message));
      },
      pong(ws: BunSocket) {
        ws.data.session?.pong();
      },
      close(ws: BunSocket, code: number) {
        ws.data.session?.closed(code);
      },
    },
  });
  return Promise.resolve({
    broker,
    port: server.port,
    url: baseUrl(hostname, server.port),
    async close(kind: ShutdownKind = 'shutdown') {
      broker.shutdown(kind);
      await server.stop(false);
      for (let waited = 0; broker.connectionCount > 0 && waited < 1_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      await server.stop(true);
    },
  });
}

import type { Broker, ShutdownKind } from '../broker.ts';
import type { AcceptRequest, Connection, Session } from '../connection.ts';
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
  transportLimit,
} from './server.ts';

// The slice of Bun's API this adapter uses (bun-types is not a dependency).
interface BunSocket {
  data: { request: AcceptRequest; session?: Session };
  sendText(text: string): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): number;
}
/** The part of a `Bun.serve` server that {@link BunBrokerMount.fetch} needs. */
export interface BunUpgrader {
  upgrade(request: Request, options: { data: BunSocket['data'] }): boolean;
}
interface BunServer extends BunUpgrader {
  readonly port: number;
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

/** A broker on a `Bun.serve` server that also answers other routes. */
export interface BunBrokerMount extends BrokerMount {
  /**
   * Upgrades `request` when it is a WebSocket upgrade to the broker's paths
   * (the response is then a placeholder Bun ignores, or 400 if the upgrade
   * failed); undefined for any other request, which the caller's handler answers.
   */
  fetch(request: Request, server: BunUpgrader): Response | undefined;
  /** Pass as `Bun.serve({ websocket })`: a Bun server has one set of WebSocket handlers. */
  readonly websocket: object;
}

function bunRuntime(): BunRuntime {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun !== undefined) return bun;
  throw new BrokerError(BrokerErrorCode.UnsupportedRuntime, 'Cannot use the Bun adapter as this runtime is not Bun');
}

/**
 * Serves `broker` inside a `Bun.serve` server of the caller's:
 * `Bun.serve({ fetch: (req, srv) => mount.fetch(req, srv) ?? app.fetch(req), websocket: mount.websocket })`.
 */
export function mountBun(broker: Broker, options: MountOptions = {}): BunBrokerMount {
  bunRuntime();
  const path = mountPath(options.path);
  const sockets = new Set<BunSocket>();
  return {
    broker,
    path,
    fetch(request: Request, server: BunUpgrader): Response | undefined {
      const route = routeUpgrade(request, path);
      if (route === undefined) return undefined;
      return server.upgrade(request, { data: { request: route } })
        ? new Response(null)
        : new Response('Upgrade failed', { status: 400 });
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
        sockets.add(ws);
        ws.data.session = broker.accept(ws.data.request, new BunConnection(ws));
      },
      message(ws: BunSocket, message: string | Uint8Array) {
        ws.data.session?.message(typeof message === 'string' ? message : decoder.decode(message));
      },
      pong(ws: BunSocket) {
        ws.data.session?.pong();
      },
      close(ws: BunSocket, code: number) {
        sockets.delete(ws);
        ws.data.session?.closed(code);
      },
    },
    close(kind: ShutdownKind = 'shutdown') {
      return shutdownSockets(broker, kind, { open: sockets, cut: (ws) => ws.terminate() });
    },
  };
}

/** Runs `broker` on `Bun.serve`'s native WebSockets. */
export function serveBun(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const bun = bunRuntime();
  const mount = mountBun(broker);
  const hostname = options.hostname ?? '0.0.0.0';
  const server = bun.serve({
    port: options.port ?? 8080,
    hostname,
    fetch: (request: Request, srv: BunServer) => mount.fetch(request, srv) ?? notAnUpgrade(request),
    websocket: mount.websocket,
  });
  return Promise.resolve({
    broker,
    port: server.port,
    url: baseUrl(hostname, server.port),
    async close(kind: ShutdownKind = 'shutdown') {
      broker.shutdown(kind);
      await server.stop(false);
      await mount.close(kind);
      await server.stop(true);
    },
  });
}

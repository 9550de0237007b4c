import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Broker, ShutdownKind } from '../broker.ts';
import { type AcceptRequest, apiKeyOf, type Connection, endpointOf, type Session } from '../connection.ts';
import type { OutFrame } from '../protocol/frame.ts';
import {
  type BrokerMount,
  type BrokerServer,
  baseUrl,
  type ListenOptions,
  type MountOptions,
  mountPath,
  shutdownSockets,
  transportLimit,
} from './server.ts';

const TEXT = Object.freeze({ binary: false });

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * A `ws` socket that hands its events straight to the broker session: no
 * listeners, no closures, nothing added after construction, so a held
 * connection costs little more than `ws` itself (the memory goal).
 */
class BrokerSocket extends WebSocket {
  session: Session | undefined = undefined;
  /** Whether the socket is corked until the end of this event-loop turn. */
  corked = false;
  /** The adapter's set of open sockets, for a forced close. */
  registry: Set<BrokerSocket> | undefined = undefined;

  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    switch (event) {
      case 'message':
        this.session?.message(String(a)); // a Buffer: binaryType is the default 'nodebuffer'
        return true;
      case 'pong':
      case 'ping': // ws answers a client's ping itself; both are signs of life
        this.session?.pong();
        return true;
      case 'error':
        return true; // ws closes the socket itself; 'close' follows
      case 'close':
        this.registry?.delete(this);
        this.session?.closed(a as number);
        return super.emit(event, a, b);
      default:
        return super.emit(event, a, b);
    }
  }

  /** ws keeps its net.Socket private; corking it is the only way to batch across frames. */
  get rawSocket(): Corkable | undefined {
    return (this as unknown as { _socket?: Corkable })._socket;
  }
}

/**
 * Keeps each socket written during one event-loop turn corked until the turn
 * ends, so a burst of relayed frames leaves as one write per subscriber
 * instead of one `writev` per frame (ws corks only around each frame).
 */
class TurnBatcher {
  #pending: BrokerSocket[] = [];
  readonly #flush = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (const ws of pending) {
      ws.corked = false;
      ws.rawSocket?.uncork();
    }
  };

  add(ws: BrokerSocket): void {
    const raw = ws.rawSocket;
    if (raw === undefined) return;
    raw.cork();
    ws.corked = true;
    if (this.#pending.push(ws) === 1) process.nextTick(this.#flush);
  }
}

/** A {@link BrokerSocket} as a broker {@link Connection}. */
class WsConnection implements Connection {
  readonly ws: BrokerSocket;
  readonly batcher: TurnBatcher;
  constructor(ws: BrokerSocket, batcher: TurnBatcher) {
    this.ws = ws;
    this.batcher = batcher;
  }
  send(frame: OutFrame): void {
    if (!this.ws.corked) this.batcher.add(this.ws);
    // one Buffer per frame, shared by every subscriber: ws then writes it as is
    if (frame.wire === undefined) frame.wire = Buffer.from(frame.text);
    this.ws.send(frame.wire as Buffer, TEXT);
  }
  bufferedAmount(): number {
    return this.ws.bufferedAmount;
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

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The broker's side of `upgrade` events on a `node:http` server: {@link serveNode}'s own, or one it is mounted on. */
class NodeUpgrades {
  readonly #broker: Broker;
  readonly #base: string;
  readonly #batcher = new TurnBatcher();
  readonly #sockets = new Set<BrokerSocket>();
  readonly #wss: WebSocketServer;

  constructor(broker: Broker, base: string) {
    this.#broker = broker;
    this.#base = base;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: transportLimit(broker),
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: BrokerSocket,
    });
  }

  /** Takes the upgrade when it targets a broker path; false leaves the socket to the server's other listeners. */
  take(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://broker');
    const endpoint = endpointOf(url.pathname, this.#base);
    if (endpoint === undefined) return false;
    const header = req.headers['x-api-key'];
    const request = { endpoint, apiKey: apiKeyOf(url, Array.isArray(header) ? header[0] : header) };
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws as BrokerSocket, request));
    return true;
  }

  #accept(ws: BrokerSocket, request: AcceptRequest): void {
    ws.registry = this.#sockets;
    this.#sockets.add(ws);
    ws.session = this.#broker.accept(request, new WsConnection(ws, this.#batcher));
  }

  /** Shuts the broker down, waits for the peers' close frames, then cuts what is left. */
  async close(kind: ShutdownKind): Promise<void> {
    await shutdownSockets(this.#broker, kind, { open: this.#sockets, cut: (ws) => ws.terminate() });
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }
}

/** Runs `broker` on Node's `http` server and the `ws` library. */
export function serveNode(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const upgrades = new NodeUpgrades(broker, '');
  const http = createServer((req, res) => {
    if (endpointOf(new URL(req.url ?? '/', 'http://broker').pathname) === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    res
      .writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
      .end('WebSocket endpoints: /devices, /control\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!upgrades.take(req, socket, head)) refuse(socket, '404 Not Found');
  });
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    const hostname = options.hostname ?? '0.0.0.0';
    http.listen(options.port ?? 8080, hostname, () => {
      const address = http.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        broker,
        port,
        url: baseUrl(hostname, port),
        async close(kind: ShutdownKind = 'shutdown') {
          await upgrades.close(kind);
          http.closeAllConnections();
          await new Promise<void>((r) => http.close(() => r()));
        },
      });
    });
  });
}

/**
 * Serves `broker` on an existing `node:http` or `node:https` server, beside
 * its other routes: upgrades to `<path>/devices` and `<path>/control` go to
 * the broker; every other request and upgrade is left to the server's own
 * listeners (an upgrade nobody else listens for is refused with 404).
 */
export function mountNode(broker: Broker, server: Server, options: MountOptions = {}): BrokerMount {
  const path = mountPath(options.path);
  const upgrades = new NodeUpgrades(broker, path);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (upgrades.take(req, socket, head)) return;
    // alone on the server: nobody else will answer, and a socket left open would hang the client
    if (server.listenerCount('upgrade') === 1) refuse(socket, '404 Not Found');
  };
  server.on('upgrade', onUpgrade);
  return {
    broker,
    path,
    async close(kind: ShutdownKind = 'shutdown') {
      server.off('upgrade', onUpgrade);
      await upgrades.close(kind);
    },
  };
}

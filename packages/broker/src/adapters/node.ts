import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Broker, ShutdownKind } from '../broker.ts';
import { apiKeyOf, type Connection, endpointOf, type Session } from '../connection.ts';
import type { OutFrame } from '../protocol/frame.ts';
import { baseUrl, type BrokerServer, type ListenOptions, transportLimit } from './server.ts';

const SESSION = Symbol('fleetkit.broker.session');
type Tracked = WebSocket & { [SESSION]: Session };
const TEXT = Object.freeze({ binary: false });

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** ws keeps its net.Socket private; corking it is the only way to batch across frames. */
function socketOf(ws: WebSocket): Corkable | undefined {
  return (ws as unknown as { _socket?: Corkable })._socket;
}

/**
 * Keeps each socket written during one event-loop turn corked until the turn
 * ends, so a burst of relayed frames leaves as one write per subscriber
 * instead of one `writev` per frame (ws corks only around each frame).
 */
class TurnBatcher {
  #pending: WsConnection[] = [];
  readonly #flush = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (const conn of pending) conn.release();
  };

  add(conn: WsConnection): void {
    if (this.#pending.push(conn) === 1) process.nextTick(this.#flush);
  }
}

/** A `ws` socket as a broker {@link Connection}. */
class WsConnection implements Connection {
  readonly ws: WebSocket;
  readonly batcher: TurnBatcher;
  /** Whether the socket is corked until the end of this turn. */
  corked = false;
  constructor(ws: WebSocket, batcher: TurnBatcher) {
    this.ws = ws;
    this.batcher = batcher;
  }
  send(frame: OutFrame): void {
    if (!this.corked) {
      const socket = socketOf(this.ws);
      if (socket !== undefined) {
        socket.cork();
        this.corked = true;
        this.batcher.add(this);
      }
    }
    // one Buffer per frame, shared by every subscriber: ws then writes it as is
    this.ws.send((frame.wire ??= Buffer.from(frame.text)) as Buffer, TEXT);
  }
  /** Ends this turn's batch: the queued frames go out in one write. */
  release(): void {
    this.corked = false;
    socketOf(this.ws)?.uncork();
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

// shared listeners (`this` is the socket) instead of three closures per connection
function onMessage(this: WebSocket, data: Buffer): void {
  (this as Tracked)[SESSION].message(data.toString()); // binaryType is the default 'nodebuffer'
}
function onPong(this: WebSocket): void {
  (this as Tracked)[SESSION].pong();
}
function onClose(this: WebSocket, code: number): void {
  (this as Tracked)[SESSION].closed(code);
}
function onError(): void {} // ws closes the socket itself; `close` follows

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Runs `broker` on Node's `http` server and the `ws` library. */
export function serveNode(broker: Broker, options: ListenOptions = {}): Promise<BrokerServer> {
  const batcher = new TurnBatcher();
  const wss = new WebSocketServer({ noServer: true, maxPayload: transportLimit(broker), perMessageDeflate: false });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('WebSocket endpoints: /devices, /control\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://broker');
    const endpoint = endpointOf(url.pathname);
    if (endpoint === undefined) return refuse(socket, '404 Not Found');
    const header = req.headers['x-api-key'];
    const apiKey = apiKeyOf(url, Array.isArray(header) ? header[0] : header);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const tracked = ws as Tracked;
      tracked[SESSION] = broker.accept({ endpoint, apiKey }, new WsConnection(ws, batcher));
      ws.on('message', onMessage);
      ws.on('pong', onPong);
      ws.on('close', onClose);
      ws.on('error', onError);
    });
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
          broker.shutdown(kind);
          // give peers up to a second to answer the close frame, then cut what is left
          for (let waited = 0; wss.clients.size > 0 && waited < 1_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
          for (const ws of wss.clients) ws.terminate();
          await new Promise<void>((r) => wss.close(() => r()));
          http.closeAllConnections();
          await new Promise<void>((r) => http.close(() => r()));
        },
      });
    });
  });
}

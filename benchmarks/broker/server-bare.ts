// Child process: the baseline a user would write with bare `ws` 8: `/pub` frames go to every `/sub`
// socket unchanged, each subscriber corked per event-loop turn (as in docs/sources.md, Performance baselines); `/idle` sockets are only held.
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { serveChild } from './child.ts';

interface Corkable {
  cork(): void;
  uncork(): void;
}

const subs = new Set<WebSocket>();
const ignore = (): void => {};
// Each subscriber written during one event-loop turn stays corked until the
// turn ends, as the broker's Node adapter does (TurnBatcher): a burst of
// frames then leaves as one write per subscriber on both sides, and the
// ratio compares the relays, not the batching.
let corked: Corkable[] = [];
function uncorkAll(): void {
  const sockets = corked;
  corked = [];
  for (const socket of sockets) socket.uncork();
}
function cork(ws: WebSocket): void {
  // ws keeps its net.Socket private, as the broker's adapter notes
  const socket = (ws as unknown as { _socket?: Corkable & { writableCorked: number } })._socket;
  if (socket === undefined || socket.writableCorked > 0) return;
  socket.cork();
  if (corked.push(socket) === 1) process.nextTick(uncorkAll);
}
// kept lean on purpose (no closure per socket that could hold the upgrade request), so that the
// memory comparison is against the best a user would write
function relay(data: Buffer, isBinary: boolean): void {
  for (const s of subs) {
    cork(s);
    s.send(data, { binary: isBinary });
  }
}
function unsubscribe(this: WebSocket): void {
  subs.delete(this);
}
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const http = createServer();
http.on('upgrade', (req, socket, head) => {
  const path = req.url ?? '';
  wss.handleUpgrade(req, socket, head, (ws) => accept(ws, path));
});
function accept(ws: WebSocket, path: string): void {
  if (path.startsWith('/sub')) {
    subs.add(ws);
    ws.on('close', unsubscribe);
  } else if (path.startsWith('/pub')) {
    ws.on('message', relay);
  }
  ws.on('error', ignore);
}
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  serveChild(typeof address === 'object' && address !== null ? address.port : 0, () => wss.clients.size);
});

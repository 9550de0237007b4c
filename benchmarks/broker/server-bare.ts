// Child process: the baseline a user would write with bare `ws` 8: `/pub` frames go to every `/sub`
// socket unchanged (as in reference/peers.md §5); `/idle` sockets are only held.
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { serveChild } from './child.ts';

const subs = new Set<WebSocket>();
const ignore = (): void => {};
// kept lean on purpose (no closure per socket that could hold the upgrade request), so that the
// memory comparison is against the best a user would write
function relay(data: Buffer, isBinary: boolean): void {
  for (const s of subs) s.send(data, { binary: isBinary });
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

// Child process: aedes, the MQTT broker a Node user would pick, over WebSocket as its
// documentation sets it up (ws's WebSocketServer, each socket as a stream handed to aedes).
import { createServer } from 'node:http';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { serveChild } from './child.ts';

const aedes = await Aedes.createBroker();
const http = createServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (websocket, request) => {
  aedes.handle(createWebSocketStream(websocket), request);
});
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  serveChild(typeof address === 'object' && address !== null ? address.port : 0, () => aedes.connectedClients);
});

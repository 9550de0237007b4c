import { createServer } from 'node:http';
import { ManualClock, silentLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Broker } from '../broker.ts';
import { mountNode, serveNode } from './node.ts';
import type { BrokerServer } from './server.ts';

let server: BrokerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function open(url: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  ws.on('message', (d: Buffer) => frames.push(d.toString()));
  return new Promise((resolve) => ws.once('open', () => resolve({ ws, frames })));
}

const until = async (ok: () => boolean): Promise<void> => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

describe('Node adapter (ws)', () => {
  it('closes a subscriber whose TCP reader stalls with 1013 while the device and a fast subscriber go on', async () => {
    server = await serveNode(
      new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], maxBufferedBytes: 256 * 1024, logger: silentLogger }),
      { port: 0, hostname: '127.0.0.1' },
    );
    const device = await open(`${server.url}/devices?apiKey=dk`);
    device.ws.send(JSON.stringify({ type: 'register', deviceId: 'firehose' }));
    await until(() => device.frames.length === 2);
    const fast = await open(`${server.url}/control?apiKey=ck`);
    const slow = await open(`${server.url}/control?apiKey=ck`);
    for (const c of [fast, slow]) c.ws.send(JSON.stringify({ type: 'subscribe', deviceId: 'firehose' }));
    await until(() => fast.frames.length === 2 && slow.frames.length === 2);
    const slowClosed = new Promise<number>((r) => slow.ws.once('close', (code) => r(code)));
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const blob = 'x'.repeat(8 * 1024);
    // 100 bursts of 160 KiB (16 MiB in all, far past the socket buffers and the 256 KiB limit); a
    // burst stays under the limit so that the fast reader, which shares this process, keeps up
    const total = 2_000;
    for (let i = 0; i < total; i++) {
      device.ws.send(JSON.stringify({ type: 'message', payload: { i, blob } }));
      if (i % 20 === 19) await until(() => fast.frames.length === 2 + i + 1);
    }
    expect(JSON.parse(fast.frames.at(-1)!).payload.i).toBe(total - 1);
    expect(server.broker.stats.slowDisconnects).toBe(1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slowClosed).toBe(1013);
    expect(device.ws.readyState).toBe(WebSocket.OPEN);
    for (const c of [device, fast]) c.ws.close();
  });

  it('cuts a frame above the transport ceiling with 1009', async () => {
    server = await serveNode(
      new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], maxMessageBytes: 1024, logger: silentLogger }),
      { port: 0, hostname: '127.0.0.1' },
    );
    const device = await open(`${server.url}/devices?apiKey=dk`);
    const closed = new Promise<number>((r) => device.ws.once('close', (code) => r(code)));
    device.ws.send('x'.repeat((1 << 20) + 1));
    expect(await closed).toBe(1009);
  });

  it('pings over the wire and drops a peer that stopped answering, keeping the one that answers', async () => {
    const clock = new ManualClock();
    const running = await serveNode(
      new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], heartbeatMs: 30_000, clock, logger: silentLogger }),
      { port: 0, hostname: '127.0.0.1' },
    );
    server = running;
    const live = await open(`${running.url}/devices?apiKey=dk`);
    const dead = await open(`${running.url}/devices?apiKey=dk`);
    live.ws.send(JSON.stringify({ type: 'register', deviceId: 'live' }));
    dead.ws.send(JSON.stringify({ type: 'register', deviceId: 'dead' }));
    await until(() => running.broker.devices().length === 2);
    let pings = 0;
    live.ws.on('ping', () => pings++);
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // reads nothing, so answers no ping
    clock.advance(30_000);
    await until(() => pings === 1);
    // ws answered the ping at once; a request after it proves the broker has read that pong
    const before = live.frames.length;
    live.ws.send(JSON.stringify({ type: 'register', deviceId: 'live' }));
    await until(() => live.frames.length === before + 1);
    clock.advance(30_000);
    await until(() => running.broker.devices().length === 1);
    expect(running.broker.devices().map((d) => d.deviceId)).toEqual(['live']);
    expect(running.broker.stats.deadPeers).toBe(1);
    live.ws.close();
    dead.ws.terminate();
  });

  it('shares an http server with another upgrade listener: each takes its own paths', async () => {
    const http = createServer((_req, res) => res.end('host'));
    const other = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other here'));
    });
    const broker = new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], logger: silentLogger });
    const mount = mountNode(broker, http, { path: '/broker' });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const address = http.address();
    const base = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const theirs = await open(`${base}/other`);
    const ours = await open(`${base}/broker/devices?apiKey=dk`);
    await until(() => theirs.frames.length === 1 && ours.frames.length === 1);
    expect(theirs.frames).toEqual(['other here']);
    expect(JSON.parse(ours.frames[0]!)).toMatchObject({ type: 'welcome' });
    await mount.close();
    expect(http.listenerCount('upgrade')).toBe(1);
    theirs.ws.close();
    other.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
  });
});

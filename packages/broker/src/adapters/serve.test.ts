import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../broker.ts';
import { connectDevice, type DeviceClientState } from '../client/device-client.ts';
import { runtimeName, serve } from './serve.ts';
import type { BrokerServer } from './server.ts';

const servers: BrokerServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: { maxMessageBytes?: number } = {}): Promise<BrokerServer> {
  const broker = new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], logger: silentLogger, ...options });
  const server = await serve(broker, { port: 0, hostname: '127.0.0.1' });
  servers.push(server);
  return server;
}

/** A control app on the runtime's global WebSocket, collecting frames. */
async function controlApp(url: string): Promise<{
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  next(type: string): Promise<Record<string, unknown>>;
}> {
  const ws = new WebSocket(`${url}/control?apiKey=ck`);
  const frames: Array<Record<string, unknown>> = [];
  let wake = (): void => {};
  ws.onmessage = (e) => {
    frames.push(JSON.parse(String(e.data)) as Record<string, unknown>);
    wake();
  };
  const next = async (type: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0]!;
      await new Promise<void>((r) => (wake = r));
    }
  };
  await next('welcome');
  return { ws, frames, next };
}

describe(`serve() on ${runtimeName()}`, () => {
  it('relays both ways between a device client and a control app over real sockets', async () => {
    const server = await start();
    const app = await controlApp(server.url);
    app.ws.send(JSON.stringify({ type: 'subscribe', deviceId: 'sensor-1' }));
    await app.next('success');
    const commands: unknown[] = [];
    const device = connectDevice({
      url: `${server.url}/devices`,
      apiKey: 'dk',
      deviceId: 'sensor-1',
      logger: silentLogger,
      onCommand: (p) => commands.push(p),
    });
    await device.registered();
    expect(await app.next('device_connected')).toMatchObject({ deviceId: 'sensor-1' });
    device.send({ temperature: 21 });
    expect(await app.next('message')).toMatchObject({ deviceId: 'sensor-1', payload: { temperature: 21 } });
    app.ws.send(JSON.stringify({ type: 'message', deviceId: 'sensor-1', payload: { command: 'reboot' } }));
    await app.next('success');
    while (commands.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(commands).toEqual([{ command: 'reboot' }]);
    device.close();
    expect(await app.next('device_disconnected')).toMatchObject({ deviceId: 'sensor-1' });
    app.ws.close();
  });

  it('sends 1012 on a restart, after which the client waits out its jittered backoff', async () => {
    const server = await start();
    const clock = new ManualClock();
    let last: [DeviceClientState, number | undefined] = ['connecting', undefined];
    const device = connectDevice({
      url: `${server.url}/devices`,
      apiKey: 'dk',
      deviceId: 'd',
      clock,
      random: new SeededRandom(5),
      logger: silentLogger,
      onStateChange: (s, d) => (last = [s, d.code]),
    });
    await device.registered();
    servers.splice(0);
    await server.close('restart');
    while (last[0] !== 'waiting') await new Promise((r) => setTimeout(r, 5));
    expect(last).toEqual(['waiting', 1012]);
    device.close();
    expect(device.state).toBe('stopped');
  });

  it('refuses paths other than /devices and /control', async () => {
    const server = await start();
    const ws = new WebSocket(`${server.url}/other?apiKey=dk`);
    let opened = false;
    ws.onopen = () => (opened = true);
    // the handshake fails (HTTP 404); clients report it as 1006, Deno's as 0
    const code = await new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));
    expect(opened).toBe(false);
    expect([0, 1006]).toContain(code);
  });

  it('answers a plain HTTP request with 426 on an endpoint and 404 elsewhere', async () => {
    const server = await start();
    const http = server.url.replace(/^ws:/, 'http:');
    const statuses: number[] = [];
    for (const path of ['/devices', '/control', '/other']) {
      const response = await fetch(`${http}${path}`);
      await response.body?.cancel();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([426, 426, 404]);
  });
});

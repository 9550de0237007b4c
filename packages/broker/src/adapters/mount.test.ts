import { silentLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hostAnswer, startHost, type TestHost } from '../../test/host.ts';
import { Broker } from '../broker.ts';
import { connectDevice } from '../client/device-client.ts';
import type { DeviceMessage, PresenceEvent } from '../control.ts';
import { runtimeName } from './serve.ts';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

async function start(path: string): Promise<TestHost> {
  const broker = new Broker({ deviceKeys: ['dk'], controlKeys: ['ck'], logger: silentLogger });
  const h = await startHost(broker, path);
  hosts.push(h);
  return h;
}

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
};

/** Opens a raw WebSocket; resolves with its first frame, or with the close code if it never opens. */
function firstFrameOrClose(url: string): Promise<{ frame?: Record<string, unknown>; code?: number; ws: WebSocket }> {
  const ws = new WebSocket(url);
  return new Promise((resolve) => {
    ws.onmessage = (e) => resolve({ frame: JSON.parse(String(e.data)) as Record<string, unknown>, ws });
    ws.onclose = (e) => resolve({ code: e.code, ws });
  });
}

describe(`mounted on a ${runtimeName()} server of the caller's`, () => {
  it('shares one port: the host answers its own routes, the broker its endpoints under the path', async () => {
    const host = await start('/broker');
    const rpc = await fetch(`${host.http}/rpc`, { method: 'POST', body: '{}' });
    expect(await rpc.json()).toEqual(hostAnswer('/rpc'));
    // a plain request to an endpoint's path is the host's too: the mount takes upgrades only
    const plain = await fetch(`${host.http}/broker/devices`);
    expect(await plain.json()).toEqual(hostAnswer('/broker/devices'));

    const control = host.mount.broker.control();
    const heard: Array<DeviceMessage | PresenceEvent> = [];
    control.onMessage((m) => heard.push(m));
    control.onPresence((e) => heard.push(e));
    control.subscribe('sensor-1');
    const commands: unknown[] = [];
    const device = connectDevice({
      url: `${host.ws}/broker/devices`,
      apiKey: 'dk',
      deviceId: 'sensor-1',
      logger: silentLogger,
      onCommand: (payload) => commands.push(payload),
    });
    await device.registered();
    device.send({ ack: 'tx-1' });
    await until(() => heard.length === 2);
    expect(heard.map((e) => e.type)).toEqual(['device_connected', 'message']);
    expect(control.send('sensor-1', { command: 'reboot' })).toEqual({ sent: true });
    await until(() => commands.length === 1);
    expect(commands).toEqual([{ command: 'reboot' }]);
    device.close();
  });

  it('leaves an upgrade outside its path to the host, so the broker never sees it', async () => {
    const host = await start('/broker');
    const outside = await firstFrameOrClose(`${host.ws}/devices?apiKey=dk`);
    expect(outside.frame).toBeUndefined();
    expect(host.mount.broker.connectionCount).toBe(0);
    const inside = await firstFrameOrClose(`${host.ws}/broker/control?apiKey=ck`);
    expect(inside.frame).toMatchObject({ type: 'welcome' });
    inside.ws.close();
  });

  it('serves the endpoints at the root when no path is given', async () => {
    const host = await start('');
    const device = await firstFrameOrClose(`${host.ws}/devices?apiKey=dk`);
    expect(device.frame).toMatchObject({ type: 'welcome' });
    device.ws.close();
  });

  it('closes only the broker: its peers get 1001, the host goes on answering', async () => {
    const host = await start('/broker');
    const device = await firstFrameOrClose(`${host.ws}/broker/devices?apiKey=dk`);
    const closed = new Promise<number>((resolve) => (device.ws.onclose = (e) => resolve(e.code)));
    await host.mount.close();
    expect(await closed).toBe(1001);
    const after = await fetch(`${host.http}/rpc`);
    expect(await after.json()).toEqual(hostAnswer('/rpc'));
  });
});

import { memoryLogger, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { control, NOW, testBroker } from '../test/broker.ts';
import { settle, TestPeer } from '../test/peer.ts';
import type { BrokerOptions, DeviceAuthorization } from './_internal/options.ts';
import type { Broker } from './broker.ts';
import { connectDevice } from './client/device-client.ts';

let broker: Broker;
function setup(options: Partial<BrokerOptions>) {
  const t = testBroker(options);
  broker = t.broker;
  return t;
}
afterEach(() => broker.shutdown());

/** One key per device, as a server that issues per-device credentials keeps them. */
const owners: Record<string, string> = { 'key-a': 'dev-a', 'key-b': 'dev-b' };
const ownKeyOnly = ({ apiKey, deviceId }: DeviceAuthorization): boolean => owners[apiKey] === deviceId;

async function connect(t: ReturnType<typeof setup>, key: string, deviceId: string): Promise<TestPeer> {
  const peer = new TestPeer(t.transport, '/devices', key);
  await settle();
  peer.take();
  peer.send({ type: 'register', deviceId });
  await settle();
  return peer;
}

describe('per-device credentials (authorizeDevice)', () => {
  it("refuses another device's key with device-not-authorized and 1008, and the device keeps its connection", async () => {
    const t = setup({ deviceKeys: ['key-a', 'key-b'], authorizeDevice: ownKeyOnly });
    const owner = await connect(t, 'key-a', 'dev-a');
    expect(owner.take()).toMatchObject([{ action: 'registered', deviceId: 'dev-a' }]);
    const intruder = await connect(t, 'key-b', 'dev-a');
    expect(intruder.take()).toEqual([
      {
        type: 'error',
        code: 'device-not-authorized',
        error: 'API key not authorized for this deviceId: dev-a',
        timestamp: NOW,
      },
    ]);
    expect(intruder.closeCode).toBe(1008);
    expect(owner.closeCode).toBeUndefined();
    expect(broker.stats.evictions).toBe(0);
    expect(broker.devices().map((d) => d.deviceId)).toEqual(['dev-a']);
  });

  it('lets the right key replace its own earlier connection (4000), as without the hook', async () => {
    const t = setup({ deviceKeys: ['key-a'], authorizeDevice: ownKeyOnly });
    const first = await connect(t, 'key-a', 'dev-a');
    const second = await connect(t, 'key-a', 'dev-a');
    expect(second.take()).toMatchObject([{ action: 'registered', previousConnection: true }]);
    expect(first.closeCode).toBe(4000);
  });

  it('without deviceKeys, lets any non-empty key connect and decides at register', async () => {
    const t = setup({ deviceKeys: undefined, authorizeDevice: ownKeyOnly });
    expect((await connect(t, 'key-b', 'dev-b')).take()).toMatchObject([{ action: 'registered' }]);
    const stranger = await connect(t, 'made-up', 'dev-b');
    expect(stranger.take()).toMatchObject([{ code: 'device-not-authorized' }]);
    const keyless = new TestPeer(t.transport, '/devices', undefined);
    expect(await keyless.one()).toMatchObject({ code: 'invalid-api-key' });
    expect(keyless.closeCode).toBe(1008);
  });

  it('waits for an asynchronous decision and then handles the frames that came meanwhile, in order', async () => {
    let decide: (allowed: boolean) => void = () => {};
    const t = setup({
      deviceKeys: undefined,
      authorizeDevice: () => new Promise<boolean>((resolve) => (decide = resolve)),
    });
    const app = await control(t.transport, 'dev-a');
    const d = new TestPeer(t.transport, '/devices', 'key-a');
    await settle();
    d.take();
    d.send({ type: 'register', deviceId: 'dev-a' });
    d.send({ type: 'message', payload: { n: 1 } });
    await settle();
    expect([d.take(), broker.devices()]).toEqual([[], []]);
    decide(true);
    await settle();
    expect(d.take()).toMatchObject([{ action: 'registered' }]);
    expect(app.take().map((f) => f.type)).toEqual(['device_connected', 'message']);
  });

  it('cuts with 1013 a connection that sends more than maxBufferedBytes while its decision is pending', async () => {
    const t = setup({ deviceKeys: undefined, maxBufferedBytes: 1_000, authorizeDevice: () => new Promise(() => {}) });
    const d = await connect(t, 'key-a', 'dev-a');
    for (let i = 0; i < 3; i++) d.send({ type: 'message', payload: { blob: 'x'.repeat(400) } });
    await settle();
    expect(d.closeCode).toBe(1013);
    expect(broker.connectionCount).toBe(0);
  });

  it('asks once per connection: a metadata refresh does not ask again', async () => {
    const asked: DeviceAuthorization[] = [];
    const t = setup({ deviceKeys: undefined, authorizeDevice: (request) => asked.push(request) > 0 });
    const d = await connect(t, 'key-a', 'dev-a');
    d.send({ type: 'register', deviceId: 'dev-a', metadata: { version: '2' } });
    await settle();
    expect(d.take().map((f) => f.action)).toEqual(['registered', 'registered']);
    expect(asked).toEqual([{ apiKey: 'key-a', deviceId: 'dev-a' }]);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('store down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('store down'))],
  ])('closes with 1011 and logs when the hook %s', async (_how, authorizeDevice) => {
    const logger = memoryLogger();
    const t = setup({ deviceKeys: undefined, authorizeDevice, logger });
    const d = await connect(t, 'key-a', 'dev-a');
    await settle();
    expect(d.closeCode).toBe(1011);
    expect(broker.devices()).toEqual([]);
    expect(logger.records.map((r) => r.message)).toContain('broker authorizeDevice failed');
  });

  it('registers nothing when the connection closed before the decision came', async () => {
    let decide: (allowed: boolean) => void = () => {};
    const t = setup({
      deviceKeys: undefined,
      authorizeDevice: () => new Promise<boolean>((resolve) => (decide = resolve)),
    });
    const d = await connect(t, 'key-a', 'dev-a');
    d.socket.close();
    await settle();
    decide(true);
    await settle();
    expect([broker.devices(), broker.connectionCount]).toEqual([[], 0]);
  });

  it('stops the device client for good: a refused key will not get better', async () => {
    const t = setup({ deviceKeys: undefined, authorizeDevice: ownKeyOnly });
    const client = connectDevice({
      url: 'memory://broker/devices',
      apiKey: 'key-b',
      deviceId: 'dev-a',
      socket: t.transport.socket,
      clock: t.clock,
      random: new SeededRandom(1),
      logger: silentLogger,
    });
    await expect(client.registered()).rejects.toMatchObject({ code: 'client-stopped', details: { closeCode: 1008 } });
    expect(client.state).toBe('stopped');
  });
});

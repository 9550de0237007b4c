import { connectDevice, type DeviceClient, type JsonObject } from '@fleetkit/broker';
import { type BrokerServer, serve } from '@fleetkit/broker/serve';
import { silentLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Listener, listen, type Received } from './callback-listener.ts';
import { acmeCall, type Credentials, PROVISIONING_KEY, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

const SENSOR_KEY = `${PROVISIONING_KEY}-sensor`;

/** A device on the broker (002), recording what the server sends it. */
interface BrokerDevice {
  readonly client: DeviceClient;
  readonly received: JsonObject[];
  /** Waits for the first message matching `match` and returns it. */
  next(match: (message: JsonObject) => boolean): Promise<JsonObject>;
}

describe('the broker plugin: the server as an in-process control app (manual §5.7, 002)', () => {
  let t: TestServer;
  let broker: BrokerServer;
  let backend: Listener;
  const clients: DeviceClient[] = [];
  const acme = () => acmeCall(t);

  function connect(credentials: Pick<Credentials, 'id' | 'access_key'>): BrokerDevice {
    const received: JsonObject[] = [];
    const client = connectDevice({
      url: `${broker.url}/devices`,
      apiKey: credentials.access_key,
      deviceId: credentials.id,
      logger: silentLogger,
      onCommand: (payload) => received.push(payload),
    });
    clients.push(client);
    return {
      client,
      received,
      async next(match) {
        await eventually(() => received.some(match), 'a broker message');
        const index = received.findIndex(match);
        return received.splice(index, 1)[0]!;
      },
    };
  }

  const callbacksOf = async (deviceId: string, count: number): Promise<Received[]> => {
    const of = () => backend.received.filter((r) => r.body.params['device-id'] === deviceId);
    await eventually(() => of().length >= count, `${count} callbacks about ${deviceId}`);
    return of();
  };

  const echo = async (deviceId: string, text: string): Promise<number> => {
    const reply = await acme()('test:echo', { 'device-id': deviceId, text, 'notification-url': backend.url });
    return Number(reply.result?.['transaction-id']);
  };

  beforeAll(async () => {
    t = await startServer();
    // the same engine the server opened, served on a port of its own (the CLI mounts it on the API's port)
    broker = await serve(t.server.broker, { port: 0, hostname: '127.0.0.1' });
    backend = await listen((request) =>
      request.body.method === 'test:list-even'
        ? Response.json({ jsonrpc: '2.0', id: request.body.id, result: { evens: [2] } })
        : new Response(null, { status: 204 }),
    );
    await setUpAccount(t);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await broker.close();
    await backend.close();
    await t.close();
  });

  it('delivers what was queued while the device was away as soon as it registers, and applies its ack', async () => {
    const { credentials } = await registered(t, 'sn-1', SENSOR_KEY);
    const transactionId = await echo('sn-1', 'queued while away');
    const device = connect(credentials!);
    // resolves with previousConnection: none
    expect(await device.client.registered()).toBe(false);
    const delivered = await device.next((m) => m.type === 'transaction');
    expect(delivered).toEqual({
      type: 'transaction',
      transactionId,
      attempt: 1,
      action: 'execute',
      kind: 'rpc',
      name: 'test:echo',
      params: { 'device-id': 'sn-1', 'notification-url': backend.url, text: 'queued while away' },
      deadline: expect.any(String),
    });
    device.client.send({ type: 'ack', transactionId, attempt: 1, status: 'complete', result: { echoed: 'yes' } });
    expect(await device.next((m) => m.type === 'ack-result')).toEqual({
      type: 'ack-result',
      transactionId,
      attempt: 1,
      outcome: 'applied',
    });
    const [, complete] = await callbacksOf('sn-1', 2);
    expect(complete!.body.params).toMatchObject({ 'rpc-status': 'complete', final: true, echoed: 'yes' });
    const connected = await acme()('exodm:lookup-device-attributes', {
      'device-id': 'sn-1',
      attributes: ['is-connected'],
    });
    expect(connected.result?.attributes).toEqual([{ name: 'is-connected', val: 'true' }]);
  });

  it('sends new work to a connected device at once, and refuses a stale ack', async () => {
    const { credentials } = await registered(t, 'sn-2', SENSOR_KEY);
    const device = connect(credentials!);
    await device.client.registered();
    const transactionId = await echo('sn-2', 'while connected');
    const delivered = await device.next((m) => m.type === 'transaction');
    expect(delivered).toMatchObject({ transactionId, params: { text: 'while connected' } });
    device.client.send({ type: 'ack', transactionId, attempt: 0, status: 'complete' });
    expect(await device.next((m) => m.type === 'ack-result')).toMatchObject({
      outcome: 'rejected',
      reason: 'stale-attempt',
    });
    device.client.send({ type: 'ack', transactionId, attempt: 1, status: 'progress', progress: { cnt: 1, of: 2 } });
    expect(await device.next((m) => m.type === 'ack-result')).toMatchObject({ outcome: 'applied' });
    device.client.send({ type: 'ack', transactionId, attempt: 1, status: 'value-error' });
    await device.next((m) => m.type === 'ack-result');
    const received = await callbacksOf('sn-2', 3);
    expect(received.map((r) => r.body.params['rpc-status'])).toEqual(['device-connected', 'accepted', 'value-error']);
  });

  it('sends a reconnected device what it held but never acknowledged, under the same attempt', async () => {
    const { credentials } = await registered(t, 'sn-3', SENSOR_KEY);
    const first = connect(credentials!);
    await first.client.registered();
    const transactionId = await echo('sn-3', 'lost in a reboot');
    await first.next((m) => m.type === 'transaction');
    first.client.close();
    await eventually(async () => {
      const reply = await acme()('exodm:lookup-device-attributes', {
        'device-id': 'sn-3',
        attributes: ['is-connected'],
      });
      return JSON.stringify(reply.result?.attributes) === JSON.stringify([{ name: 'is-connected', val: 'false' }]);
    }, 'the disconnect');
    const second = connect(credentials!);
    await second.client.registered();
    expect(await second.next((m) => m.type === 'transaction')).toMatchObject({ transactionId, attempt: 1 });
  });

  it("routes the device's own RPC and answers it with an rpc-reply", async () => {
    const { credentials } = await registered(t, 'sn-4', SENSOR_KEY);
    await acme()('exodm:update-device', { 'device-id': 'sn-4', 'notification-url': backend.url });
    const device = connect(credentials!);
    await device.client.registered();
    device.client.send({ type: 'rpc', id: 'q1', method: 'test:list-even', params: { limit: 2 } });
    expect(await device.next((m) => m.type === 'rpc-reply')).toEqual({
      type: 'rpc-reply',
      id: 'q1',
      result: { evens: [2] },
    });
    device.client.send({ type: 'rpc', id: 'q2', method: 'test:list-even', params: {} });
    expect(await device.next((m) => m.type === 'rpc-reply')).toMatchObject({ id: 'q2', error: { code: -32602 } });
    device.client.send({ type: 'hello' });
    expect(await device.next((m) => m.type === 'error')).toMatchObject({ code: 'unknown-message' });
  });

  it('refuses a wrong access key and a device of another protocol (device-not-authorized)', async () => {
    const { credentials } = await registered(t, 'sn-5', SENSOR_KEY);
    const wrong = connect({ id: credentials!.id, access_key: 'not-the-key' });
    await expect(wrong.client.registered()).rejects.toMatchObject({ code: 'client-stopped' });
    const meter = await registered(t, 'm-broker');
    const other = connect(meter.credentials!);
    await expect(other.client.registered()).rejects.toMatchObject({ code: 'client-stopped' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { control, device, NOW, testBroker } from '../test/broker.ts';
import { settle, TestPeer } from '../test/peer.ts';
import type { Broker } from './broker.ts';

let broker: Broker;
function setup() {
  const t = testBroker();
  broker = t.broker;
  return t.transport;
}
afterEach(() => broker.shutdown());

describe('control endpoint (docs/sources.md, the machine broker control side, docs/broker.md)', () => {
  it('greets with a welcome carrying a UUID connectionId', async () => {
    const c = new TestPeer(setup(), '/control', 'ctl-key');
    const w = await c.one();
    expect(w).toMatchObject({ type: 'welcome', timestamp: NOW });
    expect(w.connectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a device key on the control endpoint with 1008', async () => {
    const c = new TestPeer(setup(), '/control', 'dev-key');
    expect(await c.one()).toMatchObject({ code: 'invalid-api-key' });
    expect(c.closeCode).toBe(1008);
  });

  it('lists devices with deviceId, connectedAt, metadata and subscriberCount', async () => {
    const t = setup();
    await device(t, 'd1');
    await control(t, 'd1');
    const c = await control(t, 'd1', 'offline');
    c.send({ type: 'list_devices', requestId: 'r1' });
    expect(await c.one()).toEqual({
      type: 'success',
      action: 'list_devices',
      devices: [{ deviceId: 'd1', connectedAt: NOW, metadata: {}, subscriberCount: 2 }],
      requestId: 'r1',
      timestamp: NOW,
    });
  });

  it('relays device messages to subscribers only, as {type, deviceId, payload, timestamp}', async () => {
    const t = setup();
    const d = await device(t, 'd1');
    const sub = await control(t, 'd1');
    const other = await control(t, 'd2');
    d.send({ type: 'message', payload: { temperature: 23.5, humidity: 65, status: 'ok' } });
    expect(await sub.one()).toEqual({
      type: 'message',
      deviceId: 'd1',
      payload: { temperature: 23.5, humidity: 65, status: 'ok' },
      timestamp: NOW,
    });
    await settle();
    expect(other.take()).toEqual([]);
    expect(d.take()).toEqual([]);
  });

  it('stops relaying after unsubscribe', async () => {
    const t = setup();
    const d = await device(t, 'd1');
    const c = await control(t, 'd1');
    c.send({ type: 'unsubscribe', deviceId: 'd1' });
    expect(await c.one()).toEqual({ type: 'success', action: 'unsubscribed', deviceId: 'd1', timestamp: NOW });
    d.send({ type: 'message', payload: { n: 1 } });
    await settle();
    expect(c.take()).toEqual([]);
  });

  it('delivers a command to the device as {type: "message", payload, timestamp} and acknowledges it', async () => {
    const t = setup();
    const d = await device(t, 'd1');
    const c = await control(t);
    c.send({ type: 'message', deviceId: 'd1', payload: { command: 'set_temperature', value: 25 }, requestId: 'cmd-1' });
    expect(await d.one()).toEqual({
      type: 'message',
      payload: { command: 'set_temperature', value: 25 },
      timestamp: NOW,
    });
    expect(c.take()).toEqual([{ type: 'success', action: 'sent', deviceId: 'd1', requestId: 'cmd-1', timestamp: NOW }]);
  });

  it.each([
    [{ type: 'message', deviceId: 'absent', payload: {} }, 'device-not-connected', 'Device not connected: absent'],
    [{ type: 'message', deviceId: 'd1', payload: 'x' }, 'invalid-payload', 'Invalid payload: expected a JSON object'],
    [{ type: 'subscribe' }, 'missing-device-id', 'Missing or invalid deviceId'],
    [{ type: 'subscribe', deviceId: 'a/b' }, 'invalid-device-id', 'Invalid deviceId format'],
    [{ type: 'unsubscribe', deviceId: 7 }, 'missing-device-id', 'Missing or invalid deviceId'],
    [
      { type: 'list_devices', requestId: 5 },
      'invalid-request-id',
      'Invalid requestId: expected a string of at most 128 characters',
    ],
    [{ type: 'register', deviceId: 'd1' }, 'unknown-type', 'Unknown message type: "register"'],
    ['not json', 'invalid-json', 'Invalid JSON'],
  ])('answers %j with the %s error', async (frame, code, text) => {
    const t = setup();
    await device(t, 'd1');
    const c = await control(t);
    c.send(frame);
    expect(await c.one()).toMatchObject({ type: 'error', code, error: text });
    expect(c.closeCode).toBeUndefined();
  });

  it('tells subscribers when their device connects, is replaced and disconnects', async () => {
    const t = setup();
    const c = await control(t, 'd1');
    const first = await device(t, 'd1');
    expect(c.take()).toEqual([
      { type: 'device_connected', deviceId: 'd1', metadata: {}, previousConnection: false, timestamp: NOW },
    ]);
    await device(t, 'd1');
    expect(first.closeCode).toBe(4000);
    expect(c.take()).toEqual([
      { type: 'device_connected', deviceId: 'd1', metadata: {}, previousConnection: true, timestamp: NOW },
    ]);
    const [live] = broker.devices();
    expect(live?.subscriberCount).toBe(1);
  });

  it('sends device_disconnected when the device goes away and keeps the subscription for its return', async () => {
    const t = setup();
    const c = await control(t, 'd1');
    const d = await device(t, 'd1');
    c.take();
    d.socket.close();
    await settle();
    expect(c.take()).toEqual([{ type: 'device_disconnected', deviceId: 'd1', timestamp: NOW }]);
    const back = await device(t, 'd1');
    back.send({ type: 'message', payload: { again: true } });
    await settle();
    expect(c.take().map((f) => f.type)).toEqual(['device_connected', 'message']);
  });

  it('forgets the subscriptions of a control app that closes', async () => {
    const t = setup();
    await device(t, 'd1');
    const c = await control(t, 'd1');
    c.socket.close();
    await settle();
    expect(broker.devices()[0]?.subscriberCount).toBe(0);
  });
});

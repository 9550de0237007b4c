import { afterEach, describe, expect, it } from 'vitest';
import { NOW, device as registered, testBroker } from '../test/broker.ts';
import { settle, TestPeer } from '../test/peer.ts';
import type { MemoryTransport } from './adapters/memory.ts';
import type { Broker } from './broker.ts';

let broker: Broker;

function setup(options: Parameters<typeof testBroker>[0] = {}): MemoryTransport {
  const t = testBroker(options);
  broker = t.broker;
  return t.transport;
}

afterEach(() => broker.shutdown());

describe('device endpoint (002)', () => {
  it('greets a connection with the welcome message of 002 Step 2', async () => {
    const d = new TestPeer(setup(), '/devices', 'dev-key');
    expect(await d.one()).toEqual({
      type: 'welcome',
      message: 'Connected to device endpoint. Send register message with deviceId.',
      timestamp: NOW,
    });
  });

  it('accepts the key from the X-API-Key header as well as from ?apiKey=', async () => {
    const d = new TestPeer(setup(), '/devices', undefined, 'dev-key');
    expect((await d.one()).type).toBe('welcome');
  });

  it('closes with 1008 after an invalid-api-key error for a wrong, missing or cross-endpoint key', async () => {
    const t = setup();
    for (const key of ['nope', undefined, 'ctl-key', 'dev-ke', 'dev-key2']) {
      const d = new TestPeer(t, '/devices', key);
      expect(await d.one()).toMatchObject({
        type: 'error',
        code: 'invalid-api-key',
        error: 'Invalid or missing API key',
      });
      expect(d.closeCode).toBe(1008);
    }
    expect(broker.connectionCount).toBe(0);
  });

  it('confirms registration with action, deviceId, previousConnection and an ISO 8601 timestamp', async () => {
    const d = new TestPeer(setup(), '/devices', 'dev-key');
    await settle();
    d.take();
    d.send({
      type: 'register',
      deviceId: 'your-unique-device-id',
      metadata: { name: 'Human-readable name', type: 'sensor' },
    });
    expect(await d.one()).toEqual({
      type: 'success',
      action: 'registered',
      deviceId: 'your-unique-device-id',
      previousConnection: false,
      timestamp: NOW,
    });
    expect(broker.devices()).toEqual([
      {
        deviceId: 'your-unique-device-id',
        connectedAt: NOW,
        metadata: { name: 'Human-readable name', type: 'sensor' },
        subscriberCount: 0,
      },
    ]);
  });

  it.each([
    [{ type: 'register' }, 'missing-device-id', 'Missing or invalid deviceId'],
    [{ type: 'register', deviceId: '' }, 'missing-device-id', 'Missing or invalid deviceId'],
    [{ type: 'register', deviceId: 42 }, 'missing-device-id', 'Missing or invalid deviceId'],
    [{ type: 'register', deviceId: 'has space' }, 'invalid-device-id', 'Invalid deviceId format'],
    [{ type: 'register', deviceId: 'x'.repeat(65) }, 'invalid-device-id', 'Invalid deviceId format'],
    [{ type: 'register', deviceId: 'ünï' }, 'invalid-device-id', 'Invalid deviceId format'],
    [
      { type: 'register', deviceId: 'ok', metadata: [1] },
      'invalid-metadata',
      'Invalid metadata: expected a JSON object',
    ],
    [{ type: 'message', payload: { a: 1 } }, 'device-not-registered', 'Device not registered'],
    [{ type: 'fly' }, 'unknown-type', 'Unknown message type: "fly"'],
    [{ deviceId: 'a' }, 'invalid-message', 'Message must be a JSON object with a string "type"'],
    [[1, 2], 'invalid-message', 'Message must be a JSON object with a string "type"'],
    ['{"type":', 'invalid-json', 'Invalid JSON'],
  ])('answers %j with the %s error and keeps the connection', async (frame, code, text) => {
    const d = new TestPeer(setup(), '/devices', 'dev-key');
    await settle();
    d.take();
    d.send(frame);
    expect(await d.one()).toEqual({ type: 'error', code, error: text, timestamp: NOW });
    expect(d.closeCode).toBeUndefined();
  });

  it('accepts a 64-character deviceId of letters, digits, hyphens and underscores', async () => {
    const d = new TestPeer(setup(), '/devices', 'dev-key');
    const id = `A-z_09${'x'.repeat(58)}`;
    await settle();
    d.send({ type: 'register', deviceId: id });
    await settle();
    expect(d.take()[1]).toMatchObject({ type: 'success', deviceId: id });
  });

  it('refuses a payload that is not a JSON object', async () => {
    const d = await registered(setup(), 'd1');
    for (const payload of [undefined, null, 3, 'text', [1]]) {
      d.send({ type: 'message', payload });
      expect(await d.one()).toMatchObject({
        code: 'invalid-payload',
        error: 'Invalid payload: expected a JSON object',
      });
    }
  });

  it('refuses a frame over maxMessageBytes without parsing it, counting UTF-8 bytes', async () => {
    const d = new TestPeer(setup({ maxMessageBytes: 100 }), '/devices', 'dev-key');
    await settle();
    d.take();
    const frame = `{"type":"register","deviceId":"${'é'.repeat(40)}"}`; // 73 UTF-16 units, 113 UTF-8 bytes
    d.send(frame);
    expect(await d.one()).toMatchObject({
      code: 'message-too-large',
      error: 'Message too large: 113 bytes, the limit is 100',
    });
    d.send({ type: 'register', deviceId: 'fits' });
    expect(await d.one()).toMatchObject({ type: 'success' });
  });

  it('closes the previous connection of a deviceId with 4000 and reports previousConnection', async () => {
    const t = setup();
    const first = await registered(t, 'dup');
    const second = new TestPeer(t, '/devices', 'dev-key');
    await settle();
    second.send({ type: 'register', deviceId: 'dup' });
    await settle();
    expect(second.take()[1]).toMatchObject({ type: 'success', deviceId: 'dup', previousConnection: true });
    expect(first.closeCode).toBe(4000);
    expect(broker.devices().map((d) => d.deviceId)).toEqual(['dup']);
    expect(broker.stats.evictions).toBe(1);
    // the old socket's late close must not unregister the new one
    await settle();
    expect(broker.devices()).toHaveLength(1);
  });

  it('treats a second register with the same deviceId as a metadata refresh on the same connection', async () => {
    const d = await registered(setup(), 'same');
    d.send({ type: 'register', deviceId: 'same', metadata: { version: '2' } });
    expect(await d.one()).toMatchObject({ action: 'registered', previousConnection: false });
    expect(broker.devices()[0]?.metadata).toEqual({ version: '2' });
    d.send({ type: 'register', deviceId: 'other' });
    expect(await d.one()).toMatchObject({
      code: 'already-registered',
      error: 'Connection already registered with another deviceId: same',
    });
  });

  it('unregisters a device whose connection closes', async () => {
    const d = await registered(setup(), 'gone');
    d.socket.close();
    await settle();
    expect(broker.devices()).toEqual([]);
    expect(broker.connectionCount).toBe(0);
  });
});

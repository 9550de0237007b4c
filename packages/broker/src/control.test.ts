import { memoryLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { control, device, NOW, testBroker } from '../test/broker.ts';
import { settle } from '../test/peer.ts';
import type { BrokerOptions } from './_internal/options.ts';
import type { Broker } from './broker.ts';
import type { DeviceMessage, PresenceEvent } from './control.ts';
import { BrokerError } from './errors.ts';

let broker: Broker;
function setup(options: Partial<BrokerOptions> = {}) {
  const t = testBroker(options);
  broker = t.broker;
  return t.transport;
}
afterEach(() => broker.shutdown());

function caught(action: () => unknown): BrokerError {
  try {
    action();
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw e;
  }
  throw new Error('expected a BrokerError');
}

describe('in-process control (docs/broker.md §In-process control)', () => {
  it('hears a subscribed device come, speak and go, and sends it commands, without a socket', async () => {
    const t = setup();
    const ctl = broker.control();
    const messages: DeviceMessage[] = [];
    const presence: PresenceEvent[] = [];
    ctl.onMessage((m) => messages.push(m));
    ctl.onPresence((e) => presence.push(e));
    expect(ctl.subscribe('d1')).toEqual({ online: false, subscriberCount: 1 });
    const d = await device(t, 'd1');
    d.send({ type: 'message', payload: { ack: 'tx-1' } });
    await settle();
    expect(ctl.send('d1', { command: 'reboot' })).toEqual({ sent: true });
    expect(await d.one()).toEqual({ type: 'message', payload: { command: 'reboot' }, timestamp: NOW });
    d.socket.close();
    await settle();
    expect(messages).toEqual([{ type: 'message', deviceId: 'd1', payload: { ack: 'tx-1' }, timestamp: NOW }]);
    expect(presence).toEqual([
      { type: 'device_connected', deviceId: 'd1', metadata: {}, previousConnection: false, timestamp: NOW },
      { type: 'device_disconnected', deviceId: 'd1', timestamp: NOW },
    ]);
    expect(broker.stats.commands).toBe(1);
  });

  it('hears only the devices it subscribed to, until it unsubscribes', async () => {
    const t = setup();
    const ctl = broker.control();
    const heard: string[] = [];
    ctl.onMessage((m) => heard.push(`${m.deviceId}:${String(m.payload.n)}`));
    ctl.subscribe('d1');
    const d1 = await device(t, 'd1');
    const d2 = await device(t, 'd2');
    d1.send({ type: 'message', payload: { n: 1 } });
    d2.send({ type: 'message', payload: { n: 2 } });
    await settle();
    ctl.unsubscribe('d1');
    d1.send({ type: 'message', payload: { n: 3 } });
    await settle();
    expect(heard).toEqual(['d1:1']);
  });

  it('counts as a control app in subscriberCount, list_devices, connectionCount and the stats', async () => {
    const t = setup();
    await device(t, 'd1');
    const ctl = broker.control();
    expect(ctl.subscribe('d1')).toEqual({ online: true, subscriberCount: 1 });
    const app = await control(t);
    app.send({ type: 'subscribe', deviceId: 'd1' });
    expect(await app.one()).toMatchObject({ action: 'subscribed', online: true, subscriberCount: 2 });
    expect(broker.devices()[0]?.subscriberCount).toBe(2);
    expect(ctl.devices()).toEqual(broker.devices());
    expect(broker.connectionCount).toBe(3);
    ctl.close();
    expect(ctl.closed).toBe(true);
    expect(broker.devices()[0]?.subscriberCount).toBe(1);
    expect(broker.connectionCount).toBe(2);
  });

  it('reports a command it could not hand over with the wire codes device-not-connected and message-too-large', async () => {
    const t = setup({ maxMessageBytes: 200 });
    const ctl = broker.control();
    expect(ctl.send('absent', { command: 'x' })).toEqual({
      sent: false,
      code: 'device-not-connected',
      error: 'Device not connected: absent',
    });
    const d = await device(t, 'd1');
    expect(ctl.send('d1', { blob: 'x'.repeat(200) })).toMatchObject({ sent: false, code: 'message-too-large' });
    await settle();
    expect(d.take()).toEqual([]);
    expect(broker.stats.commands).toBe(0);
  });

  it('throws invalid-argument for a malformed deviceId or a payload that is not a JSON object', async () => {
    setup();
    const ctl = broker.control();
    expect(caught(() => ctl.subscribe('has space')).details).toMatchObject({ path: 'deviceId', got: 'has space' });
    expect(caught(() => ctl.send('', {})).code).toBe('invalid-argument');
    const array = caught(() => ctl.send('d1', [1] as unknown as Record<string, unknown>));
    expect([array.code, array.details?.path]).toEqual(['invalid-argument', 'payload']);
  });

  it('throws invalid-argument for a payload JSON cannot carry, when the device is connected', async () => {
    const t = setup();
    await device(t, 'd1');
    const ctl = broker.control();
    expect(caught(() => ctl.send('d1', { big: 1n })).details).toMatchObject({ path: 'payload' });
  });

  it('logs a listener that throws, still calls the others, and leaves the device connected', async () => {
    const logger = memoryLogger();
    const t = setup({ logger });
    const ctl = broker.control();
    const heard: unknown[] = [];
    ctl.onMessage(() => {
      throw new Error('server bug');
    });
    ctl.onMessage((m) => heard.push(m.payload));
    ctl.subscribe('d1');
    const d = await device(t, 'd1');
    d.send({ type: 'message', payload: { n: 1 } });
    await settle();
    expect(heard).toEqual([{ n: 1 }]);
    expect(d.closeCode).toBeUndefined();
    expect(logger.records.map((r) => r.message)).toContain('broker control listener failed');
  });

  it('stops calling a listener once its remover ran', async () => {
    const t = setup();
    const ctl = broker.control();
    const heard: unknown[] = [];
    const remove = ctl.onPresence((e) => heard.push(e.type));
    ctl.subscribe('d1');
    const d = await device(t, 'd1');
    remove();
    d.socket.close();
    await settle();
    expect(heard).toEqual(['device_connected']);
  });

  it('is closed by the broker shutdown; after it, its methods and broker.control() throw closed', () => {
    setup();
    const ctl = broker.control();
    ctl.subscribe('d1');
    broker.shutdown();
    expect(ctl.closed).toBe(true);
    expect(caught(() => ctl.send('d1', {})).code).toBe('closed');
    expect(caught(() => ctl.subscribe('d1')).code).toBe('closed');
    expect(caught(() => broker.control()).code).toBe('closed');
    ctl.close();
  });
});

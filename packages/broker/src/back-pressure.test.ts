import { afterEach, describe, expect, it } from 'vitest';
import { control, device, testBroker } from '../test/broker.ts';
import { settle } from '../test/peer.ts';
import type { Broker } from './broker.ts';

let broker: Broker;
afterEach(() => broker.shutdown());

const payload = { reading: 'x'.repeat(200) };

describe('back-pressure (docs/broker.md §Back-pressure)', () => {
  it('closes a subscriber that stops reading with 1013 once its buffer passes the limit, without stalling the device or the others', async () => {
    const t = testBroker({ maxBufferedBytes: 2_000 });
    broker = t.broker;
    const d = await device(t.transport, 'd1');
    const fast = await control(t.transport, 'd1');
    const slow = await control(t.transport, 'd1');
    slow.socket.pause();
    for (let i = 0; i < 50; i++) d.send({ type: 'message', payload: { ...payload, i } });
    await settle();
    expect(fast.take().map((f) => (f.payload as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(slow.closeCode).toBe(1013);
    expect(broker.stats.slowDisconnects).toBe(1);
    expect(broker.devices()[0]?.subscriberCount).toBe(1);
    // the device is still registered and can still publish
    d.send({ type: 'message', payload: { after: true } });
    await settle();
    expect(fast.take()).toHaveLength(1);
    expect(d.closeCode).toBeUndefined();
  });

  it('under the drop policy skips frames while the buffer is over the limit, then reports how many it dropped', async () => {
    const t = testBroker({ maxBufferedBytes: 1_000, slowConsumer: 'drop' });
    broker = t.broker;
    const d = await device(t.transport, 'd1');
    const slow = await control(t.transport, 'd1');
    slow.socket.pause();
    for (let i = 0; i < 20; i++) d.send({ type: 'message', payload: { ...payload, i } });
    await settle();
    slow.socket.resume();
    await settle();
    const held = slow.take();
    const kept = held.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    expect(broker.stats.dropped).toBe(20 - kept);
    d.send({ type: 'message', payload: { i: 20 } });
    await settle();
    // never a silent drop: the next frame is preceded by the count
    expect(slow.take().map((f) => (f.type === 'dropped' ? f.count : (f.payload as { i: number }).i))).toEqual([
      20 - kept,
      20,
    ]);
    expect(slow.closeCode).toBeUndefined();
  });

  it('also protects the broker from a device that does not read its commands', async () => {
    const t = testBroker({ maxBufferedBytes: 500 });
    broker = t.broker;
    const d = await device(t.transport, 'd1');
    const c = await control(t.transport);
    d.socket.pause();
    for (let i = 0; i < 10; i++) c.send({ type: 'message', deviceId: 'd1', payload });
    await settle();
    const replies = c.take();
    expect(replies.filter((f) => f.action === 'sent').length).toBeGreaterThan(0);
    expect(replies.at(-1)).toMatchObject({ code: 'device-not-connected' });
    expect(d.closeCode).toBe(1013);
  });
});

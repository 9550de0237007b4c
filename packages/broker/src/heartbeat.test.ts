import { afterEach, describe, expect, it } from 'vitest';
import { control, device, testBroker } from '../test/broker.ts';
import { settle, TestPeer } from '../test/peer.ts';
import type { Broker } from './broker.ts';

let broker: Broker;
afterEach(() => broker.shutdown());

describe('heartbeat (002 "Best Practices" 2)', () => {
  it('keeps peers that answer pings and drops one that went silent, notifying its subscribers', async () => {
    const t = testBroker({ heartbeatMs: 30_000 });
    broker = t.broker;
    const live = await device(t.transport, 'live');
    const dead = await device(t.transport, 'dead');
    const c = await control(t.transport, 'dead');
    dead.socket.pause(); // a paused memory socket answers no pings: a peer gone silent
    t.clock.advance(30_000);
    await settle();
    expect(broker.connectionCount).toBe(3);
    t.clock.advance(30_000);
    await settle();
    expect(dead.closeCode).toBe(1006);
    expect(live.closeCode).toBeUndefined();
    expect(broker.devices().map((d) => d.deviceId)).toEqual(['live']);
    expect(broker.stats.deadPeers).toBe(1);
    expect(c.take()).toMatchObject([{ type: 'device_disconnected', deviceId: 'dead' }]);
  });

  it('counts any frame as a sign of life', async () => {
    const t = testBroker({ heartbeatMs: 1_000 });
    broker = t.broker;
    const d = await device(t.transport, 'chatty');
    d.socket.pause();
    for (let i = 0; i < 5; i++) {
      d.send({ type: 'message', payload: { i } });
      await settle();
      t.clock.advance(1_000);
    }
    expect(d.closeCode).toBeUndefined();
  });

  it('stops pinging once the broker shuts down', () => {
    const t = testBroker({ heartbeatMs: 1_000 });
    broker = t.broker;
    broker.shutdown();
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('closes a device that has not registered after a whole interval with 1008', async () => {
    const t = testBroker({ heartbeatMs: 10_000 });
    broker = t.broker;
    const idle = new TestPeer(t.transport, '/devices', 'dev-key');
    await settle();
    idle.take();
    t.clock.advance(10_000);
    await settle();
    expect(idle.closeCode).toBeUndefined();
    t.clock.advance(10_000);
    await settle();
    expect(idle.take()).toMatchObject([{ type: 'error', code: 'registration-timeout' }]);
    expect(idle.closeCode).toBe(1008);
    expect(broker.connectionCount).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { control, device, testBroker } from '../test/broker.ts';
import { settle, TestPeer } from '../test/peer.ts';
import type { Connection } from './connection.ts';

describe('shutdown and restart (002 close codes)', () => {
  it.each([
    ['shutdown', 1001],
    ['restart', 1012],
  ] as const)('closes every connection on %s with %i and refuses new ones', async (kind, code) => {
    const { broker, transport } = testBroker();
    const d = await device(transport, 'd1');
    const c = await control(transport, 'd1');
    broker.shutdown(kind);
    await settle();
    expect([d.closeCode, c.closeCode]).toEqual([code, code]);
    expect(broker.devices()).toEqual([]);
    expect(broker.connectionCount).toBe(0);
    const late = new TestPeer(transport, '/devices', 'dev-key');
    await settle();
    expect(late.closeCode).toBe(1006);
  });

  it('closes with 1011 when a handler fails unexpectedly', () => {
    const { broker } = testBroker();
    const closes: number[] = [];
    let failing = false;
    const conn: Connection = {
      send() {
        if (failing) throw new TypeError('socket write failed');
      },
      bufferedAmount: () => 0,
      close: (code) => closes.push(code),
      terminate() {},
    };
    const session = broker.accept({ endpoint: 'devices', apiKey: 'dev-key' }, conn);
    failing = true;
    session.message(JSON.stringify({ type: 'register', deviceId: 'd1' }));
    expect(closes).toEqual([1011]);
    expect(broker.connectionCount).toBe(0);
    expect(broker.devices()).toEqual([]);
    broker.shutdown();
  });
});

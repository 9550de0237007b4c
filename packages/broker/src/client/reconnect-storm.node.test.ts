import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { serveNode } from '../adapters/node.ts';
import { Broker } from '../broker.ts';
import { connectDevice, type DeviceClient } from './device-client.ts';

const CLIENTS = 1_000;
const until = async (ok: () => boolean): Promise<void> => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

describe('reconnect storm over real sockets (Node, ws)', () => {
  it('1,000 devices reconnect to the restarted broker on the same port, spread over 1 s ± 20%, none lost', async () => {
    const clock = new ManualClock();
    const random = new SeededRandom(8);
    const options = { deviceKeys: ['k'], controlKeys: ['c'], logger: silentLogger };
    const first = await serveNode(new Broker(options), { port: 0, hostname: '127.0.0.1' });
    const back = new Map<number, number>();
    let restartedAt: number | undefined;
    const clients: DeviceClient[] = Array.from({ length: CLIENTS }, (_, i) =>
      connectDevice({
        url: `${first.url}/devices`,
        apiKey: 'k',
        deviceId: `storm-${i}`,
        clock,
        random,
        logger: silentLogger,
        onStateChange: (state) => {
          if (state === 'ready' && restartedAt !== undefined) back.set(i, clock.monotonic() - restartedAt);
        },
      }),
    );
    await Promise.all(clients.map((c) => c.registered()));
    expect(first.broker.devices()).toHaveLength(CLIENTS);

    restartedAt = clock.monotonic();
    await first.close('restart');
    await until(() => clients.every((c) => c.state === 'waiting'));
    const second = await serveNode(new Broker(options), { port: first.port, hostname: '127.0.0.1' });
    const busy = (): boolean => clients.some((c) => c.state === 'connecting' || c.state === 'registering');
    for (let t = 0; t < 2_000 && back.size < CLIENTS; t += 10) {
      clock.advance(10);
      await until(() => !busy());
    }

    const buckets = new Map<number, number>();
    for (const t of back.values())
      buckets.set(Math.floor(t / 50) * 50, (buckets.get(Math.floor(t / 50) * 50) ?? 0) + 1);
    const lines = [...buckets]
      .sort(([a], [b]) => a - b)
      .map(
        ([b, n]) => `${String(b).padStart(5)}–${b + 50} ms ${String(n).padStart(4)} ${'#'.repeat(Math.ceil(n / 3))}`,
      );
    console.log(`reconnect times of ${CLIENTS} devices after a 1012 restart, real sockets:\n${lines.join('\n')}`);
    expect(second.broker.devices()).toHaveLength(CLIENTS);
    expect(clients.every((c) => c.state === 'ready' && c.attempt === 0)).toBe(true);
    const times = [...back.values()];
    expect(Math.min(...times)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...times)).toBeLessThanOrEqual(1_200);
    // uniform over 400 ms: a 50 ms window holds about 1/8 of the fleet, never the whole of it
    expect(Math.max(...buckets.values())).toBeLessThanOrEqual((CLIENTS / 8) * 1.3);
    for (const c of clients) c.close();
    await second.close();
  });
});

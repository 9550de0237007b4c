import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { settle } from '../../test/peer.ts';
import { MemoryTransport } from '../adapters/memory.ts';
import { Broker } from '../broker.ts';
import { connectDevice, type DeviceClient } from './device-client.ts';

const CLIENTS = 1_000;
const BUCKET_MS = 100;

function histogram(times: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / BUCKET_MS), (counts.get(Math.floor(t / BUCKET_MS)) ?? 0) + 1);
  return [...counts.keys()]
    .sort((a, b) => a - b)
    .map(
      (b) =>
        `${String(b * BUCKET_MS).padStart(5)}–${String((b + 1) * BUCKET_MS).padEnd(5)} ms ${String(counts.get(b)).padStart(4)} ${'#'.repeat(Math.ceil(counts.get(b)! / 5))}`,
    )
    .join('\n');
}

describe('reconnect storm (002 "Reconnection Strategy")', () => {
  it('1,000 devices whose broker restarts come back spread out by their jittered backoff, all re-registered, none lost', async () => {
    const clock = new ManualClock();
    const random = new SeededRandom(2026);
    const opts = { deviceKeys: ['k'], controlKeys: ['c'], clock, random, logger: silentLogger, heartbeatMs: 0 };
    const first = new Broker(opts);
    const transport = new MemoryTransport(first);
    let restartedAt = 0;
    const back = new Map<string, number>();
    const attemptsBeforeBack = new Map<string, number>();
    const clients: DeviceClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const deviceId = `dev-${i}`;
      const client = connectDevice({
        url: 'memory://broker/devices',
        apiKey: 'k',
        deviceId,
        socket: transport.socket,
        clock,
        random,
        logger: silentLogger,
        onStateChange: (state, detail) => {
          if (state === 'waiting' && restartedAt > 0) attemptsBeforeBack.set(deviceId, detail.attempt ?? 0);
          if (state === 'ready' && restartedAt > 0) back.set(deviceId, clock.monotonic() - restartedAt);
        },
      });
      clients.push(client);
    }
    await settle();
    await settle();
    expect(first.devices()).toHaveLength(CLIENTS);

    // the broker restarts (1012) and is unreachable for one second
    clock.advance(5_000);
    restartedAt = clock.monotonic();
    transport.attach(undefined);
    first.shutdown('restart');
    const second = new Broker(opts);
    await settle(); // the 1012 closes arrive: every client starts its backoff now
    for (let t = 0; t < 40_000 && back.size < CLIENTS; t += 10) {
      if (t === 1_000) transport.attach(second);
      clock.advance(10);
      await settle();
    }

    const times = [...back.values()];
    console.log(`reconnect times of ${CLIENTS} devices after a broker restart (down for 1 s):\n${histogram(times)}`);
    // none lost: every device is registered on the new broker, exactly once
    expect(
      second
        .devices()
        .map((d) => d.deviceId)
        .sort(),
    ).toEqual(clients.map((_, i) => `dev-${i}`).sort());
    expect(clients.every((c) => c.state === 'ready' && c.attempt === 0)).toBe(true);
    // first retry at 1 s ± 20%; those that hit the dead broker retry at 2 s ± 20% later
    const firstWave = times.filter((t) => t >= 1_000 && t <= 1_200);
    const secondWave = times.filter((t) => t >= 1_000 * 0.8 + 2_000 * 0.8 && t <= 1_000 + 2_000 * 1.2);
    expect(firstWave.length + secondWave.length).toBe(CLIENTS);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(1_000);
    expect([...attemptsBeforeBack.values()].every((a) => a === 1 || a === 2)).toBe(true);
    // no thundering herd: ±20% spreads a wave over 400 ms, so a 100 ms window holds about a quarter of
    // it (not all of it, as without jitter); allow 20% over that for the seed's unevenness
    const perBucket = new Map<number, number>();
    for (const t of times)
      perBucket.set(Math.floor(t / BUCKET_MS), (perBucket.get(Math.floor(t / BUCKET_MS)) ?? 0) + 1);
    expect(Math.max(...perBucket.values())).toBeLessThanOrEqual(CLIENTS * 0.25 * 1.2);
    expect(perBucket.size).toBeGreaterThanOrEqual(8);
    for (const c of clients) c.close();
    second.shutdown();
  });
});

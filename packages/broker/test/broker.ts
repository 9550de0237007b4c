import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import type { BrokerOptions } from '../src/_internal/options.ts';
import { MemoryTransport } from '../src/adapters/memory.ts';
import { Broker } from '../src/broker.ts';
import { settle, TestPeer } from './peer.ts';

/** 002's example time, on a manual clock. */
export const NOW = '2024-01-15T10:30:00.000Z';

/** A broker on a manual clock and seeded random, reached through a memory transport (tests only). */
export function testBroker(options: Partial<BrokerOptions> = {}): {
  broker: Broker;
  transport: MemoryTransport;
  clock: ManualClock;
} {
  const clock = new ManualClock({ wall: Date.parse(NOW) });
  const broker = new Broker({
    deviceKeys: ['dev-key'],
    controlKeys: ['ctl-key'],
    clock,
    random: new SeededRandom(1),
    logger: silentLogger,
    ...options,
  });
  return { broker, transport: new MemoryTransport(broker), clock };
}

/** A device connected and registered as `deviceId`, its frames so far consumed. */
export async function device(t: MemoryTransport, deviceId: string): Promise<TestPeer> {
  const d = new TestPeer(t, '/devices', 'dev-key');
  await settle();
  d.send({ type: 'register', deviceId });
  await settle();
  d.take();
  return d;
}

/** A control app connected and subscribed to `deviceIds`, its frames so far consumed. */
export async function control(t: MemoryTransport, ...deviceIds: string[]): Promise<TestPeer> {
  const c = new TestPeer(t, '/control', 'ctl-key');
  await settle();
  for (const deviceId of deviceIds) c.send({ type: 'subscribe', deviceId });
  await settle();
  c.take();
  return c;
}

import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { control, NOW } from '../../test/broker.ts';
import { settle } from '../../test/peer.ts';
import { MemoryTransport } from '../adapters/memory.ts';
import { Broker } from '../broker.ts';
import { BrokerError } from '../errors.ts';
import { connectDevice, type DeviceClientOptions, type DeviceClientState } from './device-client.ts';
import type { SocketFactory } from './socket.ts';

const clock = new ManualClock({ wall: Date.parse(NOW) });
const brokers: Broker[] = [];
function newBroker(): Broker {
  const b = new Broker({
    deviceKeys: ['dev-key'],
    controlKeys: ['ctl-key'],
    clock,
    random: new SeededRandom(2),
    logger: silentLogger,
    heartbeatMs: 0,
  });
  brokers.push(b);
  return b;
}
afterEach(() => {
  for (const b of brokers.splice(0)) b.shutdown();
});

function client(transport: MemoryTransport, extra: Partial<DeviceClientOptions> = {}) {
  const states: Array<[DeviceClientState, number | undefined]> = [];
  const c = connectDevice({
    url: 'memory://broker/devices',
    apiKey: 'dev-key',
    deviceId: 'sensor-1',
    metadata: { name: 'Temperature Sensor' },
    socket: transport.socket,
    clock,
    random: new SeededRandom(3),
    logger: silentLogger,
    onStateChange: (s, d) => states.push([s, d.delayMs ?? d.code]),
    ...extra,
  });
  return { c, states };
}

describe('DeviceClient', () => {
  it('registers with its metadata, sends data and receives commands', async () => {
    const broker = newBroker();
    const t = new MemoryTransport(broker);
    const commands: unknown[] = [];
    const { c } = client(t, { onCommand: (p) => commands.push(p) });
    await c.registered();
    expect(c.state).toBe('ready');
    expect(broker.devices()[0]).toMatchObject({ deviceId: 'sensor-1', metadata: { name: 'Temperature Sensor' } });
    const app = await control(t, 'sensor-1');
    expect(c.send({ temperature: 23.5 })).toBe(true);
    app.send({ type: 'message', deviceId: 'sensor-1', payload: { command: 'set_temperature', value: 25 } });
    await settle();
    expect(app.take()[0]).toMatchObject({ type: 'message', deviceId: 'sensor-1', payload: { temperature: 23.5 } });
    expect(commands).toEqual([{ command: 'set_temperature', value: 25 }]);
    c.close();
  });

  it.each([1001, 1012])('reconnects after close %i with a jittered delay and registers again', async (code) => {
    const t = new MemoryTransport(newBroker());
    const { c, states } = client(t);
    await c.registered();
    const old = brokers[0]!;
    t.attach(newBroker());
    old.shutdown(code === 1012 ? 'restart' : 'shutdown');
    await settle();
    expect(c.state).toBe('waiting');
    const delay = states.at(-1)![1]!;
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1200);
    clock.advance(delay - 1);
    await settle();
    expect(c.state).toBe('waiting');
    clock.advance(1);
    await c.registered();
    expect(brokers[1]!.devices().map((d) => d.deviceId)).toEqual(['sensor-1']);
    expect(c.attempt).toBe(0);
    c.close();
  });

  it('backs off exponentially while the broker is down and resets after registering', async () => {
    const t = new MemoryTransport(newBroker());
    const { c, states } = client(t, {
      random: { bytes: () => new Uint8Array(), float: () => 0.5, int: () => 0, uuid: () => '' },
    });
    await c.registered();
    t.attach(undefined);
    brokers[0]!.shutdown('restart');
    for (let i = 0; i < 7; i++) {
      await settle();
      clock.advance(states.at(-1)![1]!);
    }
    await settle();
    const delays = states.filter(([s]) => s === 'waiting').map(([, d]) => d);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    t.attach(newBroker());
    clock.advance(30000);
    await c.registered();
    expect(c.attempt).toBe(0);
    c.close();
  });

  it('does not reconnect after an intentional close', async () => {
    const broker = newBroker();
    const { c, states } = client(new MemoryTransport(broker));
    await c.registered();
    c.close();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(c.state).toBe('stopped');
    expect(states.at(-1)).toEqual(['stopped', 1000]);
    expect(broker.devices()).toEqual([]);
  });

  it.each([
    ['a bad key (1008)', { apiKey: 'wrong' }, 1008],
    ['an invalid registration', { metadata: [] as unknown as Record<string, unknown> }, 1000],
  ])('stops instead of retrying after %s', async (_name, extra, code) => {
    const { c, states } = client(new MemoryTransport(newBroker()), extra);
    await expect(c.registered()).rejects.toMatchObject({ code: 'client-stopped', details: { closeCode: code } });
    expect(c.state).toBe('stopped');
    expect(states.at(-1)).toEqual(['stopped', code]);
  });

  it('stops when replaced by a newer connection with the same deviceId (4000), so two devices never fight', async () => {
    const t = new MemoryTransport(newBroker());
    const first = client(t);
    await first.c.registered();
    const second = client(t);
    expect(await second.c.registered()).toBe(true);
    await settle();
    expect(first.c.state).toBe('stopped');
    expect(first.states.at(-1)).toEqual(['stopped', 4000]);
    second.c.close();
  });

  it('refuses to send before registration and rejects a bad deviceId up front', async () => {
    const { c } = client(new MemoryTransport(newBroker()));
    expect(c.send({ early: true })).toBe(false);
    c.close();
    expect(() => client(new MemoryTransport(), { deviceId: 'bad id' })).toThrow(BrokerError);
    expect(() => client(new MemoryTransport(), { url: 'not a url' })).toThrow(/url is not a URL/);
  });

  it('abandons a connection that is not registered within registerTimeoutMs and retries with backoff', async () => {
    let opened = 0;
    // a network that accepts the TCP connection but never completes the handshake
    const hung: SocketFactory = () => {
      opened++;
      return { onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} };
    };
    const { c, states } = client(new MemoryTransport(), {
      socket: hung,
      registerTimeoutMs: 5_000,
      random: { bytes: () => new Uint8Array(), float: () => 0.5, int: () => 0, uuid: () => '' },
    });
    expect(opened).toBe(1);
    clock.advance(4_999);
    expect(c.state).toBe('connecting');
    clock.advance(1);
    expect(states.at(-1)).toEqual(['waiting', 1000]);
    clock.advance(1_000);
    expect(opened).toBe(2);
    c.close();
    expect(c.state).toBe('stopped');
  });
});

import { type MemorySocket, MemoryTransport } from '@fleetkit/broker/memory';
import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentOptions, type AgentStore, brokerTransport, Handlers, memoryStore } from '../src/index.ts';
import { Recorder } from './events.ts';
import { SENSOR_KEY, startServer, type TestServer } from './server-fixture.ts';

describe('the agent through the server broker (002 client, docs/server.md broker messages)', () => {
  let t: TestServer;
  let network: MemoryTransport;
  /** Every socket the agents opened, so a test can drop one as a network would. */
  const sockets: MemorySocket[] = [];
  beforeAll(async () => {
    t = await startServer();
    // the server's own broker engine, reached without sockets
    network = new MemoryTransport(t.server.broker);
  });
  afterAll(async () => {
    await t.close();
  });

  function sensor(deviceId: string, extra: Partial<AgentOptions> & { store?: AgentStore } = {}) {
    const clock = new ManualClock();
    const agent = new Agent({
      transport: brokerTransport({
        url: t.url,
        brokerUrl: 'memory://fleet.test/devices',
        fetch: t.fetch,
        socket: (url) => {
          const socket = network.open(url);
          sockets.push(socket);
          return socket;
        },
        clock,
        random: new SeededRandom(3),
        logger: silentLogger,
      }),
      registration: { account: 'acme', provisioningKey: SENSOR_KEY, deviceId },
      clock,
      random: new SeededRandom(4),
      logger: silentLogger,
      ...extra,
    });
    return { agent, clock, events: new Recorder(agent) };
  }

  it('registers over HTTP, connects to the broker, and handles pushed commands at once', async () => {
    const handlers = new Handlers().command('agent-test:echo', (command) => ({ echoed: command.parameters.text }));
    const { agent, events } = sensor('bk-1', { handlers });
    agent.start();
    await events.next('registered');
    await events.next('waiting');
    expect(t.server.broker.devices().map((device) => device.deviceId)).toContain(agent.auth?.id);
    // no clock advance: the pushed transaction is a significant event
    const id = await t.send('bk-1', 'echo', { text: 'pushed' });
    expect(await events.next('command', (e) => e.status === 'done')).toMatchObject({ id: `${id}.1` });
    expect(await t.transaction('bk-1', id)).toMatchObject({ state: 'complete', 'device-result': { echoed: 'pushed' } });
    await agent.stop();
  });

  it('applies configuration pushed through the broker and reports a failing command', async () => {
    const applied: unknown[] = [];
    const handlers = new Handlers()
      .config((config) => {
        applied.push(config.updates);
      })
      .command('agent-test:reboot', () => {
        throw new Error('not now');
      });
    const { agent, events } = sensor('bk-2', { handlers });
    agent.start();
    await events.next('waiting');
    await t.acme('exodm:update-config-data', { 'device-id': 'bk-2', module: 'agent-test', values: { interval: 30 } });
    const version = Number(
      (await t.acme('exodm:push-config-data', { 'device-id': 'bk-2' })).result?.['transaction-id'],
    );
    const failing = await t.send('bk-2', 'reboot');
    expect(await events.next('config')).toEqual({ type: 'config', version, status: 'done' });
    expect(applied).toEqual([[{ module: 'agent-test', values: { interval: 30 } }]]);
    expect(await events.next('command', (e) => e.status === 'failed')).toMatchObject({ message: 'not now' });
    expect(await t.transaction('bk-2', version)).toMatchObject({ state: 'complete' });
    expect(await t.transaction('bk-2', failing)).toMatchObject({
      'rpc-status': 'device-error',
      'device-result': { message: 'not now' },
    });
    await agent.stop();
  });

  it('finishes a reboot command after the restart: the server hands it out again on the new connection', async () => {
    const store = memoryStore();
    const log: string[] = [];
    const handlers = new Handlers().command('agent-test:reboot', {
      execute: () => {
        log.push('rebooting');
        return new Promise(() => {});
      },
      finish: () => {
        log.push('back');
        return { rebooted: true };
      },
    });
    const before = sensor('bk-3', { handlers, store });
    before.agent.start();
    await before.events.next('waiting');
    const id = await t.send('bk-3', 'reboot');
    await before.events.next('command', (e) => e.status === 'in_progress');
    await before.agent.stop();
    const after = sensor('bk-3', { handlers, store });
    after.agent.start();
    expect(await after.events.next('command')).toMatchObject({ status: 'done', resumed: true, id: `${id}.1` });
    expect(log).toEqual(['rebooting', 'back']);
    expect(await t.transaction('bk-3', id)).toMatchObject({ state: 'complete', 'device-result': { rebooted: true } });
    await after.agent.stop();
  });

  it('takes a refused connection (1008, a deleted device) as 401: registers again, then connects', async () => {
    const store = memoryStore();
    const first = sensor('bk-4', { store });
    first.agent.start();
    await first.events.next('waiting');
    await first.agent.stop();
    await t.acme('exodm:delete-devices', { 'device-id': ['bk-4'] });
    const second = sensor('bk-4', { store });
    second.agent.start();
    expect(await second.events.next('auth-lost')).toMatchObject({ status: 401 });
    await second.events.next('registered');
    await second.events.next('waiting');
    expect(t.server.broker.devices().map((device) => device.deviceId)).toContain(second.agent.auth?.id);
    await second.agent.stop();
  });

  it('reconnects with the broker client backoff while the broker is unreachable, then gets its work', async () => {
    const handlers = new Handlers().command('agent-test:echo', () => 'ok');
    const { agent, clock, events } = sensor('bk-5', { handlers });
    agent.start();
    await events.next('waiting');
    const id = agent.auth!.id;
    // the link drops and reconnecting fails until it is back (1006 each time)
    network.attach(undefined);
    sockets.at(-1)!.close(1006, '');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.server.broker.devices().map((device) => device.deviceId)).not.toContain(id);
    const transaction = await t.send('bk-5', 'echo');
    const opened = sockets.length;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
    // 002: 1 s, then 2 s (±20 %) between attempts
    clock.advance(1_200);
    await settle();
    expect(sockets.length).toBe(opened + 1);
    clock.advance(2_400);
    await settle();
    expect(sockets.length).toBe(opened + 2);
    network.attach(t.server.broker);
    clock.advance(4_800);
    await events.next('command', (e) => e.status === 'done');
    expect(await t.transaction('bk-5', transaction)).toMatchObject({ state: 'complete' });
    await agent.stop();
  });
});

import type { ClientSocket } from '@fleetkit/broker';
import { MemoryTransport } from '@fleetkit/broker/memory';
import { ManualClock, SeededRandom, silentLogger } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentStore, brokerTransport, Handlers, memoryStore } from '../src/index.ts';
import { Recorder } from './events.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus, recordingInstaller } from './package-fixture.ts';
import { SENSOR_KEY, startServer, type TestServer } from './server-fixture.ts';

/** What a device sent through the broker, and a way to drop its connection before a message goes out. */
interface Wire {
  readonly sent: Record<string, unknown>[];
  /** Drops the connection instead of sending the first message that matches (once). */
  cutBefore?: (message: Record<string, unknown>) => boolean;
}

describe('packages through the server broker (docs/server.md, Transfer (plugin broker))', () => {
  let t: TestServer;
  let network: MemoryTransport;
  const images = { base: imageOf(3 * CHUNK + 5, 21), app: imageOf(40 * CHUNK, 22) };
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    network = new MemoryTransport(t.server.broker);
    await createPackage(t, 'b-base', images.base, { version: '1.0' });
    await createPackage(t, 'b-app', images.app, { version: '2.0', 'prerequisite-packages': ['b-base'] });
  });
  afterAll(() => t.close());

  function sensor(deviceId: string, store: AgentStore, handlers: Handlers, wire: Wire) {
    const clock = new ManualClock();
    const socket = (url: string): ClientSocket => {
      const inner = network.open(url);
      const send = inner.send.bind(inner);
      inner.send = (data: string) => {
        const payload = (JSON.parse(data) as { payload?: Record<string, unknown> }).payload;
        if (payload !== undefined && wire.cutBefore?.(payload) === true) {
          delete wire.cutBefore;
          inner.close(1006, '');
          return;
        }
        if (payload !== undefined) wire.sent.push(payload);
        send(data);
      };
      return inner;
    };
    const agent = new Agent({
      transport: brokerTransport({
        url: t.url,
        brokerUrl: 'memory://fleet.test/devices',
        fetch: t.fetch,
        socket,
        clock,
        random: new SeededRandom(3),
        logger: silentLogger,
      }),
      registration: { account: 'acme', provisioningKey: SENSOR_KEY, deviceId },
      store,
      handlers,
      packageTransfer: { chunksPerRequest: 8 },
      clock,
      random: new SeededRandom(4),
      logger: silentLogger,
    });
    return { agent, clock, events: new Recorder(agent) };
  }

  it('installs a package and its dependency, dependencies first, with the broker package messages', async () => {
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const wire: Wire = { sent: [] };
    const { agent, events } = sensor(
      'bk-pkg',
      memoryStore(),
      new Handlers().packageInstaller('*', recordingInstaller(installed)),
      wire,
    );
    agent.start();
    await events.next('waiting');
    await must(t, 'exodm:install-package', {
      'package-name': 'b-app',
      targets: ['bk-pkg'],
      'recursive-dependency-resolve': true,
    });
    for (const name of ['b-base', 'b-app']) {
      expect(await events.next('package', (e) => e.status === 'installed')).toMatchObject({ name });
    }
    expect(installed.map((entry) => entry.bytes)).toEqual([images.base, images.app]);
    expect(await packageStatus(t, 'b-app', 'bk-pkg')).toMatchObject({ 'package-status': 'installed', confirmed: true });
    const chunks = wire.sent.filter((m) => m.type === 'package-chunks' && m.package === 'b-app');
    expect(chunks.map((m) => [m.start, m.end])).toEqual([
      [0, 8],
      [8, 16],
      [16, 24],
      [24, 32],
      [32, 40],
    ]);
    expect(wire.sent.filter((m) => m.type === 'package-key')).toHaveLength(1);
    await agent.stop();
  });

  it('resumes a transfer whose connection dropped, asking only for chunks it does not hold', async () => {
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const wire: Wire = {
      sent: [],
      cutBefore: (message) => message.type === 'package-chunks' && message.start === 24,
    };
    const { agent, clock, events } = sensor(
      'bk-cut',
      memoryStore(),
      new Handlers().packageInstaller('*', recordingInstaller(installed)),
      wire,
    );
    agent.start();
    await events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'b-base', targets: ['bk-cut'] });
    await events.next('package', (e) => e.status === 'installed');
    await must(t, 'exodm:install-package', { 'package-name': 'b-app', targets: ['bk-cut'] });
    // the broker client reconnects and the transfer backs off on the test's clock
    const ticking = setInterval(() => clock.advance(1_000), 5);
    try {
      expect(await events.next('package', (e) => e.name === 'b-app' && e.status !== 'transferring')).toMatchObject({
        status: 'installed',
      });
    } finally {
      clearInterval(ticking);
    }
    expect(installed[1]!.bytes).toEqual(images.app);
    const requests = wire.sent.filter((m) => m.type === 'package-chunks' && m.package === 'b-app');
    const cut = requests.findIndex((m) => m.start === 24);
    expect(requests.slice(0, cut).map((m) => [m.start, m.end])).toEqual([
      [0, 8],
      [8, 16],
      [16, 24],
    ]);
    // after the drop it asked only for what it did not hold; a request the server dropped while it took in
    // the new connection was sent again after the reply timeout
    for (const request of requests.slice(cut)) expect(request.start).toBeGreaterThanOrEqual(24);
    expect(requests.at(-1)).toMatchObject({ start: 32, end: 40 });
    expect(events.all('backoff').some((e) => e.step === 'package-image')).toBe(true);
    await agent.stop();
  });

  it('confirms an install that needed a reboot once the restarted agent reports its inventory', async () => {
    const store = memoryStore();
    const handlers = new Handlers().packageInstaller('*', () => ({ reboot: true }));
    const before = sensor('bk-reboot', store, handlers, { sent: [] });
    before.agent.start();
    await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'b-base', targets: ['bk-reboot'] });
    expect(await before.events.next('package', (e) => e.status === 'installed')).toMatchObject({ reboot: true });
    expect(await packageStatus(t, 'b-base', 'bk-reboot')).toMatchObject({ confirmed: false });
    await before.agent.stop();

    const wire: Wire = { sent: [] };
    const after = sensor('bk-reboot', store, handlers, wire);
    after.agent.start();
    // a request sent before the server took in the new connection goes unanswered: the reply timeout sends it again
    const ticking = setInterval(() => after.clock.advance(1_000), 5);
    try {
      expect(await after.events.next('package-inventory')).toMatchObject({
        packages: [{ name: 'b-base', version: '1.0' }],
      });
      await after.events.next('waiting');
    } finally {
      clearInterval(ticking);
    }
    expect(await packageStatus(t, 'b-base', 'bk-reboot')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
    });
    // the inventory settled it: no report after it, and nothing is left to carry out
    expect(wire.sent.filter((m) => m.type === 'package-status')).toEqual([]);
    expect(after.agent.state.inProgress).toBeUndefined();
    await after.agent.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentEvent, Handlers, memoryStore } from '../src/index.ts';
import { agentFor } from './agent-fixture.ts';
import {
  CHUNK,
  createPackage,
  imageOf,
  inventoryOf,
  must,
  packageStatus,
  rangeLog,
  recordingInstaller,
} from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

type PackageEvent = Extract<AgentEvent, { type: 'package' }>;

describe('packages installed by the agent (docs/server.md, Packages)', () => {
  let t: TestServer;
  const images = {
    base: imageOf(3 * CHUNK + 100, 1),
    lib: imageOf(5 * CHUNK, 2),
    app: imageOf(40 * CHUNK + 7, 3),
    fw1: imageOf(6 * CHUNK, 4),
    fw2: imageOf(7 * CHUNK + 5, 5),
  };
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'base', images.base, { version: '1.0' });
    await createPackage(t, 'lib', images.lib, { version: '1.0', 'prerequisite-packages': ['base'] });
    await createPackage(t, 'app', images.app, { version: '2.1', 'prerequisite-packages': ['lib', 'base'] });
    await createPackage(t, 'fw-1', images.fw1, { version: '1.0' });
    await createPackage(t, 'fw-2', images.fw2, { version: '2.0', 'upgrade-from-packages': ['fw-1'] });
  });
  afterAll(() => t.close());

  it('installs a package and its two dependencies, dependencies first, each image verified and whole', async () => {
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const fetchFunction = rangeLog(t.fetch);
    const device = agentFor(t, 'pkg-deps', {
      fetch: fetchFunction,
      handlers: new Handlers().packageInstaller('*', recordingInstaller(installed)),
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    await must(t, 'exodm:install-package', {
      'package-name': 'app',
      targets: ['pkg-deps'],
      'recursive-dependency-resolve': true,
    });
    device.clock.advance(wait.delayMs);
    for (const name of ['base', 'lib', 'app']) {
      expect(await device.events.next('package', (e) => e.status === 'installed')).toMatchObject({
        name,
        operation: 'install',
        resumed: false,
      });
    }
    expect(installed.map((entry) => entry.name)).toEqual(['base', 'lib', 'app']);
    expect(installed.map((entry) => entry.bytes)).toEqual([images.base, images.lib, images.app]);
    for (const name of ['base', 'lib', 'app']) {
      expect(await packageStatus(t, name, 'pkg-deps')).toMatchObject({
        'package-status': 'installed',
        confirmed: true,
      });
    }
    // the key was pinned once; every chunk was asked for once, 16 to a request
    expect(device.agent.state.packageKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(device.agent.state.packages).toEqual({ base: '1.0', lib: '1.0', app: '2.1' });
    expect(fetchFunction.requests.filter((r) => r.package === 'app').map((r) => [r.first, r.end])).toEqual([
      [0, 16],
      [16, 32],
      [32, 41],
    ]);
    const progress = device.events.all('package').filter((e) => e.name === 'app' && e.status === 'transferring');
    expect(progress.map((e) => e.received)).toEqual([16, 32, 41]);
    await device.agent.stop();
  });

  it('reports a failing installer as install-failed with its message, and the transaction ends', async () => {
    const device = agentFor(t, 'pkg-fail', {
      handlers: new Handlers().packageInstaller('base', () => {
        throw new Error('no space left for base');
      }),
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'base', targets: ['pkg-fail'] });
    device.clock.advance(wait.delayMs);
    expect(await device.events.next('package', (e) => e.status !== 'transferring')).toMatchObject({
      status: 'install-failed',
      message: 'no space left for base',
    });
    expect(await packageStatus(t, 'base', 'pkg-fail')).toMatchObject({
      'package-status': 'install-failed',
      reason: 'no space left for base',
    });
    expect(device.agent.state.inProgress).toBeUndefined();
    expect(device.agent.state.packages).toBeUndefined();
    await device.agent.stop();
  });

  it('reports a package without an installer as unsupported-package, before fetching anything', async () => {
    const fetchFunction = rangeLog(t.fetch);
    const device = agentFor(t, 'pkg-none', {
      fetch: fetchFunction,
      handlers: new Handlers().packageInstaller('lib', () => undefined),
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1', targets: ['pkg-none'] });
    device.clock.advance(wait.delayMs);
    expect(await device.events.next('package')).toMatchObject({
      status: 'unsupported-package',
      message: 'No package installer for fw-1',
    });
    expect(await packageStatus(t, 'fw-1', 'pkg-none')).toMatchObject({ 'package-status': 'unsupported-package' });
    expect(fetchFunction.requests).toEqual([]);
    await device.agent.stop();
  });

  it('confirms an install that needed a reboot once the restarted agent posts its inventory', async () => {
    const store = memoryStore();
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const handlers = new Handlers().packageInstaller(
      '*',
      recordingInstaller(installed, () => ({ reboot: true })),
    );
    const before = agentFor(t, 'pkg-reboot', { store, handlers });
    before.agent.start();
    const wait = await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1', targets: ['pkg-reboot'] });
    before.clock.advance(wait.delayMs);
    const reported: PackageEvent = await before.events.next('package', (e) => e.status === 'installed');
    expect(reported).toMatchObject({ reboot: true, resumed: false });
    expect(await packageStatus(t, 'fw-1', 'pkg-reboot')).toMatchObject({
      'package-status': 'installed',
      confirmed: false,
    });
    // the next beats leave the command alone: the device has yet to restart
    const next = await before.events.next('waiting');
    before.clock.advance(next.delayMs);
    await before.events.next('waiting');
    expect(installed).toHaveLength(1);
    await before.agent.stop();

    const after = agentFor(t, 'pkg-reboot', { store, handlers });
    after.agent.start();
    expect(await after.events.next('package-inventory')).toEqual({
      type: 'package-inventory',
      packages: [{ name: 'fw-1', version: '1.0' }],
    });
    await after.events.next('telemetry');
    expect(await packageStatus(t, 'fw-1', 'pkg-reboot')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
      version: '1.0',
    });
    expect(after.agent.state.inProgress).toBeUndefined();
    expect(after.agent.state.packages).toEqual({ 'fw-1': '1.0' });
    expect(after.agent.state.packageSequences).toEqual({ 'fw-1': 1 });
    expect(installed).toHaveLength(1);
    await after.agent.stop();
  });

  it('fails an upgrade at the server when the device comes back on the old version', async () => {
    const store = memoryStore();
    const running = { 'fw-1': '1.0' };
    const handlers = new Handlers()
      .packageInstaller('*', { install: () => undefined, upgrade: () => ({ reboot: true }) })
      .packageInventory(inventoryOf(running));
    const before = agentFor(t, 'pkg-rollback', { store, handlers });
    before.agent.start();
    const wait = await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1', targets: ['pkg-rollback'] });
    before.clock.advance(wait.delayMs);
    await before.events.next('package', (e) => e.status === 'installed');
    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'fw-1',
      'to-package-name': 'fw-2',
      targets: ['pkg-rollback'],
    });
    before.agent.reportNow();
    expect(await before.events.next('package', (e) => e.status === 'upgraded')).toMatchObject({ reboot: true });
    await before.agent.stop();

    // the device restarted, but its bootloader went back to fw-1 1.0
    const after = agentFor(t, 'pkg-rollback', { store, handlers });
    after.agent.start();
    expect(await after.events.next('package-inventory')).toMatchObject({
      packages: [{ name: 'fw-1', version: '1.0' }],
    });
    await after.events.next('telemetry');
    expect(await packageStatus(t, 'fw-2', 'pkg-rollback')).toMatchObject({
      'package-status': 'upgrade-failed',
      reason: 'the device restarted without fw-2',
    });
    expect(await packageStatus(t, 'fw-1', 'pkg-rollback')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
    });
    // the upgrade that did not take leaves the record (and its anti-rollback sequence) of fw-1
    expect(after.agent.state.packageSequences).toEqual({ 'fw-1': 1 });
    await after.agent.stop();
  });

  it('records an upgrade device code confirms after its restart, with its sequence, in place of the old one', async () => {
    const store = memoryStore();
    const running: Record<string, string> = {};
    const handlers = new Handlers()
      .packageInstaller('*', {
        install: (image) => {
          running[image.name] = image.version;
        },
        upgrade: () => ({ reboot: true }),
      })
      .packageInventory(inventoryOf(running));
    const before = agentFor(t, 'pkg-confirmed', { store, handlers });
    before.agent.start();
    const wait = await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1', targets: ['pkg-confirmed'] });
    before.clock.advance(wait.delayMs);
    await before.events.next('package', (e) => e.status === 'installed');
    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'fw-1',
      'to-package-name': 'fw-2',
      targets: ['pkg-confirmed'],
    });
    before.agent.reportNow();
    await before.events.next('package', (e) => e.status === 'upgraded');
    await before.agent.stop();

    // the device restarted on fw-2
    delete running['fw-1'];
    running['fw-2'] = '2.0';
    const after = agentFor(t, 'pkg-confirmed', { store, handlers });
    after.agent.start();
    await after.events.next('package-inventory');
    await after.events.next('telemetry');
    expect(await packageStatus(t, 'fw-2', 'pkg-confirmed')).toMatchObject({
      'package-status': 'installed',
      confirmed: true,
    });
    // fw-2 was made as an upgrade of fw-1, so the server's default sequence is one above fw-1's
    expect(after.agent.state.packages).toEqual({ 'fw-2': '2.0' });
    expect(after.agent.state.packageSequences).toEqual({ 'fw-2': 2 });
    await after.agent.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handlers, memoryStore } from '../src/index.ts';
import { agentFor, gate } from './agent-fixture.ts';
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

describe('anti-rollback: the manifest sequence against the agent record (docs/agent.md, Packages)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'rb-2', imageOf(3 * CHUNK, 21), { version: '2.0', sequence: 2 });
    // a package that upgrades rb-2 with a lower sequence: a rollback the manifest cannot hide
    await createPackage(t, 'rb-old', imageOf(4 * CHUNK, 22), {
      version: '1.0',
      sequence: 1,
      'upgrade-from-packages': ['rb-2'],
    });
    await createPackage(t, 'rb-low', imageOf(2 * CHUNK, 23), { version: '1.0', sequence: 3 });
    await createPackage(t, 'rb-mid', imageOf(2 * CHUNK, 24), { version: '7.0', sequence: 7 });
  });
  afterAll(() => t.close());

  it('records the sequence, keeps it over a restart, and refuses an upgrade to a lower one before any chunk', async () => {
    const store = memoryStore();
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const handlers = new Handlers().packageInstaller('*', recordingInstaller(installed));
    const before = agentFor(t, 'rb-dev', { store, handlers });
    before.agent.start();
    const wait = await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'rb-2', targets: ['rb-dev'] });
    before.clock.advance(wait.delayMs);
    await before.events.next('package', (e) => e.status === 'installed');
    expect(before.agent.state.packageSequences).toEqual({ 'rb-2': 2 });
    await before.agent.stop();

    const fetchFunction = rangeLog(t.fetch);
    const after = agentFor(t, 'rb-dev', { store, handlers, fetch: fetchFunction });
    after.agent.start();
    const next = await after.events.next('waiting');
    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'rb-2',
      'to-package-name': 'rb-old',
      targets: ['rb-dev'],
    });
    after.clock.advance(next.delayMs);
    const reason =
      'Manifest refused: Cannot install rb-old sequence 1: the device runs sequence 2 (of rb-2, which it upgrades)';
    expect(await after.events.next('package', (e) => e.name === 'rb-old')).toMatchObject({
      status: 'upgrade-failed',
      message: reason,
    });
    expect(await packageStatus(t, 'rb-old', 'rb-dev')).toMatchObject({ 'package-status': 'upgrade-failed', reason });
    expect(await packageStatus(t, 'rb-2', 'rb-dev')).toMatchObject({ 'package-status': 'installed' });
    // refused right after the manifest: no chunk asked for, none stored, the record unchanged
    expect(fetchFunction.requests).toEqual([]);
    const listed = (await t.acme('exodm:list-packages', { n: 10 })).result?.packages as { root: string }[];
    for (const { root } of listed) expect(await store.chunks().readState(root)).toBeUndefined();
    expect(installed.map((entry) => entry.name)).toEqual(['rb-2']);
    expect(after.agent.state.packages).toEqual({ 'rb-2': '2.0' });
    expect(after.agent.state.packageSequences).toEqual({ 'rb-2': 2 });
    await after.agent.stop();
  });

  it('keeps the sequences over a new registration after 401, and allows a re-install of the same sequence', async () => {
    const store = memoryStore();
    const installed: { name: string; bytes: Uint8Array }[] = [];
    const handlers = new Handlers().packageInstaller('*', recordingInstaller(installed));
    const { agent, clock, events } = agentFor(t, 'rb-again', { store, handlers });
    agent.start();
    const wait = await events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'rb-2', targets: ['rb-again'] });
    clock.advance(wait.delayMs);
    await events.next('package', (e) => e.status === 'installed');
    // the backend deletes the device: its next beat gets 401 and it registers anew, forgetting its packages there
    const beat = await events.next('waiting');
    await must(t, 'exodm:delete-devices', { 'device-id': ['rb-again'] });
    clock.advance(beat.delayMs);
    await events.next('auth-lost');
    await events.next('registered');
    expect(store.state?.packageSequences).toEqual({ 'rb-2': 2 });
    // the server sends the same package again: same sequence, so a re-install, not a rollback
    const idle = await events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'rb-2', targets: ['rb-again'] });
    clock.advance(idle.delayMs);
    expect(await events.next('package', (e) => e.status !== 'transferring')).toMatchObject({
      name: 'rb-2',
      status: 'installed',
    });
    expect(installed.map((entry) => entry.name)).toEqual(['rb-2', 'rb-2']);
    expect(agent.state.packageSequences).toEqual({ 'rb-2': 2 });
    await agent.stop();
  });

  it('refuses a package below the sequence its own name runs at (a state from an earlier server)', async () => {
    const fetchFunction = rangeLog(t.fetch);
    const store = memoryStore({ configVersion: 0, packages: { 'rb-low': '9.0' }, packageSequences: { 'rb-low': 9 } });
    const { agent, clock, events } = agentFor(t, 'rb-seeded', {
      store,
      fetch: fetchFunction,
      handlers: new Handlers().packageInstaller('*', () => undefined),
    });
    agent.start();
    const wait = await events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'rb-low', targets: ['rb-seeded'] });
    clock.advance(wait.delayMs);
    const reason = 'Manifest refused: Cannot install rb-low sequence 3: the device runs sequence 9';
    expect(await events.next('package')).toMatchObject({ status: 'install-failed', message: reason });
    expect(await packageStatus(t, 'rb-low', 'rb-seeded')).toMatchObject({ 'package-status': 'install-failed', reason });
    expect(fetchFunction.requests).toEqual([]);
    expect(agent.state.packageSequences).toEqual({ 'rb-low': 9 });
    await agent.stop();
  });

  it('records the sequence of an install device code had made when the agent went down during it', async () => {
    const store = memoryStore();
    const running: Record<string, string> = {};
    const stuck = gate();
    const entered = gate();
    const handlers = new Handlers()
      .packageInstaller('*', async (image) => {
        running[image.name] = image.version;
        entered.open();
        // the device goes down before the installer returns
        await stuck.promise;
      })
      .packageInventory(inventoryOf(running));
    const before = agentFor(t, 'rb-mid-dev', { store, handlers });
    before.agent.start();
    const wait = await before.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'rb-mid', targets: ['rb-mid-dev'] });
    before.clock.advance(wait.delayMs);
    await entered.promise;
    await before.agent.stop();
    expect(store.state?.inProgress?.package).toMatchObject({ stage: 'install', sequence: 7 });
    expect(store.state?.packageSequences).toBeUndefined();

    const after = agentFor(t, 'rb-mid-dev', { store, handlers });
    after.agent.start();
    expect(await after.events.next('package')).toMatchObject({ name: 'rb-mid', status: 'installed', resumed: true });
    expect(after.agent.state.packageSequences).toEqual({ 'rb-mid': 7 });
    await after.agent.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handlers, type InstalledPackage, type PackageContext } from '../src/index.ts';
import { agentFor, type TestAgent } from './agent-fixture.ts';
import { CHUNK, createPackage, imageOf, must, packageStatus, rangeLog } from './package-fixture.ts';
import { startServer, type TestServer } from './server-fixture.ts';

describe('transmit, upgrade and uninstall by the agent', () => {
  let t: TestServer;
  const images = { one: imageOf(10 * CHUNK, 31), two: imageOf(12 * CHUNK + 3, 32) };
  beforeAll(async () => {
    t = await startServer({ packages: { chunkSize: CHUNK }, devices: { rateBurst: 10_000, ratePerSecond: 10_000 } });
    await createPackage(t, 'op-1', images.one, { version: '1.0' });
    await createPackage(t, 'op-2', images.two, { version: '2.0', 'upgrade-from-packages': ['op-1'] });
  });
  afterAll(() => t.close());

  /** Runs the agent's beats until its next package operation is reported; that report. */
  async function operation(device: TestAgent) {
    device.agent.reportNow();
    return device.events.next('package', (e) => e.status !== 'transferring');
  }

  it('keeps a transmitted image, installs it later without fetching it again, upgrades and uninstalls', async () => {
    const calls: string[] = [];
    const contexts: PackageContext[] = [];
    const removed: InstalledPackage[] = [];
    const fetchFunction = rangeLog(t.fetch);
    const device = agentFor(t, 'op-dev', {
      fetch: fetchFunction,
      handlers: new Handlers().packageInstaller('*', {
        install: async (image, context) => {
          calls.push(`install ${image.name} ${image.version} ${(await image.bytes()).length}`);
          contexts.push(context);
          return undefined;
        },
        upgrade: (image, context) => {
          calls.push(`upgrade ${context.from?.name} → ${image.name}`);
          return undefined;
        },
        transmit: (image) => {
          calls.push(`transmit ${image.name}`);
        },
        uninstall: (target) => {
          removed.push(target);
        },
      }),
    });
    device.agent.start();
    await device.events.next('waiting');

    await must(t, 'exodm:add-package-members', { 'package-name': ['op-1'], 'device-id': ['op-dev'] });
    await must(t, 'exodm:push-package', { 'package-name': 'op-1', operation: 'transmit' });
    expect(await operation(device)).toMatchObject({ operation: 'transmit', status: 'transmitted' });
    expect(await packageStatus(t, 'op-1', 'op-dev')).toMatchObject({ 'package-status': 'transmitted' });
    const fetched = fetchFunction.requests.length;
    expect(fetched).toBeGreaterThan(0);

    await must(t, 'exodm:push-package', { 'package-name': 'op-1', operation: 'install' });
    expect(await operation(device)).toMatchObject({ operation: 'install', status: 'installed' });
    expect(fetchFunction.requests).toHaveLength(fetched);
    expect(contexts[0]).toMatchObject({ operation: 'install', asDependency: false, resumed: false });

    await must(t, 'exodm:upgrade-package', {
      'from-package-name': 'op-1',
      'to-package-name': 'op-2',
      targets: ['op-dev'],
    });
    expect(await operation(device)).toMatchObject({ operation: 'upgrade', status: 'upgraded' });
    expect(device.agent.state.packages).toEqual({ 'op-2': '2.0' });
    // the upgrade's sequence replaces the old package's (the server's default: one above op-1's 1)
    expect(device.agent.state.packageSequences).toEqual({ 'op-2': 2 });
    expect(await packageStatus(t, 'op-2', 'op-dev')).toMatchObject({ 'package-status': 'installed', confirmed: true });

    await must(t, 'exodm:uninstall-package', { 'package-name': 'op-2', targets: ['op-dev'] });
    expect(await operation(device)).toMatchObject({ operation: 'uninstall', status: 'uninstalled' });
    expect(removed).toEqual([{ name: 'op-2', version: '2.0' }]);
    expect(device.agent.state.packages).toEqual({});
    expect(device.agent.state.packageSequences).toBeUndefined();
    expect(await packageStatus(t, 'op-2', 'op-dev')).toMatchObject({ 'package-status': 'uninstalled' });
    expect(calls).toEqual(['transmit op-1', `install op-1 1.0 ${10 * CHUNK}`, 'upgrade op-1 → op-2']);
    await device.agent.stop();
  });

  it('leaves a package command to a command handler registered under its exact name', async () => {
    const device = agentFor(t, 'op-own', {
      handlers: new Handlers()
        .packageInstaller('*', () => {
          throw new Error('the installers are not asked');
        })
        .command('exodm:install-package', (command) => ({ handled: command.parameters['package-name'] })),
    });
    device.agent.start();
    const wait = await device.events.next('waiting');
    await must(t, 'exodm:install-package', { 'package-name': 'op-1', targets: ['op-own'] });
    device.clock.advance(wait.delayMs);
    expect(await device.events.next('command', (e) => e.status !== 'in_progress')).toMatchObject({
      name: 'exodm:install-package',
      status: 'done',
    });
    expect(device.events.all('package')).toEqual([]);
    await device.agent.stop();
  });
});

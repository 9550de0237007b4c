import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, PackageDevice, toBase64 } from './packages-fixture.ts';

/** The app package's module: its configuration container and an RPC (manual §5.6 item 2). */
const WEATHER = `module weather {
  namespace "urn:acme:weather";
  prefix w;
  import exosense { prefix exo; }
  container app { leaf sample-rate { type uint32; } leaf site { type string; } }
  container other { leaf x { type string; } }
  rpc get-scan { input { uses exo:std-request; leaf depth { type uint8; } } }
}`;

/** A module no package names: its RPCs go to any device. */
const PLAIN = `module plain {
  namespace "urn:acme:plain";
  prefix p;
  import exosense { prefix exo; }
  rpc ping { input { uses exo:std-request; } }
}`;

describe("a package's module: its RPCs, its configuration and its deletion (manual §5.6, §7.1, §8.5)", () => {
  let t: TestServer;
  let backend: Listener;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const openOf = async (target: { device: string } | { group: string }) =>
    (await t.server.context.queue.list(target, { open: true })).length;
  const device = (id: string) => ({ device: queueName('acme', id) });
  const staged = async (id: string) =>
    (await acme('exodm:read-config-data', { 'device-id': id, module: 'weather', area: 'staged' })).result?.values;

  /** Installs app-1.0 on a device over the HTTP device API, as the device confirms it. */
  const installed = async (id: string): Promise<PackageDevice> => {
    const d = new PackageDevice(await registered(t, id, PROVISIONING_KEY));
    await d.trust();
    await must(t, 'exodm:install-package', {
      'package-name': 'app-1.0',
      targets: [id],
      values: { app: { 'sample-rate': 10 } },
    });
    const reply = await d.carryOut((await d.command())!);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return d;
  };

  beforeAll(async () => {
    t = await startServer({ devices: { rateBurst: 10_000, ratePerSecond: 10_000 }, packages: { chunkSize: 1024 } });
    backend = await listen();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
    await must(t, 'exodm:create-yang-module', { name: 'weather.yang', 'yang-module': WEATHER });
    await must(t, 'exodm:create-yang-module', { name: 'plain.yang', 'yang-module': PLAIN });
    for (const [module, rpc] of [
      ['weather', 'get-scan'],
      ['plain', 'ping'],
    ]) {
      await must(t, 'exodm:add-role-execution-permission', { role: 'admin', 'package-name': module, 'rpc-name': rpc });
    }
    await must(t, 'exodm:create-package', {
      'package-name': 'app-1.0',
      version: '1.0',
      'yang-specification': 'weather',
      'configuration-container': 'app',
      image: toBase64(imageOf(3_000, 7)),
    });
    await must(t, 'exodm:create-package', { 'package-name': 'bare-1.0', image: toBase64(imageOf(100, 8)) });
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['app-1.0', 'bare-1.0'],
      'device-type': 'meter',
    });
    await installed('has-1');
    await installed('has-2');
    await registered(t, 'lacks-1', PROVISIONING_KEY);
    await registered(t, 'coming-1', PROVISIONING_KEY);
    await must(t, 'exodm:install-package', { 'package-name': 'app-1.0', targets: ['coming-1'] });
    await must(t, 'exodm:create-device-group', { 'group-name': 'all-have', 'notification-url': backend.url });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'all-have', 'device-id': ['has-1', 'has-2'] });
    await must(t, 'exodm:create-device-group', { 'group-name': 'mixed', 'notification-url': backend.url });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'mixed', 'device-id': ['has-2', 'lacks-1'] });
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  describe("a package's RPCs go only to devices that have it installed", () => {
    it('queues the RPC for a device with the package, and for a group all of whose members have it', async () => {
      const one = await acme('weather:get-scan', { 'device-id': 'has-1', depth: 3 });
      expect(one.result).toMatchObject({ 'rpc-status': 'accepted', final: false });
      const group = await acme('weather:get-scan', { 'device-id': 'all-have', depth: 3 });
      expect(group.result).toMatchObject({ 'rpc-status': 'accepted' });
    });

    it('refuses a device without it, naming it and its package-status, before anything is queued', async () => {
      const before = await openOf(device('lacks-1'));
      expect((await acme('weather:get-scan', { 'device-id': 'lacks-1', depth: 3 })).result).toEqual({
        result: 'validation-failed',
        reason: 'package-not-installed: weather:get-scan needs app-1.0 installed, which lacks-1 does not have',
        devices: [{ 'device-id': 'lacks-1', 'package-status': 'not-installed' }],
      });
      expect(await openOf(device('lacks-1'))).toBe(before);
      // an install queued but not confirmed yet is not installed
      expect((await acme('weather:get-scan', { 'device-id': 'coming-1' })).result).toMatchObject({
        result: 'validation-failed',
        devices: [{ 'device-id': 'coming-1', 'package-status': 'pending-install' }],
      });
    });

    it('refuses a group with a member without it, naming each such member; the group gets nothing', async () => {
      const group = { group: queueName('acme', 'mixed') };
      const before = await openOf(group);
      expect((await acme('weather:get-scan', { 'device-id': 'mixed', depth: 1 })).result).toEqual({
        result: 'validation-failed',
        reason: 'package-not-installed: weather:get-scan needs app-1.0 installed, which lacks-1 does not have',
        devices: [{ 'device-id': 'lacks-1', 'package-status': 'not-installed' }],
      });
      expect(await openOf(group)).toBe(before);
    });

    it('lets the RPCs of a module no package names go to any device', async () => {
      expect((await acme('plain:ping', { 'device-id': 'lacks-1' })).result).toMatchObject({ 'rpc-status': 'accepted' });
    });
  });

  describe('update-package-config', () => {
    it("pushes the package's configuration to a device that has it, which installs it when the device confirms", async () => {
      const d = await installed('cfg-1');
      const reply = await acme('exodm:update-package-config', {
        'package-name': 'app-1.0',
        targets: ['cfg-1'],
        values: { app: { 'sample-rate': 64 } },
        'notification-url': backend.url,
      });
      expect(reply.result).toMatchObject({
        result: 'ok',
        'rpc-status': 'accepted',
        final: false,
        transactions: [{ 'device-id': 'cfg-1', 'package-name': 'app-1.0', 'transaction-id': expect.any(String) }],
      });
      const fetched = await d.http.call('GET', 'config');
      expect(fetched.body).toMatchObject({
        config: { updates: [{ module: 'weather', values: { app: { 'sample-rate': 64 } } }] },
      });
      expect((await d.http.call('POST', 'config', { version: fetched.body.version, status: 'done' })).status).toBe(200);
      await eventually(async () => {
        const read = await acme('exodm:read-config-data', { 'device-id': 'cfg-1', module: 'weather' });
        return JSON.stringify(read.result?.values) === JSON.stringify({ app: { 'sample-rate': 64 } });
      }, 'the installed values');
      await eventually(
        () =>
          backend.received.some(
            (r) => r.body.method === 'exodm:update-package-config-callback' && r.body.params.final === true,
          ),
        'the final callback',
      );
    });

    it('refuses a target without the package, naming each device, and stages and queues nothing', async () => {
      const before = await openOf(device('has-1'));
      const reply = await acme('exodm:update-package-config', {
        'package-name': 'app-1.0',
        targets: ['has-1', 'lacks-1', 'mixed', 'coming-1'],
        values: { app: { 'sample-rate': 5 } },
      });
      expect(reply.result).toEqual({
        result: 'validation-failed',
        reason:
          'package-not-installed: exodm:update-package-config of app-1.0 needs app-1.0 installed, which lacks-1, coming-1 do not have',
        devices: [
          { 'device-id': 'lacks-1', 'package-status': 'not-installed' },
          { 'device-id': 'coming-1', 'package-status': 'pending-install' },
        ],
      });
      expect(await staged('has-1')).toEqual({});
      expect(await openOf(device('has-1'))).toBe(before);
    });

    it('refuses values outside the configuration container, values the module refuses, and an unknown package', async () => {
      const update = (name: string, values: unknown) =>
        acme('exodm:update-package-config', { 'package-name': name, targets: ['has-2'], values });
      expect((await update('app-1.0', { other: { x: 'y' } })).result).toEqual({
        result: 'validation-failed',
        reason: 'values: other is not app, the configuration-container of package app-1.0',
      });
      expect((await update('app-1.0', { app: { 'sample-rate': 'fast' } })).result).toMatchObject({
        result: 'validation-failed',
        reason: expect.stringContaining('/weather:app/sample-rate'),
      });
      expect((await update('bare-1.0', { app: {} })).result).toMatchObject({ result: 'validation-failed' });
      expect((await update('nothing', { app: {} })).result).toMatchObject({ result: 'object-not-found' });
      expect(await staged('has-2')).toEqual({});
    });
  });

  it('refuses to delete the module of a package of the account, naming the packages (object-not-empty)', async () => {
    expect((await acme('exodm:delete-yang-module', { name: 'weather.yang' })).result).toEqual({
      result: 'object-not-empty',
      reason: 'weather.yang is used by packages app-1.0',
    });
    expect((await acme('exodm:lookup-yang-module', { name: 'weather.yang' })).result?.result).toBe('ok');
    await must(t, 'exodm:create-yang-module', {
      name: 'spare.yang',
      'yang-module': 'module spare { namespace "urn:acme:spare"; prefix s; leaf x { type string; } }',
    });
    expect((await acme('exodm:delete-yang-module', { name: 'spare.yang' })).result).toEqual({ result: 'ok' });
  });

  it("refuses to delete a system module an account's package names, naming account and package", async () => {
    const sensor =
      'module sensor { namespace "urn:sys:sensor"; prefix s; container probe { leaf rate { type uint8; } } }';
    const system = { repository: 'system', name: 'sensor.yang' };
    expect((await t.admin('exodm:create-yang-module', { ...system, 'yang-module': sensor })).result).toEqual({
      result: 'ok',
    });
    await must(t, 'exodm:create-package', {
      'package-name': 'probe-1.0',
      'yang-specification': 'sensor',
      'configuration-container': 'probe',
      image: toBase64(imageOf(200, 9)),
    });
    expect((await t.admin('exodm:delete-yang-module', system)).result).toEqual({
      result: 'object-not-empty',
      reason: 'sensor.yang is used by packages acme/probe-1.0',
    });
    await must(t, 'exodm:delete-package', { 'package-name': ['probe-1.0'] });
    expect((await t.admin('exodm:delete-yang-module', system)).result).toEqual({ result: 'ok' });
  });
});

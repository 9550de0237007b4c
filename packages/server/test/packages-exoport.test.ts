import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { PROVISIONING_KEY } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, toBase64 } from './packages-fixture.ts';

/** The app package's module: its configuration container (manual §5.6 item 2). */
const WEATHER = `module weather {
  namespace "urn:acme:weather";
  prefix w;
  container app { leaf sample-rate { type uint32; } }
}`;

const NO_TRANSFER = 'device type gateway uses exoport-http, which has no package transfer';

describe('package operations on exoport-http devices, which have no package transfer (docs/server.md §Packages)', () => {
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const open = async (target: { device: string } | { group: string }) =>
    (await t.server.context.queue.list(target, { open: true })).length;
  const device = (id: string) => ({ device: queueName('acme', id) });
  const refusal = (reason: string) => ({ result: 'validation-failed', reason: `unsupported-package: ${reason}` });

  beforeAll(async () => {
    t = await startServer();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' });
    // the real server's spelling of the plugin
    await must(t, 'exodm:create-device-type', {
      name: 'gateway',
      protocol: 'exoport_http',
      'provisioning-key': PROVISIONING_KEY,
    });
    await must(t, 'exodm:create-yang-module', { name: 'weather.yang', 'yang-module': WEATHER });
    await must(t, 'exodm:create-package', {
      'package-name': 'app-1.0',
      version: '1.0',
      'yang-specification': 'weather',
      'configuration-container': 'app',
      image: toBase64(imageOf(2_000, 1)),
    });
    await must(t, 'exodm:create-package', {
      'package-name': 'app-2.0',
      version: '2.0',
      'upgrade-from-packages': ['app-1.0'],
      image: toBase64(imageOf(2_000, 2)),
    });
    // allowed on both types: the refusal is the plugin's, not the allowance's
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['app-1.0', 'app-2.0'],
      'device-type': 'meter',
    });
    await must(t, 'exodm:add-package-to-device-type', {
      'package-name': ['app-1.0', 'app-2.0'],
      'device-type': 'gateway',
    });
    for (const id of ['gw-1', 'gw-2', 'gw-3', 'gw-4']) {
      await must(t, 'exodm:create-device', { 'device-id': id, 'device-type': 'gateway' });
    }
    for (const id of ['m-1', 'm-2']) await must(t, 'exodm:create-device', { 'device-id': id, 'device-type': 'meter' });
    await must(t, 'exodm:create-device-group', { 'group-name': 'gateways' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'gateways', 'device-id': ['gw-1', 'gw-2'] });
    await must(t, 'exodm:create-device-group', { 'group-name': 'lone' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'lone', 'device-id': ['gw-3'] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses install, upgrade, uninstall and update-package-config on a device, with the others of the request', async () => {
    const refused = refusal(`gw-1's ${NO_TRANSFER}`);
    const requests: [string, Record<string, unknown>][] = [
      ['exodm:install-package', { 'package-name': 'app-1.0', targets: ['m-1', 'gw-1'] }],
      ['exodm:upgrade-package', { 'from-package-name': 'app-1.0', 'to-package-name': 'app-2.0', targets: ['gw-1'] }],
      ['exodm:uninstall-package', { 'package-name': 'app-1.0', targets: ['gw-1'] }],
      ['exodm:install-package', { 'package-name': 'app-1.0', 'device-id': 'gw-1' }],
      ['exodm:update-package-config', { 'package-name': 'app-1.0', targets: ['gw-1'], values: { app: {} } }],
    ];
    for (const [method, params] of requests) {
      expect((await acme(method, params)).result, method).toEqual(refused);
    }
    expect(await open(device('gw-1'))).toBe(0);
    expect(await open(device('m-1'))).toBe(0);
    // the same install without the gateway is queued
    expect((await acme('exodm:install-package', { 'package-name': 'app-1.0', targets: ['m-1'] })).result).toMatchObject(
      { result: 'ok' },
    );
    expect(await open(device('m-1'))).toBe(1);
  });

  it('refuses every push-package operation on an exoport member of the package', async () => {
    await must(t, 'exodm:add-package-members', { 'package-name': ['app-2.0'], 'device-id': ['m-2', 'gw-4'] });
    for (const operation of ['transmit', 'install', 'upgrade', 'uninstall', 'remove', 'remove-recursively']) {
      const reply = await acme('exodm:push-package', { 'package-name': 'app-2.0', operation });
      expect(reply.result, operation).toEqual(refusal(`gw-4's ${NO_TRANSFER}`));
    }
    expect(await open(device('gw-4'))).toBe(0);
    expect(await open(device('m-2'))).toBe(0);
  });

  it('refuses an operation on a group naming its exoport members', async () => {
    const install = await acme('exodm:install-package', { 'package-name': 'app-1.0', targets: ['gateways'] });
    expect(install.result).toEqual(refusal(`gw-1, gw-2 of group gateways: their ${NO_TRANSFER}`));
    const lone = await acme('exodm:uninstall-package', { 'package-name': 'app-1.0', targets: ['lone'] });
    expect(lone.result).toEqual(refusal(`gw-3 of group lone: its ${NO_TRANSFER}`));
    const config = await acme('exodm:update-package-config', {
      'package-name': 'app-1.0',
      targets: ['gateways'],
      values: { app: { 'sample-rate': 2 } },
    });
    expect(config.result).toEqual(refusal(`gw-1, gw-2 of group gateways: their ${NO_TRANSFER}`));
    for (const group of ['gateways', 'lone']) expect(await open({ group: queueName('acme', group) })).toBe(0);
    for (const id of ['gw-1', 'gw-2', 'gw-3']) expect(await open(device(id))).toBe(0);
  });
});

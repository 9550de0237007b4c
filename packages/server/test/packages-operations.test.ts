import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { PROVISIONING_KEY, registered } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { ACME, imageOf, must, PackageDevice, toBase64 } from './packages-fixture.ts';

/** The app package's YANG module: its configuration container and one RPC (manual §5.6 item 2). */
const WEATHER = `module weather {
  namespace "urn:acme:weather";
  prefix w;
  import exosense { prefix exo; }
  container app { leaf sample-rate { type uint32; } leaf site { type string; } }
  rpc get-scan { input { uses exo:std-request; } }
}`;

describe('package operations over HTTP (manual §5.6, §5.7, §6.3, §6.4)', () => {
  let t: TestServer;
  let backend: Listener;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const devices = new Map<string, PackageDevice>();
  const device = async (id: string): Promise<PackageDevice> => {
    const known = devices.get(id);
    if (known !== undefined) return known;
    const made = new PackageDevice(await registered(t, id, PROVISIONING_KEY));
    await made.trust();
    devices.set(id, made);
    return made;
  };
  const status = async (name: string, id: string) =>
    (await acme('exodm:get-package-status', { 'package-name': name, 'device-id': id })).result!;
  /** Runs every command the device has, in order; the package names it was asked to act on. */
  const work = async (d: PackageDevice, options: { reboot?: boolean } = {}): Promise<string[]> => {
    const done: string[] = [];
    for (let command = await d.command(); command !== undefined; command = await d.command()) {
      const reply = await d.carryOut(command, options);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      done.push(command.parameters['package-name'] as string);
    }
    return done;
  };
  const openTransactions = async (id: string) =>
    (await t.server.context.queue.list({ device: queueName('acme', id) }, { open: true })).length;
  const notifications = (id: string) =>
    backend.received.filter(
      (r) => r.body.method === 'exodm:package-operation-notification' && r.body.params['device-id'] === id,
    );

  beforeAll(async () => {
    t = await startServer({ devices: { rateBurst: 10_000, ratePerSecond: 10_000 }, packages: { chunkSize: 1024 } });
    backend = await listen();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await must(t, 'exodm:create-device-type', {
      name: 'meter',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
    await must(t, 'exodm:create-device-type', { name: 'other', protocol: 'fleetkit-http' });
    await must(t, 'exodm:create-yang-module', { name: 'weather.yang', 'yang-module': WEATHER });
    const create = (name: string, size: number, more: Record<string, unknown> = {}) =>
      must(t, 'exodm:create-package', {
        'package-name': name,
        image: toBase64(imageOf(size, name.length * 31 + size)),
        ...more,
      });
    await create('base-1.0', 5_000, { version: '1.0' });
    await create('lib-1.0', 3_000, { version: '1.0', 'prerequisite-packages': ['base-1.0'] });
    await create('app-1.0', 9_000, {
      version: '1.0',
      'prerequisite-packages': ['base-1.0', 'lib-1.0'],
      'yang-specification': 'weather',
      'configuration-container': 'app',
    });
    await create('fw-1.0', 4_000, { version: '1.0' });
    await create('fw-2.0', 4_500, { version: '2.0', 'upgrade-from-packages': ['fw-1.0'] });
    await create('big-1.0', 200 * 1024 + 17, { version: '1.0' });
    await create('stray-1.0', 100, { version: '1.0' });
    const allowed = ['base-1.0', 'lib-1.0', 'app-1.0', 'fw-1.0', 'fw-2.0', 'big-1.0'];
    await must(t, 'exodm:add-package-to-device-type', { 'package-name': allowed, 'device-type': 'meter' });
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('installs a package with two dependencies on a device: dependencies first, each verified and confirmed', async () => {
    const d = await device('dev-1');
    const reply = await acme('exodm:install-package', {
      'package-name': 'app-1.0',
      targets: ['dev-1'],
      'recursive-dependency-resolve': true,
      values: { app: { 'sample-rate': 128 } },
      'notification-url': backend.url,
    });
    expect(reply.result).toMatchObject({ result: 'ok', 'rpc-status': 'accepted', final: false });
    expect((reply.result!.transactions as { 'package-name': string }[]).map((x) => x['package-name'])).toEqual([
      'base-1.0',
      'lib-1.0',
      'app-1.0',
    ]);
    expect(await work(d)).toEqual(['base-1.0', 'lib-1.0', 'app-1.0']);
    expect(await status('app-1.0', 'dev-1')).toMatchObject({
      result: 'ok',
      'package-status': 'installed',
      confirmed: true,
      version: '1.0',
      'chunks-acknowledged': 9,
      'chunks-total': 9,
    });
    // manual §5.6 item 2: the install created the device's configuration data of the package
    expect((await acme('exodm:read-config-data', { 'device-id': 'dev-1', module: 'weather' })).result).toEqual({
      result: 'ok',
      values: { app: { 'sample-rate': 128 } },
    });
    const listed = await acme('exodm:list-devices-with-package', { 'package-name': 'lib-1.0', n: 10 });
    expect(listed.result?.devices).toEqual([
      expect.objectContaining({ 'device-id': 'dev-1', 'package-status': 'installed' }),
    ]);
    await eventually(
      () => notifications('dev-1').filter((r) => r.body.params.final === true).length === 3,
      'three finals',
    );
    const finals = notifications('dev-1').filter((r) => r.body.params.final === true);
    expect(
      finals.map((r) => [r.body.params['package-name'], r.body.params['package-status'], r.body.params['rpc-status']]),
    ).toEqual([
      ['base-1.0', 'installed', 'complete'],
      ['lib-1.0', 'installed', 'complete'],
      ['app-1.0', 'installed', 'complete'],
    ]);
    const progress = notifications('dev-1').find(
      (r) => r.body.params['package-status'] === 'transmitted' && r.body.params['package-name'] === 'app-1.0',
    );
    expect(progress?.body.params).toMatchObject({ 'chunks-acknowledged': 9, 'chunks-total': 9, final: false });
  });

  it('installs a package with two dependencies on a group: each member, one notification per member', async () => {
    const members = [await device('dev-2'), await device('dev-3')];
    await must(t, 'exodm:create-device-group', { 'group-name': 'site-a' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'site-a', 'device-id': ['dev-2', 'dev-3'] });
    const reply = await acme('exodm:install-package', {
      'package-name': 'app-1.0',
      targets: ['site-a'],
      'recursive-dependency-resolve': true,
      'notification-url': backend.url,
    });
    expect(reply.result?.result).toBe('ok');
    for (const member of members) expect(await work(member)).toEqual(['base-1.0', 'lib-1.0', 'app-1.0']);
    const group = await acme('exodm:get-package-status', { 'package-name': 'app-1.0', 'device-id': 'site-a' });
    expect(group.result).toMatchObject({
      result: 'ok',
      devices: [
        expect.objectContaining({ 'device-id': 'dev-2', 'package-status': 'installed', confirmed: true }),
        expect.objectContaining({ 'device-id': 'dev-3', 'package-status': 'installed', confirmed: true }),
      ],
      rollout: expect.objectContaining({ state: 'succeeded', succeeded: 2, failed: 0 }),
    });
    await eventually(
      () =>
        ['dev-2', 'dev-3'].every((id) =>
          notifications(id).some(
            (r) =>
              r.body.params['group-id'] === 'site-a' &&
              r.body.params['package-name'] === 'app-1.0' &&
              r.body.params['package-status'] === 'installed',
          ),
        ),
      'a member notification per device',
    );
  });

  it('refuses to uninstall a package others depend on, then removes them too when asked to, dependents first', async () => {
    const refused = await acme('exodm:uninstall-package', { 'package-name': 'base-1.0', targets: ['dev-1'] });
    expect(refused.result).toEqual({
      result: 'object-not-empty',
      reason: 'app-1.0, lib-1.0 on dev-1 depend on base-1.0; uninstall with recursive to remove them too',
    });
    expect(await openTransactions('dev-1')).toBe(0);
    const recursive = await acme('exodm:uninstall-package', {
      'package-name': 'base-1.0',
      targets: ['dev-1'],
      recursive: true,
    });
    expect((recursive.result!.transactions as { 'package-name': string }[]).map((x) => x['package-name'])).toEqual([
      'app-1.0',
      'lib-1.0',
      'base-1.0',
    ]);
    expect(await work(await device('dev-1'))).toEqual(['app-1.0', 'lib-1.0', 'base-1.0']);
    for (const name of ['app-1.0', 'lib-1.0', 'base-1.0']) {
      expect(await status(name, 'dev-1')).toMatchObject({ 'package-status': 'uninstalled', confirmed: false });
    }
    // the package's configuration data went with it
    expect((await acme('exodm:read-config-data', { 'device-id': 'dev-1', module: 'weather' })).result?.values).toEqual(
      {},
    );
    expect(
      (await acme('exodm:list-devices-with-package', { 'package-name': 'base-1.0', n: 10 })).result?.devices,
    ).toEqual([expect.objectContaining({ 'device-id': 'dev-2' }), expect.objectContaining({ 'device-id': 'dev-3' })]);
  });

  it('refuses bad requests precisely, before anything is queued', async () => {
    await must(t, 'exodm:create-device', { 'device-id': 'dev-o1', 'device-type': 'other' });
    await device('dev-b1');
    await must(t, 'exodm:create-package', {
      'package-name': 'needs-stray',
      'prerequisite-packages': ['stray-1.0'],
      image: toBase64(imageOf(100, 77)),
    });
    await must(t, 'exodm:add-package-to-device-type', { 'package-name': ['needs-stray'], 'device-type': 'meter' });
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [
        { 'package-name': 'base-1.0', targets: ['dev-o1'] },
        {
          result: 'validation-failed',
          reason: 'unsupported-package: package base-1.0 is not allowed on device type other',
        },
      ],
      [
        { 'package-name': 'needs-stray', targets: ['dev-b1'], 'recursive-dependency-resolve': true },
        {
          result: 'validation-failed',
          reason: 'unsupported-package: package stray-1.0 is not allowed on device type meter',
        },
      ],
      [
        { 'package-name': 'app-1.0', targets: ['dev-b1'] },
        {
          result: 'validation-failed',
          reason:
            'dependency-failure: app-1.0 needs base-1.0, lib-1.0, not installed on dev-b1; set recursive-dependency-resolve',
        },
      ],
      [
        {
          'package-name': 'app-1.0',
          targets: ['dev-b1'],
          'recursive-dependency-resolve': true,
          values: { app: { 'sample-rate': -1 } },
        },
        { result: 'validation-failed' },
      ],
      [
        { 'package-name': 'nope', targets: ['dev-b1'] },
        { result: 'object-not-found', reason: 'package nope does not exist' },
      ],
      [
        { 'package-name': 'base-1.0', targets: ['ghost'] },
        { result: 'device-not-found', reason: 'ghost names no device or group' },
      ],
      [{ 'package-name': 'base-1.0' }, { result: 'missing-option' }],
      // one bad target refuses the whole request: the good one gets nothing either
      [
        { 'package-name': 'base-1.0', targets: ['dev-b1', 'dev-o1'] },
        {
          result: 'validation-failed',
          reason: 'unsupported-package: package base-1.0 is not allowed on device type other',
        },
      ],
    ];
    for (const [params, expected] of cases) {
      expect((await acme('exodm:install-package', params)).result, JSON.stringify(params)).toMatchObject(expected);
    }
    expect(await openTransactions('dev-b1')).toBe(0);
    expect(await openTransactions('dev-o1')).toBe(0);
    expect(
      (await acme('exodm:get-package-status', { 'package-name': 'base-1.0', 'device-id': 'dev-b1' })).result,
    ).toMatchObject({
      'package-status': 'not-installed',
    });
    const wrong = await acme('exodm:install-package', {
      'package-name': 'base-1.0',
      targets: ['dev-b1'],
      timeout: 'soon',
    });
    expect(wrong.error?.code).toBe(-32602);
  });

  it("fails a member's install whose dependency did not get installed, before it downloads anything", async () => {
    const k1 = await device('dev-k1');
    await must(t, 'exodm:create-device-group', { 'group-name': 'site-k' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'site-k', 'device-id': ['dev-k1'] });
    await must(t, 'exodm:install-package', {
      'package-name': 'lib-1.0',
      targets: ['site-k'],
      'recursive-dependency-resolve': true,
    });
    const base = (await k1.command())!;
    expect((await k1.carryOut(base, { fail: true })).status).toBe(200);
    const lib = (await k1.command())!;
    expect(lib.parameters['package-name']).toBe('lib-1.0');
    const response = await fetch(k1.request(lib.parameters.manifest as string));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'dependency-failure' });
    expect(await status('lib-1.0', 'dev-k1')).toMatchObject({
      'package-status': 'dependency-failure',
      reason: 'base-1.0 not installed',
      confirmed: false,
    });
    expect(await status('base-1.0', 'dev-k1')).toMatchObject({
      'package-status': 'install-failed',
      reason: 'no space',
    });
    expect(await k1.command()).toBeUndefined();
  });

  it('stops a group rollout once more than abort-failure-percent of the members failed', async () => {
    const ids = ['dev-g1', 'dev-g2', 'dev-g3', 'dev-g4'];
    const members = [];
    for (const id of ids) members.push(await device(id));
    await must(t, 'exodm:create-device-group', { 'group-name': 'fleet-b' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'fleet-b', 'device-id': ids });
    await must(t, 'exodm:install-package', {
      'package-name': 'fw-1.0',
      targets: ['fleet-b'],
      'abort-failure-percent': 25,
    });
    for (const member of members.slice(0, 2)) {
      expect((await member.carryOut((await member.command())!, { fail: true })).status).toBe(200);
    }
    const rollout = async () =>
      (await acme('exodm:get-package-status', { 'package-name': 'fw-1.0', 'device-id': 'fleet-b' })).result
        ?.rollout as Record<string, unknown>;
    await eventually(async () => (await rollout()).cancelled === 2, 'the queued members cancelled');
    expect(await rollout()).toMatchObject({
      state: 'aborted',
      members: 4,
      succeeded: 0,
      failed: 2,
      cancelled: 2,
      'abort-failure-percent': 25,
    });
    for (const member of members.slice(2)) expect(await member.command()).toBeUndefined();
  });

  it('judges a group rollout by its success threshold', async () => {
    const ids = ['dev-h1', 'dev-h2', 'dev-h3'];
    const members = [];
    for (const id of ids) members.push(await device(id));
    await must(t, 'exodm:create-device-group', { 'group-name': 'fleet-c' });
    await must(t, 'exodm:add-device-group-members', { 'group-name': 'fleet-c', 'device-id': ids });
    await must(t, 'exodm:install-package', { 'package-name': 'fw-1.0', targets: ['fleet-c'], 'success-threshold': 60 });
    for (const [index, member] of members.entries()) {
      expect((await member.carryOut((await member.command())!, { fail: index === 2 })).status).toBe(200);
    }
    const rollout = async () =>
      (await acme('exodm:get-package-status', { 'package-name': 'fw-1.0', 'device-id': 'fleet-c' })).result
        ?.rollout as Record<string, unknown>;
    await eventually(async () => (await rollout()).state !== 'running', 'the rollout to finish');
    expect(await rollout()).toMatchObject({ state: 'succeeded', succeeded: 2, failed: 1, 'success-threshold': 60 });
  });

  it('runs 1.x push-package on the members of a package: transmit stores the image without installing it', async () => {
    const p1 = await device('dev-p1');
    await must(t, 'exodm:add-package-members', { 'package-name': ['fw-1.0'], 'device-id': ['dev-p1'] });
    const pushed = await acme('exodm:push-package', { 'package-name': 'fw-1.0', operation: 'transmit' });
    expect(pushed.result).toMatchObject({
      result: 'ok',
      transactions: [expect.objectContaining({ operation: 'transmit' })],
    });
    const transmit = (await p1.command())!;
    expect(transmit).toMatchObject({
      name: 'exodm:push-package',
      parameters: { operation: 'transmit', 'package-name': 'fw-1.0' },
    });
    const manifest = await p1.manifest(transmit.parameters.manifest as string);
    const assembler = await p1.download(manifest, transmit.parameters.image as string);
    await p1.acknowledge('fw-1.0', assembler);
    expect((await p1.report('fw-1.0', { 'package-status': 'transmitted' })).status).toBe(200);
    expect(await status('fw-1.0', 'dev-p1')).toMatchObject({ 'package-status': 'transmitted', confirmed: false });
    await must(t, 'exodm:push-package', { 'package-name': 'fw-1.0', operation: 'install' });
    expect(await work(p1)).toEqual(['fw-1.0']);
    expect(await status('fw-1.0', 'dev-p1')).toMatchObject({ 'package-status': 'installed', confirmed: true });
    // the second download found every chunk in the device's storage: nothing was fetched again
    expect(p1.requested.filter((r) => r.package === 'fw-1.0')).toHaveLength(1);
  });

  it('lists which packages a type allows and which types allow a package, and keeps accounts apart', async () => {
    expect((await acme('exodm:list-packages-on-device-type', { 'device-type': 'meter' })).result?.packages).toEqual([
      'app-1.0',
      'base-1.0',
      'big-1.0',
      'fw-1.0',
      'fw-2.0',
      'lib-1.0',
      'needs-stray',
    ]);
    expect((await acme('exodm:list-device-types-with-package', { 'package-name': 'fw-1.0' })).result).toEqual({
      result: 'ok',
      'device-types': ['meter'],
    });
    await must(t, 'exodm:remove-package-from-device-type', { 'package-name': 'big-1.0', 'device-type': 'meter' });
    expect(
      (await acme('exodm:install-package', { 'package-name': 'big-1.0', targets: ['dev-b1'] })).result?.reason,
    ).toBe('unsupported-package: package big-1.0 is not allowed on device type meter');
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: 'globex-admin-pw' });
    const globex = (method: string, params: unknown) => t.call('globex-admin', 'globex-admin-pw', method, params);
    expect((await globex('exodm:list-packages', { n: 100 })).result?.packages).toEqual([]);
    expect(
      (await globex('exodm:get-package-status', { 'package-name': 'fw-1.0', 'device-id': 'dev-p1' })).result?.result,
    ).toBe('object-not-found');
    // another account's device and package do not exist for globex
    expect(
      (await globex('exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-p1'] })).result?.result,
    ).toBe('device-not-found');
    await globex('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' });
    await globex('exodm:create-device', { 'device-id': 'dev-p1', 'device-type': 'meter' });
    expect(
      (await globex('exodm:install-package', { 'package-name': 'fw-1.0', targets: ['dev-p1'] })).result?.result,
    ).toBe('object-not-found');
    expect(await status('fw-1.0', 'dev-p1')).toMatchObject({ 'package-status': 'installed', confirmed: true });
  });
});

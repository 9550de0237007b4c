import { ManualClock } from '@fleetkit/core';
import type { Delivery } from '@fleetkit/txqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryPayload } from '../src/api/config-data.ts';
import { queueName } from '../src/context.ts';
import { readArea } from '../src/store/config.ts';
import { forgetTargetConfig } from '../src/store/config-sets.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };
const SET_URL = 'http://127.0.0.1:9/set';
const DEVICE_URL = 'http://127.0.0.1:9/device-2';

const NETWORK = `module network {
  namespace "urn:acme:network";
  prefix net;
  container uplink {
    leaf host { type string; }
    leaf port { type uint16; mandatory true; }
    leaf-list dns { type string; }
  }
  leaf mode { type enumeration { enum dhcp; enum static; } }
}`;

describe('configuration data over HTTP (manual §7.1, §5.8; docs/sources.md, the real exodm server item 1 config sets)', () => {
  let t: TestServer;
  const clock = new ManualClock();
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);
  const ok = async (method: string, params: unknown) =>
    expect((await acme(method, params)).result).toEqual({ result: 'ok' });
  const read = async (id: string, area: string) =>
    (await acme('exodm:read-config-data', { 'device-id': id, module: 'network', area })).result?.values;
  const queue = () => t.server.context.queue;

  /** Calls in as the device and acknowledges its first open transaction with `status`. */
  async function deviceAnswers(device: string, status: 'complete' | 'device-error'): Promise<Delivery> {
    const [delivery] = await queue().callIn(queueName('acme', device));
    if (delivery === undefined) throw new Error(`nothing for ${device}`);
    await queue().ack(queueName('acme', device), {
      transactionId: delivery.transactionId,
      attempt: delivery.attempt,
      status,
    });
    await queue().idle();
    return delivery;
  }

  beforeAll(async () => {
    t = await startServer({ clock });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
    await ok('exodm:create-device-type', { name: 'router', protocol: 'fleetkit-http' });
    for (const id of ['r-1', 'r-2', 'r-3'])
      await ok('exodm:create-device', { 'device-id': id, 'device-type': 'router' });
    await ok('exodm:create-device-group', { 'group-name': 'site-a' });
    await ok('exodm:add-device-group-members', { 'group-name': 'site-a', 'device-id': ['r-1', 'r-2'] });
    await ok('exodm:create-yang-module', { name: 'network.yang', 'yang-module': NETWORK });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses values that break the module with validation-failed and the YANG path, staging nothing', async () => {
    const bad = await acme('exodm:update-config-data', {
      'device-id': 'r-3',
      module: 'network',
      values: { uplink: { port: 'eighty' } },
    });
    expect(bad.result?.result).toBe('validation-failed');
    expect(bad.result?.reason).toContain('/network:uplink/port');
    const unknown = await acme('exodm:update-config-data', { 'device-id': 'r-3', module: 'network', values: { x: 1 } });
    expect(unknown.result?.result).toBe('validation-failed');
    expect(await read('r-3', 'staged')).toEqual({});
  });

  it('accepts a part of the data: a mandatory leaf may come from a later update or a group', async () => {
    await ok('exodm:update-config-data', { 'device-id': 'r-3', module: 'network.yang', values: { mode: 'dhcp' } });
    expect(await read('r-3', 'staged')).toEqual({ mode: 'dhcp' });
  });

  it('merges updates as JSON Merge Patch: members merge, null removes, lists replace', async () => {
    await ok('exodm:update-config-data', {
      'device-id': 'r-3',
      module: 'network',
      values: { 'network:uplink': { host: 'a', port: 1, dns: ['x', 'y'] } },
    });
    await ok('exodm:update-config-data', {
      'device-id': 'r-3',
      module: 'network',
      values: { uplink: { host: null, dns: ['z'] }, mode: 'static' },
    });
    expect(await read('r-3', 'staged')).toEqual({ uplink: { port: 1, dns: ['z'] }, mode: 'static' });
  });

  it('answers object-not-found for an unknown module and device-not-found for an unknown device', async () => {
    const module = await acme('exodm:update-config-data', { 'device-id': 'r-3', module: 'nope', values: {} });
    expect(module.result?.result).toBe('object-not-found');
    const device = await acme('exodm:push-config-data', { 'device-id': 'r-9' });
    expect(device.result?.result).toBe('device-not-found');
    const nothing = await acme('exodm:push-config-data', { 'device-id': 'r-2' });
    expect(nothing.result?.result).toBe('object-not-found');
  });

  it('puts a failed push back to staged and installs nothing (manual §7.2: whole or not at all)', async () => {
    const push = await acme('exodm:push-config-data', { 'device-id': 'r-3' });
    expect(push.result?.['rpc-status']).toBe('accepted');
    expect(await read('r-3', 'staged')).toEqual({});
    await deviceAnswers('r-3', 'device-error');
    expect({ staged: await read('r-3', 'staged'), pending: await read('r-3', 'pending') }).toEqual({
      staged: { uplink: { port: 1, dns: ['z'] }, mode: 'static' },
      pending: {},
    });
    expect(await read('r-3', 'installed')).toEqual({});
    await acme('exodm:push-config-data', { 'device-id': 'r-3' });
    await deviceAnswers('r-3', 'complete');
    expect(await read('r-3', 'installed')).toEqual({ uplink: { port: 1, dns: ['z'] }, mode: 'static' });
  });

  it("gives each group member the group's values with its own on top, leaf by leaf (manual §5.8)", async () => {
    await ok('exodm:update-config-data', {
      'device-id': 'site-a',
      module: 'network',
      values: { uplink: { host: 'gw', port: 80 } },
    });
    await ok('exodm:update-config-data', { 'device-id': 'r-1', module: 'network', values: { uplink: { port: 8080 } } });
    const push = await acme('exodm:push-config-data', { 'device-id': 'site-a', timeout: 60_000 });
    const id = Number(push.result?.['transaction-id']);
    expect((await queue().get({ group: queueName('acme', 'site-a') }, id))?.counts?.total).toBe(2);
    const payloads: Record<string, unknown> = {};
    for (const device of ['r-1', 'r-2']) {
      const delivery = await deviceAnswers(device, 'complete');
      payloads[device] = await deliveryPayload(t.server.context, queueName('acme', device), delivery);
    }
    expect(payloads).toMatchObject({
      'r-1': { updates: [{ module: 'network', values: { uplink: { host: 'gw', port: 8080 } } }] },
      'r-2': { updates: [{ module: 'network', values: { uplink: { host: 'gw', port: 80 } } }] },
    });
    expect(await read('site-a', 'installed')).toEqual({ uplink: { host: 'gw', port: 80 } });
  });

  it("sends a device pushed on its own its groups' installed values under its own", async () => {
    await ok('exodm:update-config-data', { 'device-id': 'r-2', module: 'network', values: { mode: 'dhcp' } });
    const push = await acme('exodm:push-config-data', { 'device-id': 'r-2' });
    const queued = await queue().get({ device: queueName('acme', 'r-2') }, Number(push.result?.['transaction-id']));
    expect(queued?.payload).toMatchObject({
      updates: [{ module: 'network', values: { uplink: { host: 'gw', port: 80 }, mode: 'dhcp' } }],
    });
    await deviceAnswers('r-2', 'complete');
    expect(await read('r-2', 'installed')).toEqual({ mode: 'dhcp' });
  });

  it("never shows or changes another account's configuration data", async () => {
    await globex('exodm:create-yang-module', { name: 'network.yang', 'yang-module': NETWORK });
    const read = await globex('exodm:read-config-data', { 'device-id': 'r-3', module: 'network' });
    expect(read.result?.result).toBe('device-not-found');
    const update = await globex('exodm:update-config-data', { 'device-id': 'r-3', module: 'network', values: {} });
    expect(update.result?.result).toBe('device-not-found');
    expect((await globex('exodm:list-config-sets', { n: 10 })).result).toEqual({ result: 'ok', 'config-sets': [] });
  });

  it('forgets the data of a deleted device, and only of that device and account', async () => {
    const db = t.server.context.db;
    const installed = (account: string, id: string) =>
      readArea(db, { account, scope: 'target', id }, 'network', 'installed');
    expect(await installed('acme', 'r-2')).toEqual({ mode: 'dhcp' });
    await forgetTargetConfig(db, 'globex', 'r-2');
    expect(await installed('acme', 'r-2')).toEqual({ mode: 'dhcp' });
    await forgetTargetConfig(db, 'acme', 'r-3');
    expect({ r2: await installed('acme', 'r-2'), r3: await installed('acme', 'r-3') }).toEqual({
      r2: { mode: 'dhcp' },
      r3: undefined,
    });
  });

  describe('1.x configuration sets (docs/sources.md, the real exodm server item 1, Table 2)', () => {
    it('creates a set with values, lists it and its members, reads its staged data', async () => {
      await ok('exodm:create-config-set', {
        name: 'net-1',
        yang: 'network.yang',
        'notification-url': SET_URL,
        values: { mode: 'static' },
      });
      expect((await acme('exodm:create-config-set', { name: 'net-1', yang: 'network.yang' })).result?.result).toBe(
        'object-exists',
      );
      await ok('exodm:add-config-set-members', { name: ['net-1'], 'device-id': ['r-2', 'r-3'] });
      expect((await acme('exodm:list-config-sets', { n: 10, previous: '' })).result).toEqual({
        result: 'ok',
        'config-sets': [{ name: 'net-1', yang: 'network.yang', 'notification-url': SET_URL }],
      });
      expect((await acme('exodm:list-config-sets', { n: 10, 'device-id': 'r-1' })).result?.['config-sets']).toEqual([]);
      expect((await acme('exodm:list-config-set-members', { name: 'net-1', n: 10 })).result).toEqual({
        result: 'ok',
        'config-set-members': ['r-2', 'r-3'],
      });
      await ok('exodm:update-config-set', { name: 'net-1', values: { uplink: { port: 22 } } });
      const staged = await acme('exodm:read-config-set-data', { name: 'net-1', area: 'staged' });
      expect(staged.result).toEqual({ result: 'ok', values: { mode: 'static', uplink: { port: 22 } } });
    });

    it("pushes one transaction per member, to each member's own URL or else the set's", async () => {
      await ok('exodm:add-notification-urls', {
        'device-id': 'r-2',
        urls: [{ 'config-set': 'net-1', 'notification-url': DEVICE_URL }],
      });
      expect((await acme('exodm:push-config-set', { name: 'net-1' })).result).toEqual({ result: 'ok' });
      const sent: Record<string, unknown> = {};
      for (const device of ['r-2', 'r-3']) {
        const [newest] = await queue().list({ device: queueName('acme', device) }, { open: true });
        sent[device] = { tag: newest?.tag, notify: newest?.notify, payload: newest?.payload };
      }
      const payload = {
        'config-set': 'net-1',
        updates: [{ module: 'network', values: { mode: 'static', uplink: { port: 22 } } }],
      };
      expect(sent).toMatchObject({
        'r-2': { tag: 'exodm:push-config-set', notify: DEVICE_URL, payload },
        'r-3': { tag: 'exodm:push-config-set', notify: SET_URL, payload },
      });
    });

    it('installs the set once every member completed', async () => {
      await deviceAnswers('r-3', 'complete');
      expect((await acme('exodm:read-config-set-data', { name: 'net-1' })).result?.values).toEqual({});
      expect((await acme('exodm:read-config-set-data', { name: 'net-1', area: 'pending' })).result?.values).toEqual({
        mode: 'static',
        uplink: { port: 22 },
      });
      await deviceAnswers('r-2', 'complete');
      expect((await acme('exodm:read-config-set-data', { name: 'net-1', area: 'installed' })).result?.values).toEqual({
        mode: 'static',
        uplink: { port: 22 },
      });
    });

    it('keeps a module a set uses, and deletes set, memberships and URLs on delete-config-set', async () => {
      const busy = await acme('exodm:delete-yang-module', { name: 'network.yang' });
      expect(busy.result?.result).toBe('object-not-empty');
      await ok('exodm:delete-notification-urls', { 'device-id': 'r-2', 'config-sets': ['net-1'] });
      await ok('exodm:remove-config-set-members', { name: 'net-1', 'device-id': 'r-3' });
      expect(
        (await acme('exodm:list-config-set-members', { name: 'net-1', n: 10 })).result?.['config-set-members'],
      ).toEqual(['r-2']);
      await ok('exodm:delete-config-set', { name: 'net-1' });
      expect((await acme('exodm:read-config-set-data', { name: 'net-1' })).result?.result).toBe('object-not-found');
    });
  });
});

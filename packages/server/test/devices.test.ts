import { ManualClock } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { findDevice, recordLastSeen, setDeviceSecretHash } from '../src/store/devices.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

/** The device ids of a list-devices reply. */
function deviceIds(reply: RpcReply): string[] {
  return ((reply.result?.devices ?? []) as { 'device-id': string }[]).map((device) => device['device-id']);
}

/** The paths of a -32602 reply's issues. */
function issuePaths(reply: RpcReply): unknown[] {
  return ((reply.error?.data ?? { issues: [] }) as { issues: { path: unknown }[] }).issues.map((issue) => issue.path);
}

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };

describe('devices over HTTP (manual §5.4, docs/sources.md, the real exodm server item 1 device methods)', () => {
  let t: TestServer;
  const clock = new ManualClock();
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);

  beforeAll(async () => {
    t = await startServer({ clock });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
    expect((await acme('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' })).result).toEqual({
      result: 'ok',
    });
    await acme('exodm:create-device-type', { name: 'gateway', protocol: 'exoport_http' });
    await globex('exodm:create-device-type', { name: 'meter', protocol: 'broker' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates a device with the 1.x fields and looks it up without its keys, as the real server', async () => {
    const created = await acme('exodm:create-device', {
      'device-id': 'm-1',
      'device-type': 'meter',
      description: 'basement meter',
      'server-key': 3,
      'device-key': '18446744073709551615',
      msisdn: '070100000001',
      latitude: 59.3293,
      longitude: '18.068581',
    });
    expect(created.result).toEqual({ result: 'ok' });
    const found = await acme('exodm:lookup-device', { 'device-id': 'm-1' });
    const object = {
      'device-id': 'm-1',
      'device-type': 'meter',
      description: 'basement meter',
      'session-timeout': 0,
      msisdn: '070100000001',
      latitude: 59.3293,
      longitude: 18.068581,
    };
    expect(found.result).toEqual({ result: 'ok', ...object, devices: [object] });
    const stored = await findDevice(t.server.context.db, 'acme', 'm-1');
    expect(stored?.properties['device-key']).toBe('18446744073709551615');
    expect(stored?.protocol).toBe('fleetkit-http');
  });

  it('answers the bare name and 2.x attributes, which lookup-device returns', async () => {
    const created = await acme('create-device', {
      'device-id': 'm-2',
      'device-type': 'meter',
      attributes: { site: 'plant-7', slots: [1, 2] },
    });
    expect(created.result).toEqual({ result: 'ok' });
    const found = await acme('lookup-device', { 'device-id': 'm-2' });
    expect(found.result?.attributes).toEqual({ site: 'plant-7', slots: [1, 2] });
  });

  it('refuses an unknown device type with object-not-found and a taken id with object-exists', async () => {
    const untyped = await acme('exodm:create-device', { 'device-id': 'm-9', 'device-type': 'toaster' });
    expect(untyped.result?.result).toBe('object-not-found');
    const again = await acme('exodm:create-device', { 'device-id': 'm-1', 'device-type': 'meter' });
    expect(again.result?.result).toBe('object-exists');
    await acme('exodm:create-device-group', { 'group-name': 'floor-1' });
    const likeGroup = await acme('exodm:create-device', { 'device-id': 'floor-1', 'device-type': 'meter' });
    expect(likeGroup.result?.result).toBe('object-exists');
    expect((await acme('exodm:lookup-device', { 'device-id': 'm-9' })).result?.result).toBe('device-not-found');
  });

  it('answers a lookup of an unknown device with device-not-found and no devices, as the real server', async () => {
    const missing = await acme('exodm:lookup-device', { 'device-id': 'nobody' });
    expect(missing.result).toMatchObject({ result: 'device-not-found', devices: [] });
    const attributes = await acme('exodm:lookup-device-attributes', { 'device-id': 'nobody', attributes: ['msisdn'] });
    expect(attributes.result?.result).toBe('device-not-found');
  });

  it('updates fields and merges 2.x attributes member by member', async () => {
    const updated = await acme('exodm:update-device', {
      'device-id': 'm-2',
      description: 'roof',
      'session-timeout': 60,
      attributes: { site: 'plant-8' },
    });
    expect(updated.result).toEqual({ result: 'ok' });
    const found = await acme('exodm:lookup-device', { 'device-id': 'm-2' });
    expect(found.result).toMatchObject({
      description: 'roof',
      'session-timeout': 60,
      attributes: { site: 'plant-8', slots: [1, 2] },
    });
    const missing = await acme('exodm:update-device', { 'device-id': 'nobody', description: 'x' });
    expect(missing.result?.result).toBe('object-not-found');
  });

  it('changes the device type of a device in no group, and refuses it for a group member', async () => {
    await acme('exodm:create-device', { 'device-id': 'm-3', 'device-type': 'meter' });
    expect((await acme('exodm:update-device', { 'device-id': 'm-3', 'device-type': 'gateway' })).result).toEqual({
      result: 'ok',
    });
    expect((await acme('exodm:lookup-device', { 'device-id': 'm-3' })).result?.['device-type']).toBe('gateway');
    await acme('exodm:add-device-group-members', { 'group-name': 'floor-1', 'device-id': ['m-3'] });
    const member = await acme('exodm:update-device', { 'device-id': 'm-3', 'device-type': 'meter' });
    expect(member.result?.result).toBe('validation-failed');
    const unknownType = await acme('exodm:update-device', { 'device-id': 'm-1', 'device-type': 'toaster' });
    expect(unknownType.result?.result).toBe('object-not-found');
    expect((await acme('exodm:lookup-device', { 'device-id': 'm-3' })).result?.['device-type']).toBe('gateway');
  });

  it('looks up named attributes as name/val pairs, never the device keys', async () => {
    const reply = await acme('exodm:lookup-device-attributes', {
      'device-id': 'm-1',
      attributes: ['msisdn', 'device-type', 'server-key', 'device-key', 'no-such', 'session-timeout'],
    });
    expect(reply.result).toEqual({
      result: 'ok',
      attributes: [
        { name: 'msisdn', val: '070100000001' },
        { name: 'device-type', val: 'meter' },
        { name: 'session-timeout', val: 0 },
      ],
    });
    const attribute = await acme('exodm:lookup-device-attributes', { 'device-id': 'm-2', attributes: ['site'] });
    expect(attribute.result?.attributes).toEqual([{ name: 'site', val: 'plant-8' }]);
  });

  it('answers is-connected from when the device was last seen and its session-timeout', async () => {
    const connected = async (id: string) =>
      (await acme('exodm:lookup-device-attributes', { 'device-id': id, attributes: ['is-connected'] })).result
        ?.attributes;
    expect(await connected('m-2')).toEqual([{ name: 'is-connected', val: 'false' }]);
    expect(await recordLastSeen(t.server.context.db, 'acme', { deviceId: 'm-2', at: clock.now() })).toBe(true);
    expect(await connected('m-2')).toEqual([{ name: 'is-connected', val: 'true' }]);
    clock.advance(61_000);
    expect(await connected('m-2')).toEqual([{ name: 'is-connected', val: 'false' }]);
    // session-timeout 0: connected until a plugin records the disconnect
    await recordLastSeen(t.server.context.db, 'acme', { deviceId: 'm-1', at: clock.now() - 3_600_000 });
    expect(await connected('m-1')).toEqual([{ name: 'is-connected', val: 'true' }]);
    await recordLastSeen(t.server.context.db, 'acme', { deviceId: 'm-1', at: undefined });
    expect(await connected('m-1')).toEqual([{ name: 'is-connected', val: 'false' }]);
  });

  it('keeps a plugin-set secret hash out of every answer', async () => {
    expect(await setDeviceSecretHash(t.server.context.db, 'acme', { deviceId: 'm-1', hash: 'pbkdf2$x' })).toBe(true);
    expect((await findDevice(t.server.context.db, 'acme', 'm-1'))?.secretHash).toBe('pbkdf2$x');
    expect(await setDeviceSecretHash(t.server.context.db, 'acme', { deviceId: 'ghost', hash: 'x' })).toBe(false);
    const lookup = await acme('exodm:lookup-device', { 'device-id': 'm-1' });
    expect(JSON.stringify(lookup.result)).not.toContain('pbkdf2');
  });

  it('lists devices n after previous, in either direction', async () => {
    const first = await acme('exodm:list-devices', { n: 2, previous: '' });
    expect(deviceIds(first)).toEqual(['m-1', 'm-2']);
    const next = await acme('exodm:list-devices', { n: 2, previous: 'm-2' });
    expect(deviceIds(next)).toEqual(['m-3']);
    const down = await acme('exodm:list-devices', { n: 5, previous: 'm-3', direction: 'descending' });
    expect(deviceIds(down)).toEqual(['m-2', 'm-1']);
  });

  it('lists the named attributes of the devices whose id matches the pattern', async () => {
    await acme('exodm:create-device', { 'device-id': 'x-1', 'device-type': 'meter', msisdn: '0709' });
    const reply = await acme('exodm:list-devices-attributes', {
      n: 10,
      previous: '',
      attributes: ['msisdn'],
      pattern: '?-1',
    });
    expect(reply.result).toEqual({
      result: 'ok',
      devices: [
        { 'device-id': 'm-1', attributes: [{ name: 'msisdn', val: '070100000001' }] },
        { 'device-id': 'x-1', attributes: [{ name: 'msisdn', val: '0709' }] },
      ],
    });
    const one = await acme('exodm:list-devices-attributes', { n: 1, previous: 'm-1', pattern: 'm*' });
    expect(one.result?.devices).toEqual([{ 'device-id': 'm-2', attributes: [] }]);
  });

  it('answers -32602 with the path of each badly typed param', async () => {
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ 'device-id': 'a'.repeat(65), 'device-type': 'meter' }, ['device-id']],
      [{ 'device-id': 'tab\there', 'device-type': 'meter' }, ['device-id']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', 'session-timeout': 'soon' }, ['session-timeout']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', 'session-timeout': 43_201 }, ['session-timeout']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', latitude: 90.5 }, ['latitude']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', longitude: 1.1234567 }, ['longitude']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', 'server-key': -1 }, ['server-key']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', 'device-key': '18446744073709551616' }, ['device-key']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', attributes: [1] }, ['attributes']],
      [{ 'device-id': 'b-1', 'device-type': 'meter', 'notification-url': 'ftp://x' }, ['notification-url']],
      [{ 'device-id': 'b-1' }, ['device-type']],
    ];
    for (const [params, path] of cases) {
      const reply = await acme('exodm:create-device', params);
      expect(reply.error?.code, JSON.stringify(params)).toBe(-32602);
      expect(issuePaths(reply)).toContainEqual(path);
    }
    const list = await acme('exodm:list-devices', { n: -1 });
    expect(list.error?.code).toBe(-32602);
    expect((await acme('exodm:lookup-device', { 'device-id': 'b-1' })).result?.result).toBe('device-not-found');
  });

  it("never shows or changes another account's device", async () => {
    const before = await acme('exodm:lookup-device', { 'device-id': 'm-1' });
    expect((await globex('exodm:lookup-device', { 'device-id': 'm-1' })).result?.result).toBe('device-not-found');
    expect((await globex('exodm:update-device', { 'device-id': 'm-1', description: 'mine' })).result?.result).toBe(
      'object-not-found',
    );
    expect((await globex('exodm:delete-devices', { 'device-id': ['m-1'] })).result?.result).toBe('object-not-found');
    expect(
      (await globex('exodm:lookup-device-attributes', { 'device-id': 'm-1', attributes: ['msisdn'] })).result?.result,
    ).toBe('device-not-found');
    expect((await globex('exodm:list-devices', { n: 10 })).result?.devices).toEqual([]);
    // an id another account uses is free here
    expect((await globex('exodm:create-device', { 'device-id': 'm-1', 'device-type': 'meter' })).result).toEqual({
      result: 'ok',
    });
    const named = await globex('exodm:lookup-device', { 'device-id': 'm-1', account: 'acme' });
    expect(named.result?.result).toBe('permission-denied');
    expect((await acme('exodm:lookup-device', { 'device-id': 'm-1' })).result).toEqual(before.result);
  });

  it("forgets a deleted device's configuration data and config-set memberships", async () => {
    const settings = 'module settings { namespace "urn:acme:settings"; prefix s; leaf mode { type string; } }';
    expect((await acme('exodm:create-yang-module', { name: 'settings.yang', 'yang-module': settings })).result).toEqual(
      {
        result: 'ok',
      },
    );
    await acme('exodm:create-device', { 'device-id': 'c-1', 'device-type': 'meter' });
    await acme('exodm:update-config-data', { 'device-id': 'c-1', module: 'settings', values: { mode: 'eco' } });
    await acme('exodm:create-config-set', { name: 'cs-1', yang: 'settings.yang' });
    await acme('exodm:add-config-set-members', { name: ['cs-1'], 'device-id': ['c-1'] });
    const staged = () => acme('exodm:read-config-data', { 'device-id': 'c-1', module: 'settings', area: 'staged' });
    expect((await staged()).result?.values).toEqual({ mode: 'eco' });
    expect((await acme('exodm:delete-devices', { 'device-id': ['c-1'] })).result).toEqual({ result: 'ok' });
    await acme('exodm:create-device', { 'device-id': 'c-1', 'device-type': 'meter' });
    expect((await staged()).result?.values).toEqual({});
    const members = await acme('exodm:list-config-set-members', { name: 'cs-1', n: 10 });
    expect(members.result?.['config-set-members']).toEqual([]);
  });

  it('deletes devices with their memberships, and cancels their open transactions', async () => {
    const { queue } = t.server.context;
    await acme('exodm:create-device', { 'device-id': 'd-1', 'device-type': 'meter' });
    await acme('exodm:create-device', { 'device-id': 'd-2', 'device-type': 'meter' });
    await acme('exodm:create-device-group', { 'group-name': 'doomed' });
    await acme('exodm:add-device-group-members', { 'group-name': 'doomed', 'device-id': ['d-1', 'd-2'] });
    const own = await queue.enqueue({ target: { device: queueName('acme', 'd-1') }, kind: 'rpc', payload: {} });
    const shared = await queue.enqueue({ target: { group: queueName('acme', 'doomed') }, kind: 'rpc', payload: {} });
    expect((await acme('exodm:delete-devices', { 'device-id': ['d-1', 'ghost'] })).result?.result).toBe(
      'object-not-found',
    );
    expect((await acme('exodm:lookup-device', { 'device-id': 'd-1' })).result?.result).toBe('ok');
    expect((await acme('exodm:delete-devices', { 'device-id': ['d-1'] })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:lookup-device', { 'device-id': 'd-1' })).result?.result).toBe('device-not-found');
    expect((await queue.get({ device: queueName('acme', 'd-1') }, own.transaction.id))?.state).toBe('cancelled');
    const children = await queue.subTransactions(queueName('acme', 'doomed'), shared.transaction.id);
    const byDevice = new Map(children.map((child) => [(child.target as { device: string }).device, child.state]));
    expect(byDevice.get(queueName('acme', 'd-1'))).toBe('cancelled');
    expect(byDevice.get(queueName('acme', 'd-2'))).toBe('queued');
    const members = await acme('exodm:list-device-group-members', { 'group-name': 'doomed', n: 10 });
    expect(members.result?.['device-group-members']).toEqual(['d-2']);
    // the 2.x name and the id freed for a group
    expect((await acme('exodm:delete-device', { 'device-id': 'd-2' })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:create-device-group', { 'group-name': 'd-2' })).result).toEqual({ result: 'ok' });
  });
});

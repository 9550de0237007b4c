import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { groupMembers, groupsOfDevice } from '../src/store/groups.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };
const URL1 = 'http://localhost:8898/';
const URL2 = 'http://localhost:8899/';

/** The paths of a -32602 reply's issues. */
function issuePaths(reply: RpcReply): unknown[] {
  return ((reply.error?.data ?? { issues: [] }) as { issues: { path: unknown }[] }).issues.map((issue) => issue.path);
}

describe('device groups over HTTP (manual §5.8, docs/sources.md, the real exodm server item 1 device-group methods)', () => {
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);
  const members = async (group: string) =>
    (await acme('exodm:list-device-group-members', { 'group-id': group, n: 100, previous: '' })).result;

  beforeAll(async () => {
    t = await startServer();
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
    await acme('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' });
    await acme('exodm:create-device-type', { name: 'gateway', protocol: 'broker' });
    for (const id of ['x00000001', 'x00000002', 'x00000003']) {
      await acme('exodm:create-device', { 'device-id': id, 'device-type': 'meter' });
    }
    await acme('exodm:create-device', { 'device-id': 'gw-1', 'device-type': 'gateway' });
    await globex('exodm:create-device-type', { name: 'meter', protocol: 'broker' });
    await globex('exodm:create-device', { 'device-id': 'g-1', 'device-type': 'meter' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates groups in the 1.x shape (name, notification-url) and the 2.x one (group-name, no URL)', async () => {
    expect((await acme('exodm:create-device-group', { name: 'feuerlabs', 'notification-url': URL1 })).result).toEqual({
      result: 'ok',
    });
    expect((await acme('create-device-group', { 'group-name': 'travelping' })).result).toEqual({ result: 'ok' });
    const list = await acme('exodm:list-device-groups', { n: 3, previous: '' });
    expect(list.result).toEqual({
      result: 'ok',
      'device-groups': [
        { 'group-id': 'feuerlabs', 'group-name': 'feuerlabs', 'notification-url': URL1 },
        { 'group-id': 'travelping', 'group-name': 'travelping' },
      ],
    });
    const after = await acme('exodm:list-device-groups', { n: 3, previous: 'feuerlabs' });
    expect(((after.result?.['device-groups'] ?? []) as { 'group-id': string }[]).map((g) => g['group-id'])).toEqual([
      'travelping',
    ]);
  });

  it('answers -32602 with the path for a 1.x group without URL, a bad URL or no name', async () => {
    expect(issuePaths(await acme('exodm:create-device-group', { name: 'g-x' }))).toEqual([['notification-url']]);
    expect(
      issuePaths(await acme('exodm:create-device-group', { 'group-name': 'g-x', 'notification-url': 'mailto:a@b' })),
    ).toContainEqual(['notification-url']);
    expect(issuePaths(await acme('exodm:create-device-group', { 'notification-url': URL1 }))).toEqual([['group-name']]);
    expect(issuePaths(await acme('exodm:delete-device-group', {}))).toEqual([['group-id']]);
    expect(issuePaths(await acme('exodm:add-device-group-members', { 'group-id': ['feuerlabs'] }))).toEqual([
      ['device-id'],
    ]);
    expect(
      issuePaths(await acme('exodm:add-device-group-members', { 'group-name': 'feuerlabs', 'device-id': [3] })),
    ).toContainEqual(['device-id']);
    expect(
      issuePaths(
        await acme('exodm:add-device-group-members', { 'group-name': 'feuerlabs', 'device-id': 'x', primary: 1 }),
      ),
    ).toEqual([['primary']]);
  });

  it('refuses a notification URL the destination rules deny with validation-failed', async () => {
    const metadata = 'http://169.254.169.254/latest/';
    const created = await acme('exodm:create-device-group', { 'group-name': 'g-meta', 'notification-url': metadata });
    expect(created.result?.result).toBe('validation-failed');
    expect((await acme('exodm:list-device-group-members', { 'group-id': 'g-meta', n: 1 })).result?.result).toBe(
      'object-not-found',
    );
    const updated = await acme('exodm:update-device-group', { 'group-id': 'feuerlabs', 'notification-url': metadata });
    expect(updated.result?.result).toBe('validation-failed');
    const device = await acme('exodm:update-device', { 'device-id': 'x00000001', 'notification-url': metadata });
    expect(device.result?.result).toBe('validation-failed');
    expect(
      (await acme('exodm:lookup-device', { 'device-id': 'x00000001' })).result?.['notification-url'],
    ).toBeUndefined();
  });

  it('shares one id namespace between devices and groups (§5.8)', async () => {
    const likeDevice = await acme('exodm:create-device-group', { 'group-name': 'x00000001' });
    expect(likeDevice.result?.result).toBe('object-exists');
    expect((await acme('exodm:create-device-group', { 'group-name': 'feuerlabs' })).result?.result).toBe(
      'object-exists',
    );
    const mismatch = await acme('exodm:create-device-group', {
      name: 'a-1',
      'group-name': 'a-2',
      'notification-url': URL1,
    });
    expect(mismatch.result?.result).toBe('validation-failed');
  });

  it('updates the URL by group-id (1.x) or group-name (2.x)', async () => {
    expect(
      (await acme('exodm:update-device-group', { 'group-id': 'travelping', 'notification-url': URL2 })).result,
    ).toEqual({ result: 'ok' });
    await acme('exodm:update-device-group', { 'group-name': 'feuerlabs', 'notification-url': URL2 });
    const list = await acme('exodm:list-device-groups', { n: 10 });
    expect(
      ((list.result?.['device-groups'] ?? []) as { 'notification-url': string }[]).map((g) => g['notification-url']),
    ).toEqual([URL2, URL2]);
    await acme('exodm:update-device-group', { 'group-id': 'feuerlabs', 'notification-url': URL1 });
    const unknown = await acme('exodm:update-device-group', { 'group-id': 'nope', 'notification-url': URL1 });
    expect(unknown.result?.result).toBe('object-not-found');
  });

  it('adds members in the 1.x shape and lists them in both shapes, n after previous', async () => {
    const added = await acme('exodm:add-device-group-members', {
      'group-id': ['feuerlabs'],
      'device-id': ['x00000001', 'x00000002', 'x00000003'],
    });
    expect(added.result).toEqual({ result: 'ok' });
    const page = await acme('exodm:list-device-group-members', { 'group-id': 'feuerlabs', n: 2, previous: '' });
    expect(page.result).toEqual({
      result: 'ok',
      'device-group-members': ['x00000001', 'x00000002'],
      devices: [
        { 'device-id': 'x00000001', primary: false },
        { 'device-id': 'x00000002', primary: false },
      ],
    });
    const rest = await acme('exodm:list-device-group-members', {
      'group-name': 'feuerlabs',
      n: 2,
      previous: 'x00000002',
    });
    expect(rest.result?.['device-group-members']).toEqual(['x00000003']);
    expect((await acme('exodm:list-device-group-members', { 'group-id': 'nope', n: 2 })).result?.result).toBe(
      'object-not-found',
    );
  });

  it("keeps a group's members of one device type: the first member's (§5.8), and nothing is added on a mismatch", async () => {
    const mixed = await acme('exodm:add-device-group-members', {
      'group-name': 'travelping',
      'device-id': ['x00000001', 'gw-1'],
    });
    expect(mixed.result?.result).toBe('validation-failed');
    expect((await members('travelping'))?.['device-group-members']).toEqual([]);
    const gateway = await acme('exodm:add-device-group-members', { 'group-id': 'feuerlabs', 'device-id': 'gw-1' });
    expect(gateway.result?.result).toBe('validation-failed');
    // an emptied group takes any type again
    await acme('exodm:add-device-group-members', { 'group-name': 'travelping', 'device-id': ['gw-1'] });
    await acme('exodm:remove-device-group-members', { 'group-name': 'travelping', 'device-id': ['gw-1'] });
    expect(
      (await acme('exodm:add-device-group-members', { 'group-name': 'travelping', 'device-id': 'x00000001' })).result,
    ).toEqual({ result: 'ok' });
  });

  it('marks one primary group per device, and orders its groups by when it was last added', async () => {
    const db = t.server.context.db;
    // x00000001 is in feuerlabs, then travelping
    expect((await groupsOfDevice(db, 'acme', 'x00000001')).map((g) => [g.groupId, g.primary])).toEqual([
      ['travelping', false],
      ['feuerlabs', false],
    ]);
    await acme('exodm:add-device-group-members', {
      'group-name': 'feuerlabs',
      'device-id': ['x00000001'],
      primary: true,
    });
    const groups = await groupsOfDevice(db, 'acme', 'x00000001');
    expect(groups.map((g) => [g.groupId, g.primary, g.notificationUrl])).toEqual([
      ['feuerlabs', true, URL1],
      ['travelping', false, URL2],
    ]);
    expect(groups[0]!.addedSeq).toBeGreaterThan(groups[1]!.addedSeq);
    await acme('exodm:add-device-group-members', {
      'group-name': 'travelping',
      'device-id': ['x00000001'],
      primary: true,
    });
    const byDevice = await acme('exodm:list-device-groups', { n: 10, previous: '', 'device-id': 'x00000001' });
    expect(byDevice.result?.['device-groups']).toEqual([
      { 'group-id': 'feuerlabs', 'group-name': 'feuerlabs', 'notification-url': URL1, primary: false },
      { 'group-id': 'travelping', 'group-name': 'travelping', 'notification-url': URL2, primary: true },
    ]);
    // added again without primary: the mark stays, and it is the group it was last added to
    await acme('exodm:add-device-group-members', { 'group-name': 'feuerlabs', 'device-id': ['x00000001'] });
    expect((await groupsOfDevice(db, 'acme', 'x00000001')).map((g) => [g.groupId, g.primary])).toEqual([
      ['feuerlabs', false],
      ['travelping', true],
    ]);
    expect((await members('travelping'))?.devices).toEqual([{ 'device-id': 'x00000001', primary: true }]);
    const two = await acme('exodm:add-device-group-members', {
      'group-id': ['feuerlabs', 'travelping'],
      'device-id': ['x00000002'],
      primary: true,
    });
    expect(two.result?.result).toBe('validation-failed');
    const unknown = await acme('exodm:list-device-groups', { n: 10, 'device-id': 'ghost' });
    expect(unknown.result?.result).toBe('object-not-found');
  });

  it('refuses unknown groups or devices with object-not-found and changes nothing', async () => {
    const before = [await members('feuerlabs'), await members('travelping')];
    const noGroup = await acme('exodm:add-device-group-members', {
      'group-id': ['travelping', 'nope'],
      'device-id': ['x00000002'],
    });
    expect(noGroup.result?.result).toBe('object-not-found');
    const noDevice = await acme('exodm:add-device-group-members', {
      'group-name': 'travelping',
      'device-id': ['x00000002', 'ghost'],
    });
    expect(noDevice.result?.result).toBe('object-not-found');
    const removeUnknown = await acme('exodm:remove-device-group-members', {
      'group-id': ['feuerlabs'],
      'device-id': ['x00000001', 'ghost'],
    });
    expect(removeUnknown.result?.result).toBe('object-not-found');
    expect([await members('feuerlabs'), await members('travelping')]).toEqual(before);
  });

  it('tells txqueue of joins and leaves: a joining device gets the open group transactions, a leaving one loses them', async () => {
    const { queue } = t.server.context;
    const group = queueName('acme', 'travelping');
    const { transaction } = await queue.enqueue({ target: { group }, kind: 'rpc', payload: { method: 'beep' } });
    const states = async () =>
      new Map(
        (await queue.subTransactions(group, transaction.id)).map((child) => [
          (child.target as { device: string }).device,
          child.state,
        ]),
      );
    expect([...(await states()).keys()]).toEqual([queueName('acme', 'x00000001')]);
    await acme('exodm:add-device-group-members', { 'group-name': 'travelping', 'device-id': ['x00000002'] });
    expect((await states()).get(queueName('acme', 'x00000002'))).toBe('queued');
    expect(await groupMembers(t.server.context.db, 'acme', 'travelping')).toEqual(['x00000001', 'x00000002']);
    await acme('exodm:remove-device-group-members', {
      'group-id': ['travelping'],
      'device-id': ['x00000002', 'x00000003'],
    });
    expect((await states()).get(queueName('acme', 'x00000002'))).toBe('cancelled');
    expect((await states()).get(queueName('acme', 'x00000001'))).toBe('queued');
    expect((await members('travelping'))?.['device-group-members']).toEqual(['x00000001']);
  });

  it("never shows or changes another account's groups", async () => {
    const before = (await acme('exodm:list-device-groups', { n: 10 })).result;
    expect((await globex('exodm:list-device-groups', { n: 10 })).result?.['device-groups']).toEqual([]);
    expect((await globex('exodm:list-device-group-members', { 'group-id': 'feuerlabs', n: 10 })).result?.result).toBe(
      'object-not-found',
    );
    expect(
      (await globex('exodm:update-device-group', { 'group-id': 'feuerlabs', 'notification-url': URL2 })).result?.result,
    ).toBe('object-not-found');
    expect((await globex('exodm:delete-device-group', { 'group-id': 'feuerlabs' })).result?.result).toBe(
      'object-not-found',
    );
    expect(
      (await globex('exodm:add-device-group-members', { 'group-id': ['feuerlabs'], 'device-id': ['g-1'] })).result
        ?.result,
    ).toBe('object-not-found');
    await globex('exodm:create-device-group', { 'group-name': 'own' });
    expect(
      (await globex('exodm:add-device-group-members', { 'group-name': 'own', 'device-id': ['x00000002'] })).result
        ?.result,
    ).toBe('object-not-found');
    expect((await globex('exodm:list-device-groups', { n: 10, 'device-id': 'x00000001' })).result?.result).toBe(
      'object-not-found',
    );
    // the same id is free in another account
    expect((await globex('exodm:create-device-group', { 'group-name': 'feuerlabs' })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:list-device-groups', { n: 10 })).result).toEqual(before);
  });

  it("forgets a deleted group's configuration data", async () => {
    const settings = 'module settings { namespace "urn:acme:settings"; prefix s; leaf mode { type string; } }';
    await acme('exodm:create-yang-module', { name: 'settings.yang', 'yang-module': settings });
    await acme('exodm:create-device-group', { 'group-name': 'configured' });
    await acme('exodm:update-config-data', { 'device-id': 'configured', module: 'settings', values: { mode: 'eco' } });
    const staged = () =>
      acme('exodm:read-config-data', { 'device-id': 'configured', module: 'settings', area: 'staged' });
    expect((await staged()).result?.values).toEqual({ mode: 'eco' });
    expect((await acme('exodm:delete-device-group', { 'group-id': 'configured' })).result).toEqual({ result: 'ok' });
    await acme('exodm:create-device-group', { 'group-name': 'configured' });
    expect((await staged()).result?.values).toEqual({});
  });

  it('deletes a group: members leave it, its open transactions are cancelled and its id is free', async () => {
    const { queue } = t.server.context;
    const group = queueName('acme', 'feuerlabs');
    const { transaction } = await queue.enqueue({ target: { group }, kind: 'rpc', payload: {} });
    expect((await acme('exodm:delete-device-group', { 'group-name': 'feuerlabs' })).result).toEqual({ result: 'ok' });
    expect((await queue.get({ group }, transaction.id))?.state).toBe('cancelled');
    expect(await groupsOfDevice(t.server.context.db, 'acme', 'x00000002')).toEqual([]);
    expect((await acme('exodm:delete-device-group', { 'group-id': 'feuerlabs' })).result?.result).toBe(
      'object-not-found',
    );
    expect((await acme('exodm:create-device', { 'device-id': 'feuerlabs', 'device-type': 'meter' })).result).toEqual({
      result: 'ok',
    });
  });
});

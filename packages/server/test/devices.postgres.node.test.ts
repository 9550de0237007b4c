import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { groupsOfDevice } from '../src/store/groups.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { createDatabase, type TestDatabase } from './postgres-database.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };

describeWithPostgres('devices, types and groups on PostgreSQL', (url) => {
  let database: TestDatabase;
  let driver: PostgresDriver;
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);

  beforeAll(async () => {
    database = await createDatabase(url, 'srv_devices');
    driver = openPostgres({ connectionString: database.url });
    t = await startServer({ driver });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await acme('exodm:create-device-type', { name: 'meter', protocol: 'broker' });
    await acme('exodm:create-device-type', { name: 'gateway', protocol: 'exoport-http' });
  });
  afterAll(async () => {
    await t.close();
    await driver.close();
    await database.drop();
  });

  it('provisions, groups, lists and deletes devices', async () => {
    for (const id of ['d1', 'd2']) {
      expect(
        (await acme('exodm:create-device', { 'device-id': id, 'device-type': 'meter', 'server-key': '1' })).result,
      ).toEqual({ result: 'ok' });
    }
    await acme('exodm:create-device-group', { name: 'g1', 'notification-url': 'http://127.0.0.1:8001/' });
    await acme('exodm:create-device-group', { 'group-name': 'g2' });
    expect(
      (await acme('exodm:add-device-group-members', { 'group-id': ['g1', 'g2'], 'device-id': ['d1', 'd2'] })).result,
    ).toEqual({ result: 'ok' });
    await acme('exodm:add-device-group-members', { 'group-name': 'g1', 'device-id': 'd1', primary: true });
    const groups = await groupsOfDevice(driver, 'acme', 'd1');
    expect(groups.map((g) => [g.groupId, g.primary, g.notificationUrl])).toEqual([
      ['g1', true, 'http://127.0.0.1:8001/'],
      ['g2', false, undefined],
    ]);
    const members = await acme('exodm:list-device-group-members', { 'group-name': 'g1', n: 10 });
    expect(members.result?.devices).toEqual([
      { 'device-id': 'd1', primary: true },
      { 'device-id': 'd2', primary: false },
    ]);
    const listed = await acme('exodm:list-devices', { n: 1, previous: 'd1' });
    expect(listed.result?.devices).toEqual([{ 'device-id': 'd2', 'device-type': 'meter', 'session-timeout': 0 }]);
    expect((await acme('exodm:delete-device-type', { name: 'meter' })).result?.result).toBe('object-not-empty');
    expect((await acme('exodm:delete-devices', { 'device-id': ['d1', 'd2'] })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:list-device-group-members', { 'group-id': 'g1', n: 10 })).result?.devices).toEqual([]);
    expect((await acme('exodm:delete-device-type', { name: 'meter' })).result).toEqual({ result: 'ok' });
  });

  it('lets exactly one of a device and a group take an id when both are created at once (§5.8)', async () => {
    const replies = await Promise.all([
      acme('exodm:create-device', { 'device-id': 'same', 'device-type': 'gateway' }),
      acme('exodm:create-device-group', { 'group-name': 'same' }),
    ]);
    expect(replies.map((reply) => reply.result?.result).sort()).toEqual(['object-exists', 'ok']);
  });

  it('lets one device type into an empty group when two calls race with different types (§5.8)', async () => {
    await acme('exodm:create-device-type', { name: 'meter', protocol: 'broker' });
    await acme('exodm:create-device', { 'device-id': 'm1', 'device-type': 'meter' });
    await acme('exodm:create-device', { 'device-id': 'gw1', 'device-type': 'gateway' });
    await acme('exodm:create-device-group', { 'group-name': 'race' });
    const replies = await Promise.all([
      acme('exodm:add-device-group-members', { 'group-name': 'race', 'device-id': 'm1' }),
      acme('exodm:add-device-group-members', { 'group-name': 'race', 'device-id': 'gw1' }),
    ]);
    expect(replies.map((reply) => reply.result?.result).sort()).toEqual(['ok', 'validation-failed']);
    const members = await acme('exodm:list-device-group-members', { 'group-name': 'race', n: 10 });
    expect(members.result?.['device-group-members']).toHaveLength(1);
  });
});

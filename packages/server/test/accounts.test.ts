import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness.ts';

describe('accounts, users and roles over HTTP (manual §5.1–5.3, Table 2)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates an account whose admin can log in and create a user', async () => {
    const created = await t.admin('exodm:create-account', {
      name: 'acme',
      email: 'info@acme.com',
      password: 'acme-admin-pw',
    });
    expect(created.result).toEqual({ result: 'ok', 'account-admin': 'acme-admin' });
    const user = await t.call('acme-admin', 'acme-admin-pw', 'exodm:create-user', {
      uname: 'olga',
      email: 'olga@acme.com',
      password: 'olga-password',
    });
    expect(user.result).toEqual({ result: 'ok' });
    const list = await t.call('acme-admin', 'acme-admin-pw', 'list-users', { n: 10 });
    expect(list.result?.users).toEqual([{ uname: 'acme-admin' }, { uname: 'olga' }]);
  });

  it('answers object-exists inside the result, as the real server does', async () => {
    const again = await t.admin('exodm:create-account', { name: 'acme', email: 'x@y.z', password: 'another-pw' });
    expect(again.result?.result).toBe('object-exists');
  });

  it('refuses a member without a role with permission-denied, and allows after add-user-to-role', async () => {
    const before = await t.call('olga', 'olga-password', 'exodm:list-users', { n: 10 });
    expect(before.result?.result).toBe('permission-denied');
    const granted = await t.call('acme-admin', 'acme-admin-pw', 'exodm:add-user-to-role', {
      role: 'view',
      uname: 'olga',
    });
    expect(granted.result).toEqual({ result: 'ok' });
    const after = await t.call('olga', 'olga-password', 'exodm:list-users', { n: 10 });
    expect(after.result?.result).toBe('ok');
  });

  it('answers 401 to a wrong password and -32602 with a path to a bad param', async () => {
    const wrong = await t.call('olga', 'nope-nope', 'exodm:list-users', { n: 10 });
    expect(wrong.status).toBe(401);
    const bad = await t.call('acme-admin', 'acme-admin-pw', 'exodm:list-users', { n: 'ten' });
    expect(bad.error?.code).toBe(-32602);
    expect(JSON.stringify(bad.error?.data)).toContain('"n"');
  });

  it('never shows one account the users of another', async () => {
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@g.g', password: 'globex-admin-pw' });
    const seen = await t.call('globex-admin', 'globex-admin-pw', 'exodm:lookup-user', { uname: 'olga' });
    expect(seen.result?.result).toBe('object-not-found');
    const deleted = await t.call('globex-admin', 'globex-admin-pw', 'exodm:delete-user', { uname: 'olga' });
    expect(deleted.result?.result).toBe('object-not-found');
  });

  it('refuses to delete an account that still owns a YANG module, then deletes it once emptied', async () => {
    await t.admin('exodm:create-account', { name: 'initech', email: 'i@i.i', password: 'initech-admin-pw' });
    const module = 'module tps { namespace "urn:tps"; prefix t; leaf cover { type string; } }';
    const created = await t.call('initech-admin', 'initech-admin-pw', 'exodm:create-yang-module', {
      repository: 'user',
      name: 'tps.yang',
      'yang-module': module,
    });
    expect(created.result?.result).toBe('ok');
    const refused = await t.admin('exodm:delete-account', { name: 'initech' });
    expect(refused.result?.result).toBe('object-not-empty');
    await t.call('initech-admin', 'initech-admin-pw', 'exodm:delete-yang-module', {
      repository: 'user',
      name: 'tps.yang',
    });
    const deleted = await t.admin('exodm:delete-account', { name: 'initech' });
    expect(deleted.result).toEqual({ result: 'ok' });
  });
});

import { describe, expect, it } from 'vitest';
import { openTestRbac } from '../test/engine.ts';

describe('accounts, users and roles', () => {
  it('creates an account with its admin <account>-admin holding admin (manual §5.1)', async () => {
    const rbac = await openTestRbac();
    expect(await rbac.createAccount({ name: 'acme', adminPassword: 'configured-pw' })).toEqual({
      account: 'acme',
      admin: 'acme-admin',
    });
    expect(rbac.membersOf('acme')).toEqual([{ account: 'acme', user: 'acme-admin', roles: ['admin'] }]);
    expect(await rbac.authenticate('acme-admin', 'configured-pw')).toBe('acme-admin');
    expect(rbac.logger.records).toEqual([]);
  });

  it('generates the admin password when none is configured and logs it once', async () => {
    const rbac = await openTestRbac();
    const made = await rbac.createAccount({ name: 'acme' });
    expect(made.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await rbac.authenticate('acme-admin', made.generatedPassword!)).toBe('acme-admin');
    expect(rbac.logger.records.filter((r) => r.fields?.password === made.generatedPassword)).toHaveLength(1);
  });

  it('lets a user belong to several accounts with different roles (manual §6.1 Fig. 4)', async () => {
    const rbac = await openTestRbac();
    for (const name of ['vanpoint_taxi', 'vanpoint_truck', 'infrafleet'])
      await rbac.createAccount({ name, adminPassword: 'admin-password' });
    await rbac.createUser({ name: 'vanpoint_manage', password: 'user-password' });
    for (const account of ['vanpoint_taxi', 'vanpoint_truck']) {
      await rbac.addUserToAccount({ account, user: 'vanpoint_manage' });
      for (const role of ['view', 'config', 'device'] as const)
        await rbac.addUserToRole({ account, user: 'vanpoint_manage', role });
    }
    expect(rbac.accountsOf('vanpoint_manage')).toEqual([
      { account: 'vanpoint_taxi', user: 'vanpoint_manage', roles: ['view', 'device', 'config'] },
      { account: 'vanpoint_truck', user: 'vanpoint_manage', roles: ['view', 'device', 'config'] },
    ]);
    expect(
      rbac.can({ user: 'vanpoint_manage', account: 'vanpoint_truck', method: 'exodm:push-config-set' }).allowed,
    ).toBe(true);
    expect(rbac.can({ user: 'vanpoint_manage', account: 'infrafleet', method: 'exodm:list-devices' })).toMatchObject({
      reason: 'not-a-member',
    });
    expect(() => rbac.selectAccount({ login: 'vanpoint_manage' })).toThrow(
      expect.objectContaining({ code: 'account-not-specified' }),
    );
    expect(rbac.selectAccount({ login: '*vanpoint_taxi*vanpoint_manage' })).toEqual({
      user: 'vanpoint_manage',
      account: 'vanpoint_taxi',
    });
    expect(rbac.selectAccount({ login: 'infrafleet-admin' })).toEqual({
      user: 'infrafleet-admin',
      account: 'infrafleet',
    });
  });

  it('refuses a role for a user who is not a member, and master outside the system account', async () => {
    const rbac = await openTestRbac();
    await rbac.createAccount({ name: 'acme', adminPassword: 'admin-password' });
    await rbac.createUser({ name: 'vera', password: 'vera-password' });
    await expect(rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'view' })).rejects.toMatchObject({
      code: 'object-not-found',
      details: { path: 'member', got: 'vera in acme' },
    });
    await rbac.addUserToAccount({ account: 'acme', user: 'vera' });
    await expect(rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'master' })).rejects.toMatchObject({
      code: 'validation-failed',
      details: { path: 'role', got: 'master' },
    });
    expect(rbac.membersOf('acme').find((m) => m.user === 'vera')).toEqual({ account: 'acme', user: 'vera', roles: [] });
  });

  it('rejects short passwords and illegal names without creating anything', async () => {
    const rbac = await openTestRbac();
    await expect(rbac.createUser({ name: 'vera', password: 'short' })).rejects.toMatchObject({
      code: 'validation-failed',
      details: { path: 'password', got: '5 characters' },
    });
    await expect(rbac.createAccount({ name: 'a'.repeat(60) })).rejects.toMatchObject({
      code: 'illegal-name',
      details: { path: 'admin user name' },
    });
    await expect(rbac.grant({ account: 'acme', role: 'view', package: 'p', rpc: 'bad rpc' })).rejects.toMatchObject({
      code: 'illegal-name',
      details: { path: 'rpc' },
    });
    expect(rbac.users()).toEqual([]);
    expect(rbac.accounts()).toEqual([]);
  });

  it('keeps an account admin who also belongs to another account when the account is deleted', async () => {
    const rbac = await openTestRbac();
    await rbac.createAccount({ name: 'acme', adminPassword: 'admin-password' });
    await rbac.createAccount({ name: 'beta', adminPassword: 'admin-password' });
    await rbac.addUserToAccount({ account: 'beta', user: 'acme-admin' });
    await rbac.deleteAccount('acme');
    await rbac.deleteAccount('beta');
    expect(rbac.users()).toEqual(['acme-admin']);
    await expect(rbac.deleteAccount('beta')).rejects.toMatchObject({ code: 'object-not-found' });
  });

  it('authenticates a *account*user login and refuses an unknown user or wrong password', async () => {
    const rbac = await openTestRbac();
    await rbac.createAccount({ name: 'acme', adminPassword: 'admin-password' });
    expect(await rbac.authenticate('*acme*acme-admin', 'admin-password')).toBe('acme-admin');
    expect(await rbac.authenticate('acme-admin', 'admin-passwort')).toBeUndefined();
    expect(await rbac.authenticate('ghost', 'admin-password')).toBeUndefined();
    await rbac.setPassword({ user: 'acme-admin', password: 'new-password' });
    expect(await rbac.authenticate('acme-admin', 'admin-password')).toBeUndefined();
    expect(await rbac.authenticate('acme-admin', 'new-password')).toBe('acme-admin');
  });
});

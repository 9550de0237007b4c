import { beforeEach, describe, expect, it } from 'vitest';
import { openTestRbac } from '../test/engine.ts';
import { ALLOW, DENY } from './decision.ts';
import type { Rbac } from './rbac.ts';

describe('can()', () => {
  let rbac: Rbac;
  beforeEach(async () => {
    rbac = await openTestRbac();
    await rbac.createAccount({ name: 'acme', adminPassword: 'admin-password' });
    await rbac.createAccount({ name: 'beta', adminPassword: 'admin-password' });
    await rbac.createUser({ name: 'vera', password: 'vera-password' });
    await rbac.addUserToAccount({ account: 'acme', user: 'vera' });
  });

  it('gives each denial its reason', () => {
    expect(rbac.can({ user: 'ghost', account: 'acme', method: 'exodm:list-devices' })).toBe(DENY['unknown-user']);
    expect(rbac.can({ user: 'vera', account: 'beta', method: 'exodm:list-devices' })).toBe(DENY['not-a-member']);
    expect(rbac.can({ user: 'vera', account: 'acme', method: 'exodm:list-devices' })).toBe(DENY['no-role']);
    expect(rbac.can({ user: 'acme-admin', account: 'acme', method: 'exodm:create-account' })).toBe(
      DENY['role-lacks-method'],
    );
    expect(rbac.can({ user: 'acme-admin', account: 'acme', method: 'fleet:locate' })).toBe(DENY['unknown-method']);
    expect(rbac.can({ user: 'acme-admin', account: 'acme', method: 'fleet:locate', package: 'fleet' })).toBe(
      DENY['role-lacks-method'],
    );
  });

  it('names the roles of a built-in method under any of its spellings', () => {
    expect(rbac.methodRoles('exodm:add-role-execution-rights')).toEqual(['master', 'admin']);
    expect(rbac.methodRoles('push-config-set')).toEqual(['master', 'admin', 'device', 'config']);
    expect(rbac.methodRoles('fleet:locate')).toBeUndefined();
  });

  it('answers with shared frozen decisions instead of allocating one per call', () => {
    const query = { user: 'acme-admin', account: 'acme', method: 'exodm:list-devices' };
    expect(rbac.can(query)).toBe(ALLOW);
    expect(rbac.can(query)).toBe(rbac.can({ ...query }));
    expect(Object.isFrozen(ALLOW) && Object.isFrozen(DENY['no-role'])).toBe(true);
  });

  it('sees a role added or removed on the very next check', async () => {
    const query = { user: 'vera', account: 'acme', method: 'exodm:list-devices' };
    await rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'view' });
    expect(rbac.can(query)).toBe(ALLOW);
    await rbac.removeUserFromRole({ account: 'acme', user: 'vera', role: 'view' });
    expect(rbac.can(query)).toBe(DENY['no-role']);
  });

  it('lets a granted role call a package RPC in that account only, and stops after revoke', async () => {
    await rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'execute' });
    const call = { user: 'vera', account: 'acme', method: 'fleetmanager:get-position', package: 'fleetmanager' };
    expect(rbac.can(call)).toBe(DENY['role-lacks-method']);
    const grant = {
      account: 'acme',
      role: 'execute',
      package: 'fleetmanager',
      rpc: 'fleetmanager:get-position',
    } as const;
    await rbac.grant(grant);
    expect(rbac.can(call)).toBe(ALLOW);
    expect(rbac.can({ ...call, package: 'other' })).toBe(DENY['role-lacks-method']);
    expect(rbac.can({ ...call, method: 'fleetmanager:reboot' })).toBe(DENY['role-lacks-method']);
    expect(rbac.rpcRoles(grant)).toEqual(['execute']);
    await rbac.revoke(grant);
    expect(rbac.can(call)).toBe(DENY['role-lacks-method']);
  });

  it('never lets execute call a built-in method, whatever it is granted', async () => {
    await rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'execute' });
    await rbac.grant({ account: 'acme', role: 'execute', package: 'exodm', rpc: 'exodm:create-user' });
    expect(rbac.can({ user: 'vera', account: 'acme', method: 'exodm:create-user' })).toBe(DENY['role-lacks-method']);
  });

  it('forgets a removed member, a deleted user and a deleted account at once', async () => {
    await rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'admin' });
    await rbac.removeUserFromAccount({ account: 'acme', user: 'vera' });
    expect(rbac.can({ user: 'vera', account: 'acme', method: 'exodm:list-devices' })).toBe(DENY['not-a-member']);
    await rbac.deleteUser('vera');
    expect(rbac.can({ user: 'vera', account: 'acme', method: 'exodm:list-devices' })).toBe(DENY['unknown-user']);
    await rbac.deleteAccount('acme');
    expect(rbac.can({ user: 'acme-admin', account: 'acme', method: 'exodm:list-devices' })).toBe(DENY['unknown-user']);
    expect(rbac.accounts()).toEqual(['beta']);
  });
});

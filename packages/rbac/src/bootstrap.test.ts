import { SeededRandom } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { openTestRbac } from '../test/engine.ts';

describe('bootstrap (manual §5.1, §5.2)', () => {
  it('creates sysadm as master of exodm and exodm-admin as its admin, with configured passwords', async () => {
    const rbac = await openTestRbac();
    const result = await rbac.bootstrap({ sysadmPassword: 'from-config-1', systemAdminPassword: 'from-config-2' });
    expect(result).toEqual({ generatedPasswords: {} });
    expect(rbac.membersOf('exodm')).toEqual([
      { account: 'exodm', user: 'exodm-admin', roles: ['admin'] },
      { account: 'exodm', user: 'sysadm', roles: ['master'] },
    ]);
    expect(await rbac.authenticate('sysadm', 'from-config-1')).toBe('sysadm');
    expect(await rbac.authenticate('exodm-admin', 'from-config-2')).toBe('exodm-admin');
    expect(rbac.can({ user: 'sysadm', account: 'exodm', method: 'exodm:create-account' }).allowed).toBe(true);
    expect(rbac.can({ user: 'exodm-admin', account: 'exodm', method: 'exodm:create-account' }).allowed).toBe(false);
    expect(rbac.logger.records).toEqual([]);
  });

  it('generates missing passwords, prints each once, and generates nothing on the next start', async () => {
    const rbac = await openTestRbac();
    const first = await rbac.bootstrap();
    expect(Object.keys(first.generatedPasswords).sort()).toEqual(['exodm-admin', 'sysadm']);
    for (const [user, password] of Object.entries(first.generatedPasswords)) {
      expect(await rbac.authenticate(user, password)).toBe(user);
      expect(rbac.logger.records.filter((r) => r.fields?.password === password)).toHaveLength(1);
    }
    expect(await rbac.bootstrap()).toEqual({ generatedPasswords: {} });
    expect(rbac.logger.records).toHaveLength(2);
  });

  it('has no default password: different installations get different passwords', async () => {
    const a = await (await openTestRbac({ random: new SeededRandom(1) })).bootstrap();
    const b = await (await openTestRbac({ random: new SeededRandom(2) })).bootstrap();
    expect(a.generatedPasswords.sysadm).not.toBe(b.generatedPasswords.sysadm);
  });

  it('honours a different system account name', async () => {
    const rbac = await openTestRbac({ systemAccount: 'root' });
    await rbac.bootstrap({ sysadmPassword: 'from-config-1', systemAdminPassword: 'from-config-2' });
    expect(rbac.accounts()).toEqual(['root']);
    expect(rbac.accountsOf('sysadm')).toEqual([{ account: 'root', user: 'sysadm', roles: ['master'] }]);
  });
});

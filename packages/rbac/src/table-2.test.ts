import { beforeAll, describe, expect, it } from 'vitest';
import { openTestRbac } from '../test/engine.ts';
import { TABLE_2 } from './matrix.ts';
import type { Rbac } from './rbac.ts';
import { ROLES } from './roles.ts';

// manual §8.4 Table 2 (docs/sources.md), transcribed cell by cell with the manual's own
// spellings. Columns: master admin view device config execute. The second
// page of the table (from delete-yang-module on) has no execute column in the
// source; it is blank here (docs/decisions/rbac-table-2.md).
const TRANSCRIPT = `
exodm:create-account              | X |   |   |   |   |
exodm:update-account              | X |   |   |   |   |
exodm:delete-account              | X |   |   |   |   |
exodm:add-user-to-account         | X | X |   |   |   |
exodm:remove-user-to-account      | X | X |   |   |   |
exodm:list-account-users          | X | X | X |   |   |
exodm:create-user                 | X | X |   |   |   |
exodm:delete-user                 | X | X |   |   |   |
exodm:list-user                   | X | X | X |   |   |
exodm:create-device-type          | X | X |   | X |   |
exodm:update-device-type          | X | X |   | X |   |
exodm:delete-device-type          | X | X |   | X |   |
exodm:list-device-types           | X | X | X | X |   |
exodm:list-device-type-members    | X | X | X | X |   |
exodm:create-device-group         | X | X |   | X |   |
exodm:update-device-group         | X | X |   | X |   |
exodm:delete-device-group         | X | X |   | X |   |
exodm:list-device-groups          | X | X | X | X |   |
exodm:list-device-group-members   | X | X | X | X |   |
exodm:add-device-group-members    | X | X |   | X |   |
exodm:remove-device-group-members | X | X |   | X |   |
exodm:create-yang-module          | X | X |   |   |   |
exodm:delete-yang-module          | X | X |   |   |   |
exodm:list-yang-modules           | X | X | X |   |   |
exodm:create-package              | X | X |   |   |   |
exodm:add-package-members         | X | X |   | X |   |
exodm:push-package                | X | X |   | X |   |
exodm:list-packages               | X | X | X | X |   |
exodm:get-package-status          | X | X | X | X |   |
exodm:create-config-set           | X | X |   | X | X |
exodm:update-config-set           | X | X |   | X | X |
exodm:delete-config-set           | X | X |   | X | X |
exodm:list-config-sets            | X | X | X | X | X |
exodm:list-config-set-members     | X | X | X | X | X |
exodm:add-config-set-members      | X | X |   | X | X |
exodm: remove-config-set-members  | X | X |   | X | X |
exodm:push-config-set             | X | X |   | X | X |
exodm:create-device               | X | X |   | X |   |
exodm:lookup-device               | X | X | X | X |   |
exodm:list-devices                | X | X | X | X |   |
exodm:delete-device               | X | X |   | X |   |
exodm:add-user-to-role            | X | X |   |   |   |
exodm:remove-user-from-role       | X | X |   |   |   |
exodm: add-execution-permission   | X | X |   |   |   |
exodm:remove-execution-permission | X | X |   |   |   |
exodm:list-execution-permissions  | X | X | X |   |   |
`;

const rows = TRANSCRIPT.trim()
  .split('\n')
  .map((line) => {
    const [method, ...cells] = line.split('|').map((c) => c.trim());
    return { method: method!, cells: ROLES.map((_, i) => cells[i] === 'X') };
  });

describe('manual Table 2', () => {
  let rbac: Rbac;
  beforeAll(async () => {
    rbac = await openTestRbac();
    await rbac.bootstrap({ sysadmPassword: 'sysadm-password', systemAdminPassword: 'admin-password' });
    await rbac.createAccount({ name: 'acme', adminPassword: 'admin-password' });
    for (const role of ROLES) {
      await rbac.createUser({ name: `only-${role}`, password: 'user-password' });
      for (const account of role === 'master' ? ['exodm'] : ['exodm', 'acme']) {
        await rbac.addUserToAccount({ account, user: `only-${role}` });
        await rbac.addUserToRole({ account, user: `only-${role}`, role });
      }
    }
  });

  it('has the 46 rows of the manual, each a distinct built-in method', () => {
    expect(rows).toHaveLength(46);
    expect(TABLE_2).toHaveLength(46);
    expect(new Set(rows.map((r) => rbac.canonicalMethod(r.method))).size).toBe(46);
    expect(rows.map((r) => rbac.canonicalMethod(r.method))).toEqual(TABLE_2.map((r) => r.method));
  });

  describe.each(rows)('$method', ({ method, cells }) => {
    it.each(ROLES.map((role, i) => ({ role, allowed: cells[i]! })))('$role: allowed $allowed', ({ role, allowed }) => {
      const accounts = role === 'master' ? ['exodm'] : ['exodm', 'acme'];
      for (const account of accounts) {
        const decision = rbac.can({ user: `only-${role}`, account, method });
        expect(decision).toEqual(allowed ? { allowed: true } : { allowed: false, reason: 'role-lacks-method' });
      }
    });
  });

  it('gives the same decision for the canonical, aliased and bare spelling of every row', () => {
    for (const { method, cells } of rows) {
      const canonical = rbac.canonicalMethod(method)!;
      for (const spelling of [method, canonical, canonical.slice('exodm:'.length)]) {
        ROLES.forEach((role, i) => {
          expect(
            rbac.can({ user: `only-${role}`, account: 'exodm', method: spelling }).allowed,
            `${spelling} / ${role}`,
          ).toBe(cells[i]);
        });
      }
    }
  });
});

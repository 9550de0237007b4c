import { silentLogger } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { openRbac, type Rbac } from '../rbac.ts';
import { describeRbacStore } from '../testing/store-suite.ts';

describeWithPostgres('rbac on postgres', (url) => {
  describeRbacStore('postgres', () => openPostgres({ connectionString: url }));

  describe('several processes on one store', () => {
    const drivers = [openPostgres({ connectionString: url }), openPostgres({ connectionString: url })] as const;
    const prefix = `rbac_n${Math.random().toString(36).slice(2, 8)}_`;
    const open = (i: 0 | 1): Promise<Rbac> =>
      openRbac({
        driver: drivers[i],
        notifier: drivers[i],
        tablePrefix: prefix,
        logger: silentLogger,
        passwordIterations: 1000,
      });
    afterAll(async () => {
      for (const t of ['member_roles', 'members', 'grants', 'users', 'accounts'])
        await drivers[0].exec(`DROP TABLE IF EXISTS ${prefix}${t}`);
      await Promise.all(drivers.map((d) => d.close()));
    });

    /** Waits for a notification to be handled; the test fails by timeout if it never is. */
    async function eventually(check: () => boolean): Promise<void> {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
    }

    it('reloads another engine’s grant and revoke when they commit', async () => {
      const [a, b] = [await open(0), await open(1)];
      await a.createAccount({ name: 'acme', adminPassword: 'admin-password' });
      await a.grant({ account: 'acme', role: 'admin', package: 'fleet', rpc: 'fleet:locate' });
      const query = { user: 'acme-admin', account: 'acme', method: 'fleet:locate', package: 'fleet' };
      await eventually(() => b.can(query).allowed);
      await b.revoke({ account: 'acme', role: 'admin', package: 'fleet', rpc: 'fleet:locate' });
      await eventually(() => !a.can(query).allowed);
      expect(a.grantsOf('acme')).toEqual([]);
      expect(b.grantsOf('acme')).toEqual([]);
      await Promise.all([a.close(), b.close()]);
    });
  });
});

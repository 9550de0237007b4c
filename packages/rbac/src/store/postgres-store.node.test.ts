import { ManualClock, memoryLogger, silentLogger } from '@fleetkit/core';
import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { RbacOptions } from '../options.ts';
import { openRbac, type Rbac } from '../rbac.ts';
import { describeRbacStore } from '../testing/store-suite.ts';

/** Waits for a notification or a reload to be handled; the test fails by timeout if it never is. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
}

describeWithPostgres('rbac on postgres', (url) => {
  describeRbacStore('postgres', () => openPostgres({ connectionString: url }));

  describe('several processes on one store', () => {
    const drivers = [openPostgres({ connectionString: url }), openPostgres({ connectionString: url })] as const;
    const extraDrivers: PostgresDriver[] = [];
    const prefixes: string[] = [];
    const freshPrefix = (): string => {
      const prefix = `rbac_n${Math.random().toString(36).slice(2, 8)}_`;
      prefixes.push(prefix);
      return prefix;
    };
    const open = (driver: PostgresDriver, prefix: string, options: Partial<RbacOptions> = {}): Promise<Rbac> =>
      openRbac({
        driver,
        notifier: driver,
        tablePrefix: prefix,
        logger: silentLogger,
        insecureTestPasswordIterations: 1000,
        ...options,
      });
    afterAll(async () => {
      for (const prefix of prefixes) {
        for (const t of ['member_roles', 'members', 'grants', 'users', 'accounts', 'accounts_away'])
          await drivers[0].exec(`DROP TABLE IF EXISTS ${prefix}${t} CASCADE`);
      }
      await Promise.all([...drivers, ...extraDrivers].map((d) => d.close()));
    });

    it('reloads another engine’s grant and revoke when they commit', async () => {
      const prefix = freshPrefix();
      const [a, b] = [await open(drivers[0], prefix), await open(drivers[1], prefix)];
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

    it('retries a failed reload with backoff, fails closed after maxStaleMs, and resumes once a reload succeeds', async () => {
      const prefix = freshPrefix();
      const clock = new ManualClock();
      const logger = memoryLogger();
      const a = await open(drivers[0], prefix, {
        clock,
        logger,
        reloadRetryMs: 100,
        reloadRetryMaxMs: 400,
        maxStaleMs: 1000,
      });
      const b = await open(drivers[1], prefix);
      await b.createAccount({ name: 'acme', adminPassword: 'admin-password' });
      await b.createUser({ name: 'vera', password: 'vera-password' });
      await b.addUserToAccount({ account: 'acme', user: 'vera' });
      await b.addUserToRole({ account: 'acme', user: 'vera', role: 'view' });
      const vera = { user: 'vera', account: 'acme', method: 'exodm:list-devices' };
      const admin = { user: 'acme-admin', account: 'acme', method: 'exodm:list-devices' };
      await eventually(() => a.can(vera).allowed);

      // A's reloads fail while the accounts table is away; B's revoke writes only member_roles
      await drivers[1].exec(`ALTER TABLE ${prefix}accounts RENAME TO ${prefix}accounts_away`);
      await b.removeUserFromRole({ account: 'acme', user: 'vera', role: 'view' });
      const failures = () => logger.records.filter((r) => r.message.startsWith('could not reload'));
      await eventually(() => failures().length === 1);
      expect(failures()[0]!.fields).toMatchObject({
        tablePrefix: prefix,
        attempt: 1,
        retryInMs: 100,
        failingClosed: false,
        error: expect.objectContaining({ code: 'sql-failed' }),
      });
      // within maxStaleMs the last model still answers
      expect(a.can(vera)).toEqual({ allowed: true });
      for (const [wait, attempts] of [
        [100, 2],
        [200, 3],
        [400, 4],
      ] as const) {
        clock.advance(wait);
        await eventually(() => failures().length === attempts);
      }
      expect(failures().map((r) => r.fields.retryInMs)).toEqual([100, 200, 400, 400]);
      expect(a.can(vera)).toEqual({ allowed: true });

      // 1000 ms after the change was announced: every decision is a denial, every login fails
      clock.advance(300);
      expect(a.can(admin)).toEqual({ allowed: false, reason: 'stale-model' });
      expect(a.can(vera)).toEqual({ allowed: false, reason: 'stale-model' });
      expect(await a.authenticate('acme-admin', 'admin-password')).toBeUndefined();
      expect(logger.records.filter((r) => r.level === 'error' && r.message.startsWith('denying'))).toHaveLength(1);

      // the store is back: the next retry reads it, and the revoke made elsewhere is enforced here
      await drivers[1].exec(`ALTER TABLE ${prefix}accounts_away RENAME TO ${prefix}accounts`);
      clock.advance(100);
      await eventually(() => a.can(admin).allowed);
      expect(a.can(vera)).toEqual({ allowed: false, reason: 'no-role' });
      expect(await a.authenticate('acme-admin', 'admin-password')).toBe('acme-admin');
      expect(failures()).toHaveLength(4);
      await Promise.all([a.close(), b.close()]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('listens again after its LISTEN backend is terminated and reloads in full, seeing changes made meanwhile', async () => {
      const prefix = freshPrefix();
      const application = `rbac_listener_${process.pid}`;
      const driverClock = new ManualClock();
      const driverLogger = memoryLogger();
      const driver = openPostgres({
        connectionString: url,
        applicationName: application,
        clock: driverClock,
        logger: driverLogger,
      });
      extraDrivers.push(driver);
      const clock = new ManualClock();
      const a = await open(driver, prefix, { clock, maxStaleMs: 1000 });
      const b = await open(drivers[1], prefix);
      await b.createAccount({ name: 'acme', adminPassword: 'admin-password' });
      await eventually(() => a.hasAccount('acme'));

      const [terminated] = await drivers[1].query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity
          WHERE application_name = $1 AND query = $2`,
        [application, `LISTEN "${prefix}changed"`],
      );
      expect(terminated).toEqual({ ended: true });
      await eventually(() => driverLogger.records.some((r) => r.message.startsWith('lost the LISTEN connection')));

      // nobody listens for A: this grant's notification is lost
      await b.grant({ account: 'acme', role: 'admin', package: 'fleet', rpc: 'fleet:locate' });
      const locate = { user: 'acme-admin', account: 'acme', method: 'fleet:locate', package: 'fleet' };
      expect(a.can(locate)).toEqual({ allowed: false, reason: 'role-lacks-method' });
      // deaf for maxStaleMs: A can no longer vouch for its model
      clock.advance(1000);
      expect(a.can(locate)).toEqual({ allowed: false, reason: 'stale-model' });

      // the driver's wait passes, it listens again, and A reads the whole store
      driverClock.advance(100);
      await eventually(() => a.can(locate).allowed);
      // and hears the next change as before
      await b.revoke({ account: 'acme', role: 'admin', package: 'fleet', rpc: 'fleet:locate' });
      await eventually(() => !a.can(locate).allowed);
      expect(a.can(locate)).toEqual({ allowed: false, reason: 'role-lacks-method' });
      await Promise.all([a.close(), b.close()]);
    });

    it('stops accepting a cached login once another process changes the password', async () => {
      const prefix = freshPrefix();
      const [a, b] = [await open(drivers[0], prefix), await open(drivers[1], prefix)];
      await b.createUser({ name: 'olga', password: 'olga-secret' });
      await eventually(async () => (await a.authenticate('olga', 'olga-secret')) === 'olga');
      await b.setPassword({ user: 'olga', password: 'olga-new-secret' });
      await eventually(async () => (await a.authenticate('olga', 'olga-new-secret')) === 'olga');
      expect(await a.authenticate('olga', 'olga-secret')).toBeUndefined();
      await b.deleteUser('olga');
      await eventually(async () => (await a.authenticate('olga', 'olga-new-secret')) === undefined);
      expect(a.hasUser('olga')).toBe(false);
      await Promise.all([a.close(), b.close()]);
    });
  });
});

import { SeededRandom, type SqlDriver, silentLogger } from '@fleetkit/core';
import { type ContractOptions, contractSuite, whenOpened } from '@fleetkit/core/testing';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Query } from '../decision.ts';
import { RbacErrorCode } from '../errors.ts';
import { openRbac, type Rbac } from '../rbac.ts';
import { ROLES } from '../roles.ts';

/** An engine on tables of its own, and how to open another engine over the same tables (a restart). */
export interface FreshRbac {
  readonly rbac: Rbac;
  /** The prefix of the engine's tables (`<prefix>users`, `<prefix>accounts`…). */
  readonly tablePrefix: string;
  reopen(): Promise<Rbac>;
}

/** What the additional tests of {@link describeRbacStore} work with. */
export interface RbacStoreSuiteContext {
  /** The driver under test; it is opened before the suite's first test, so read it inside a test. */
  readonly driver: SqlDriver;
  /** An engine on fresh tables (a prefix of their own, dropped after the suite). */
  fresh(): Promise<FreshRbac>;
}

/** Options of {@link describeRbacStore}: tests to skip with their reason, and tests of the backend's own. */
export type RbacStoreSuiteOptions = ContractOptions<RbacStoreSuiteContext>;

/**
 * The contract every SQL backend of the RBAC store passes (the pattern of
 * core's `describeSqlDriver`): changes persist, deletions cascade, a failed
 * change leaves nothing behind, concurrent changes land in one order.
 * Each test works in tables of its own prefix and drops them afterwards.
 */
export function describeRbacStore(
  name: string,
  open: () => Promise<SqlDriver> | SqlDriver,
  options: RbacStoreSuiteOptions = {},
): void {
  describe(`RBAC store contract: ${name}`, () => {
    const contract = contractSuite(options);
    const it = contract.test;
    let db: SqlDriver;
    const prefixes: string[] = [];
    let seed = 1;
    const engine = (prefix: string): Promise<Rbac> =>
      openRbac({
        driver: db,
        tablePrefix: prefix,
        random: new SeededRandom(seed++),
        logger: silentLogger,
        insecureTestPasswordIterations: 1000,
      });
    const fresh = async (): Promise<FreshRbac> => {
      const prefix = `rbac_c${Math.random().toString(36).slice(2, 10)}_`;
      prefixes.push(prefix);
      return { rbac: await engine(prefix), tablePrefix: prefix, reopen: () => engine(prefix) };
    };

    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      for (const p of prefixes) {
        for (const t of ['member_roles', 'members', 'grants', 'users', 'accounts'])
          await db.exec(`DROP TABLE IF EXISTS ${p}${t}`);
      }
      await db.close();
    });

    it('reloads accounts, members, roles and grants exactly as they were written', async () => {
      const { rbac, reopen } = await fresh();
      await populate(rbac);
      const again = await reopen();
      expect(snapshot(again)).toEqual(snapshot(rbac));
      expect(again.can({ user: 'carol', account: 'acme', method: 'fleet:locate', package: 'fleet' })).toEqual({
        allowed: true,
      });
      expect(again.can({ user: 'bob', account: 'beta', method: 'exodm:list-devices' })).toEqual({ allowed: true });
    });

    it('persists revocations, removals and deletions', async () => {
      const { rbac, reopen } = await fresh();
      await populate(rbac);
      await rbac.revoke({ account: 'acme', role: 'execute', package: 'fleet', rpc: 'fleet:locate' });
      await rbac.removeUserFromRole({ account: 'acme', user: 'bob', role: 'view' });
      await rbac.removeUserFromAccount({ account: 'beta', user: 'bob' });
      await rbac.deleteUser('carol');
      await rbac.deleteAccount('beta');
      const again = await reopen();
      expect(snapshot(again)).toEqual(snapshot(rbac));
      expect(again.accounts()).toEqual(['acme']);
      expect(again.users()).toEqual(['acme-admin', 'bob']);
      expect(again.membersOf('acme')).toEqual([
        { account: 'acme', user: 'acme-admin', roles: ['admin'] },
        { account: 'acme', user: 'bob', roles: [] },
      ]);
      expect(again.grantsOf('acme')).toEqual([{ package: 'fleet', rpc: 'fleet:locate', roles: ['admin'] }]);
    });

    it('keeps store and memory unchanged when a change fails in the database', async () => {
      const { rbac, reopen } = await fresh();
      // a row the engine has not loaded makes the account's transaction fail half-way
      const other = await reopen();
      await other.createUser({ name: 'late-admin', password: 'password-1' });
      const error = await rbac.createAccount({ name: 'late', adminPassword: 'password-2' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'sql-failed' });
      expect(rbac.hasAccount('late')).toBe(false);
      expect((await reopen()).accounts()).toEqual([]);
    });

    it('rejects bad input with a typed error and writes nothing', async () => {
      const { rbac, reopen } = await fresh();
      await rbac.createAccount({ name: 'acme', adminPassword: 'password-1' });
      await expect(rbac.createAccount({ name: 'acme' })).rejects.toMatchObject({ code: RbacErrorCode.ObjectExists });
      await expect(rbac.createUser({ name: '*bad', password: 'password-1' })).rejects.toMatchObject({
        code: RbacErrorCode.IllegalName,
        details: { path: 'name', got: '*bad' },
      });
      await expect(
        rbac.addUserToRole({ account: 'acme', user: 'acme-admin', role: 'root' as never }),
      ).rejects.toMatchObject({
        code: RbacErrorCode.ValidationFailed,
        details: { path: 'role', got: 'root' },
      });
      await expect(rbac.addUserToRole({ account: 'acme', user: 'acme-admin', role: 'master' })).rejects.toMatchObject({
        code: RbacErrorCode.ValidationFailed,
      });
      await expect(rbac.addUserToRole({ account: 'nope', user: 'acme-admin', role: 'view' })).rejects.toMatchObject({
        code: RbacErrorCode.ObjectNotFound,
        details: { path: 'account', got: 'nope' },
      });
      expect(snapshot(await reopen())).toEqual(snapshot(rbac));
    });

    it('applies concurrent changes to store and memory in the same order', async () => {
      const { rbac, reopen } = await fresh();
      await rbac.createAccount({ name: 'acme', adminPassword: 'password-1' });
      await rbac.createUser({ name: 'dave', password: 'password-1' });
      await rbac.addUserToAccount({ account: 'acme', user: 'dave' });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const spec = { account: 'acme', user: 'dave', role: ROLES[1 + (i % 5)]! };
          return i % 3 === 2 ? rbac.removeUserFromRole(spec) : rbac.addUserToRole(spec);
        }),
      );
      expect(snapshot(await reopen())).toEqual(snapshot(rbac));
    });

    it('shows another engine’s changes after reload', async () => {
      const { rbac, reopen } = await fresh();
      const other = await reopen();
      await other.createAccount({ name: 'acme', adminPassword: 'password-1' });
      const query: Query = { user: 'acme-admin', account: 'acme', method: 'exodm:create-user' };
      expect(rbac.can(query)).toEqual({ allowed: false, reason: 'unknown-user' });
      await rbac.reload();
      expect(rbac.can(query)).toEqual({ allowed: true });
    });

    it('stores salted slow hashes, never the password', async () => {
      const { rbac } = await fresh();
      await rbac.createUser({ name: 'eve', password: 'correct horse' });
      await rbac.createUser({ name: 'fay', password: 'correct horse' });
      const rows = await db.query<{ password_hash: string }>(
        `SELECT password_hash FROM ${prefixes.at(-1)}users ORDER BY name`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.password_hash).toMatch(/^pbkdf2-sha256\$1000\$/);
        expect(row.password_hash).not.toContain('correct horse');
      }
      expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
      expect(await rbac.authenticate('eve', 'correct horse')).toBe('eve');
      expect(await rbac.authenticate('eve', 'wrong horse')).toBeUndefined();
    });

    it('keeps stores with different table prefixes apart', async () => {
      const { rbac: a } = await fresh();
      const { rbac: b } = await fresh();
      await a.createAccount({ name: 'acme', adminPassword: 'password-1' });
      expect(b.accounts()).toEqual([]);
      await b.reload();
      expect(b.accounts()).toEqual([]);
    });

    contract.finish({
      get driver(): SqlDriver {
        return whenOpened(db, 'the driver of the RBAC store contract');
      },
      fresh,
    });
  });
}

async function populate(rbac: Rbac): Promise<void> {
  await rbac.createAccount({ name: 'acme', adminPassword: 'password-1' });
  await rbac.createAccount({ name: 'beta', adminPassword: 'password-2' });
  for (const name of ['bob', 'carol']) await rbac.createUser({ name, password: `${name}-password` });
  for (const account of ['acme', 'beta']) await rbac.addUserToAccount({ account, user: 'bob' });
  await rbac.addUserToAccount({ account: 'acme', user: 'carol' });
  await rbac.addUserToRole({ account: 'acme', user: 'bob', role: 'view' });
  await rbac.addUserToRole({ account: 'beta', user: 'bob', role: 'device' });
  await rbac.addUserToRole({ account: 'acme', user: 'carol', role: 'execute' });
  await rbac.grant({ account: 'acme', role: 'execute', package: 'fleet', rpc: 'fleet:locate' });
  await rbac.grant({ account: 'acme', role: 'admin', package: 'fleet', rpc: 'fleet:locate' });
}

function snapshot(rbac: Rbac): unknown {
  return {
    accounts: rbac.accounts(),
    users: rbac.users(),
    members: rbac.accounts().map((a) => rbac.membersOf(a)),
    grants: rbac.accounts().map((a) => rbac.grantsOf(a)),
  };
}

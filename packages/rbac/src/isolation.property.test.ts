import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openTestRbac } from '../test/engine.ts';
import { TABLE_2 } from './matrix.ts';
import type { Rbac } from './rbac.ts';
import { ROLES, type Role } from './roles.ts';

const USERS = ['u0', 'u1', 'u2', 'u3'];
/** Everyone whose decisions are compared: the users and both account admins. */
const EVERYONE = [...USERS, 'alpha-admin', 'beta-admin'];
const ACCOUNTS = ['alpha', 'beta'];
const PACKAGES = ['fleet', 'meter'];
const RPCS = ['fleet:locate', 'fleet:reboot', 'meter:read'];

/** One change scoped to one account, as the JSON-RPC API can make it. */
type Op =
  | { kind: 'join' | 'leave'; account: string; user: string }
  | { kind: 'add-role' | 'remove-role'; account: string; user: string; role: Role }
  | { kind: 'grant' | 'revoke'; account: string; role: Role; package: string; rpc: string };

const op = (accounts: readonly string[]): fc.Arbitrary<Op> => {
  const account = fc.constantFrom(...accounts);
  const user = fc.constantFrom(...EVERYONE);
  const role = fc.constantFrom(...ROLES);
  return fc.oneof(
    fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), account, user }),
    fc.record({ kind: fc.constantFrom('add-role' as const, 'remove-role' as const), account, user, role }),
    fc.record({
      kind: fc.constantFrom('grant' as const, 'revoke' as const),
      account,
      role,
      package: fc.constantFrom(...PACKAGES),
      rpc: fc.constantFrom(...RPCS),
    }),
  );
};

/** Applies an op; a rejected op (not a member, master outside exodm) must change nothing, which the properties check. */
async function apply(rbac: Rbac, o: Op): Promise<void> {
  const run = async (): Promise<void> => {
    switch (o.kind) {
      case 'join':
        return rbac.addUserToAccount(o);
      case 'leave':
        return rbac.removeUserFromAccount(o);
      case 'add-role':
        return rbac.addUserToRole(o);
      case 'remove-role':
        return rbac.removeUserFromRole(o);
      case 'grant':
        return rbac.grant(o);
      case 'revoke':
        return rbac.revoke(o);
    }
  };
  await run().catch((e: unknown) => {
    if (!(e instanceof Error && 'code' in e && (e.code === 'validation-failed' || e.code === 'object-not-found')))
      throw e;
  });
}

/** Every decision about `accounts`: each user × each built-in method and package RPC. */
function decisions(rbac: Rbac, accounts: readonly string[], users = EVERYONE): string[] {
  const out: string[] = [];
  for (const account of accounts) {
    for (const user of users) {
      for (const { method } of TABLE_2) out.push(describe1(rbac, { user, account, method }));
      for (const pkg of PACKAGES)
        for (const method of RPCS) out.push(describe1(rbac, { user, account, method, package: pkg }));
    }
  }
  return out;
}

function describe1(rbac: Rbac, q: { user: string; account: string; method: string; package?: string }): string {
  const d = rbac.can(q);
  return `${q.account}/${q.user}/${q.package ?? ''}/${q.method}: ${d.allowed ? 'allow' : d.reason}`;
}

async function world(): Promise<Rbac> {
  const rbac = await openTestRbac();
  for (const name of ACCOUNTS) await rbac.createAccount({ name, adminPassword: 'admin-password' });
  for (const name of USERS) await rbac.createUser({ name, password: 'user-password' });
  return rbac;
}

describe('account isolation and revocation (properties)', () => {
  it('no sequence of changes in account alpha changes any decision in account beta', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op(ACCOUNTS), { maxLength: 25 }),
        fc.array(op(['alpha']), { minLength: 1, maxLength: 25 }),
        async (before, inAlpha) => {
          const rbac = await world();
          for (const o of before) await apply(rbac, o);
          const beta = decisions(rbac, ['beta', 'exodm', 'gamma']);
          for (const o of inAlpha) await apply(rbac, o);
          expect(decisions(rbac, ['beta', 'exodm', 'gamma'])).toEqual(beta);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('revoking what was just added restores every previous decision', async () => {
    const inverse = (o: Op): Op | undefined =>
      o.kind === 'join'
        ? { ...o, kind: 'leave' }
        : o.kind === 'add-role'
          ? { ...o, kind: 'remove-role' }
          : o.kind === 'grant'
            ? { ...o, kind: 'revoke' }
            : undefined;
    await fc.assert(
      fc.asyncProperty(fc.array(op(ACCOUNTS), { maxLength: 25 }), op(ACCOUNTS), async (before, change) => {
        const undo = inverse(change);
        fc.pre(undo !== undefined);
        const rbac = await world();
        for (const o of before) await apply(rbac, o);
        const all = decisions(rbac, ACCOUNTS);
        const snapshot = JSON.stringify(ACCOUNTS.map((a) => [rbac.membersOf(a), rbac.grantsOf(a)]));
        // only a change that was not already in effect can be undone by its inverse
        await apply(rbac, change);
        const changed = JSON.stringify(ACCOUNTS.map((a) => [rbac.membersOf(a), rbac.grantsOf(a)])) !== snapshot;
        fc.pre(changed);
        await apply(rbac, undo!);
        expect(decisions(rbac, ACCOUNTS)).toEqual(all);
      }),
      { numRuns: 60 },
    );
  });

  it('denies a user who is in no account everything, whatever else was granted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(ACCOUNTS), { maxLength: 30 }), async (changes) => {
        const rbac = await world();
        await rbac.createUser({ name: 'loner', password: 'user-password' });
        for (const o of changes) await apply(rbac, o);
        const all = decisions(rbac, [...ACCOUNTS, 'exodm'], ['loner']);
        expect(all.length).toBeGreaterThan(0);
        for (const line of all) expect(line).toMatch(/: not-a-member$/);
      }),
      { numRuns: 40 },
    );
  });
});

// The shared policy of the rbac suite: 50 users × 10 accounts × the six roles
// of Table 2 × the Table 2 methods, plus package RPC grants, and one
// deterministic stream of 4,096 requests (docs/sources.md, Performance baselines).
import { SeededRandom } from '@fleetkit/core';
import { ROLES, type Role, TABLE_2 } from '@fleetkit/rbac';

export const ACCOUNTS = ['exodm', ...Array.from({ length: 9 }, (_, i) => `acct${i + 1}`)];
export const USERS = Array.from({ length: 50 }, (_, i) => `user${i}`);
export const PACKAGES = ['fleet', 'meter', 'lock'];
export const RPCS = ['locate', 'reboot', 'read', 'update'];

export interface Assignment {
  readonly user: string;
  readonly account: string;
  readonly role: Role;
}

export interface PackageGrant {
  readonly account: string;
  readonly role: Role;
  readonly package: string;
  readonly rpc: string;
}

export interface Request {
  readonly user: string;
  readonly account: string;
  readonly method: string;
  readonly package?: string;
}

export interface Policy {
  readonly assignments: readonly Assignment[];
  readonly grants: readonly PackageGrant[];
  readonly requests: readonly Request[];
}

/** Every user holds one or two roles in three to five accounts; master only in exodm. */
export function makePolicy(seed = 2026): Policy {
  const random = new SeededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[random.int(xs.length)]!;
  const assignments: Assignment[] = [];
  for (const user of USERS) {
    const accounts = new Set<string>();
    const n = 3 + random.int(3);
    while (accounts.size < n) accounts.add(pick(ACCOUNTS));
    for (const account of accounts) {
      const roles = new Set<Role>();
      const k = 1 + random.int(2);
      while (roles.size < k) {
        const role = pick(ROLES);
        if (role !== 'master' || account === 'exodm') roles.add(role);
      }
      for (const role of roles) assignments.push({ user, account, role });
    }
  }
  const grants: PackageGrant[] = [];
  for (const account of ACCOUNTS) {
    for (const pkg of PACKAGES) {
      for (const rpc of RPCS) {
        for (const role of ['execute', 'admin', 'config'] as const) {
          if (random.float() < 0.5) grants.push({ account, role, package: pkg, rpc: `${pkg}:${rpc}` });
        }
      }
    }
  }
  const requests: Request[] = Array.from({ length: 4096 }, () => {
    const user = pick(USERS);
    const account = pick(ACCOUNTS);
    if (random.float() < 0.7) return { user, account, method: pick(TABLE_2).method };
    const pkg = pick(PACKAGES);
    return { user, account, method: `${pkg}:${pick(RPCS)}`, package: pkg };
  });
  return { assignments, grants, requests };
}

import { ALLOW, DENY, type Decision, type Query } from './decision.ts';
import type { MethodIndex } from './methods.ts';

interface UserEntry {
  passwordHash: string;
  /** account → role bits; a key with 0 bits is a member without a role. */
  readonly accounts: Map<string, number>;
}

interface AccountEntry {
  readonly members: Set<string>;
  /** package → RPC → role bits granted (manual §5.3, §8.5). */
  readonly grants: Map<string, Map<string, number>>;
}

/** One package RPC grant: the roles of an account allowed to call it. */
export interface GrantEntry {
  readonly package: string;
  readonly rpc: string;
  readonly mask: number;
}

/**
 * The in-memory indexes every decision reads. Mutators assume their input was
 * validated and persisted by the caller; they never throw, so memory and the
 * store cannot diverge half-way through an update.
 */
export class RbacModel {
  readonly #users = new Map<string, UserEntry>();
  readonly #accounts = new Map<string, AccountEntry>();
  readonly #methods: MethodIndex;

  constructor(methods: MethodIndex) {
    this.#methods = methods;
  }

  /** The decision for one call; synchronous and allocation-free. */
  can(query: Query): Decision {
    const user = this.#users.get(query.user);
    if (user === undefined) return DENY['unknown-user'];
    const roles = user.accounts.get(query.account);
    if (roles === undefined) return DENY['not-a-member'];
    if (roles === 0) return DENY['no-role'];
    let needed: number | undefined;
    if (query.package === undefined) {
      needed = this.#methods.mask(query.method);
      if (needed === undefined) return DENY['unknown-method'];
    } else {
      needed = this.#accounts.get(query.account)?.grants.get(query.package)?.get(query.method);
    }
    return needed !== undefined && (roles & needed) !== 0 ? ALLOW : DENY['role-lacks-method'];
  }

  hasUser(name: string): boolean {
    return this.#users.has(name);
  }

  hasAccount(name: string): boolean {
    return this.#accounts.has(name);
  }

  passwordHash(user: string): string | undefined {
    return this.#users.get(user)?.passwordHash;
  }

  /** Role bits of a member, or undefined when `user` is not in `account`. */
  roles(user: string, account: string): number | undefined {
    return this.#users.get(user)?.accounts.get(account);
  }

  /** The user's accounts and role bits, sorted by account name. */
  accountsOf(user: string): [account: string, mask: number][] {
    return [...(this.#users.get(user)?.accounts ?? [])].sort(byKey);
  }

  /** The account's members and role bits, sorted by user name. */
  membersOf(account: string): [user: string, mask: number][] {
    const members = this.#accounts.get(account)?.members ?? new Set<string>();
    return [...members].map((u): [string, number] => [u, this.roles(u, account) ?? 0]).sort(byKey);
  }

  accountNames(): string[] {
    return [...this.#accounts.keys()].sort();
  }

  userNames(): string[] {
    return [...this.#users.keys()].sort();
  }

  grantMask(account: string, pkg: string, rpc: string): number {
    return this.#accounts.get(account)?.grants.get(pkg)?.get(rpc) ?? 0;
  }

  grantsOf(account: string): GrantEntry[] {
    const out: GrantEntry[] = [];
    for (const [pkg, rpcs] of this.#accounts.get(account)?.grants ?? []) {
      for (const [rpc, mask] of rpcs) out.push({ package: pkg, rpc, mask });
    }
    return out.sort((a, b) => cmp(a.package, b.package) || cmp(a.rpc, b.rpc));
  }

  putAccount(name: string): void {
    if (!this.#accounts.has(name)) this.#accounts.set(name, { members: new Set(), grants: new Map() });
  }

  dropAccount(name: string): void {
    for (const user of this.#accounts.get(name)?.members ?? []) this.#users.get(user)?.accounts.delete(name);
    this.#accounts.delete(name);
  }

  putUser(name: string, passwordHash: string): void {
    const user = this.#users.get(name);
    if (user === undefined) this.#users.set(name, { passwordHash, accounts: new Map() });
    else user.passwordHash = passwordHash;
  }

  dropUser(name: string): void {
    for (const account of this.#users.get(name)?.accounts.keys() ?? [])
      this.#accounts.get(account)?.members.delete(name);
    this.#users.delete(name);
  }

  /** Sets the member's role bits; `undefined` removes the membership. */
  setRoles(user: string, account: string, mask: number | undefined): void {
    const u = this.#users.get(user);
    const a = this.#accounts.get(account);
    if (u === undefined || a === undefined) return;
    if (mask === undefined) {
      u.accounts.delete(account);
      a.members.delete(user);
    } else {
      u.accounts.set(account, mask);
      a.members.add(user);
    }
  }

  /** Sets the roles granted a package RPC; 0 removes the grant. */
  setGrant(account: string, pkg: string, rpc: string, mask: number): void {
    const grants = this.#accounts.get(account)?.grants;
    if (grants === undefined) return;
    let rpcs = grants.get(pkg);
    if (mask === 0) {
      rpcs?.delete(rpc);
      if (rpcs?.size === 0) grants.delete(pkg);
      return;
    }
    if (rpcs === undefined) {
      rpcs = new Map();
      grants.set(pkg, rpcs);
    }
    rpcs.set(rpc, mask);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byKey(a: [string, number], b: [string, number]): number {
  return cmp(a[0], b[0]);
}

// The three engines of the rbac suite, each loaded with the same policy.
import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openRbac, type Rbac, TABLE_2 } from '@fleetkit/rbac';
import { type CachedEnforcer, type Enforcer, newCachedEnforcer, newEnforcer, newModelFromString } from 'casbin';
import { ACCOUNTS, type Policy, type Request, USERS } from './policy.ts';

/** Ours: the engine on an in-memory SQLite store. */
export async function loadOurs(policy: Policy): Promise<Rbac> {
  // 1 round: hashing speed is not what this suite measures
  const rbac = await openRbac({
    driver: openSqlite({ path: ':memory:' }),
    logger: silentLogger,
    insecureTestPasswordIterations: 1,
  });
  for (const name of ACCOUNTS) await rbac.createAccount({ name, adminPassword: 'bench-password' });
  for (const name of USERS) await rbac.createUser({ name, password: 'bench-password' });
  const joined = new Set<string>();
  for (const a of policy.assignments) {
    if (!joined.has(`${a.user}|${a.account}`)) await rbac.addUserToAccount(a);
    joined.add(`${a.user}|${a.account}`);
    await rbac.addUserToRole(a);
  }
  for (const g of policy.grants) await rbac.grant(g);
  return rbac;
}

// casbin's rbac_with_domains model; obj is the method, act the package
// (`exodm` for built-in methods).
const MODEL = `
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
`;

function casbinRules(policy: Policy): { p: string[][]; g: string[][] } {
  const p: string[][] = [];
  for (const account of ACCOUNTS)
    for (const row of TABLE_2) for (const role of row.roles) p.push([role, account, row.method, 'exodm']);
  for (const gr of policy.grants) p.push([gr.role, gr.account, gr.rpc, gr.package]);
  const g = policy.assignments.map((a) => [a.user, a.role, a.account]);
  return { p, g };
}

async function withPolicy<E extends Enforcer>(e: E, policy: Policy): Promise<E> {
  const { p, g } = casbinRules(policy);
  await e.addPolicies(p);
  await e.addGroupingPolicies(g);
  return e;
}

export async function loadCasbin(policy: Policy): Promise<Enforcer> {
  return withPolicy(await newEnforcer(newModelFromString(MODEL)), policy);
}

export async function loadCachedCasbin(policy: Policy): Promise<CachedEnforcer> {
  return withPolicy(await newCachedEnforcer(newModelFromString(MODEL)), policy);
}

/** The floor: the allowed (method, package) pairs of every member, precomputed into one Set per member. */
export function loadFloor(policy: Policy): (q: Request) => boolean {
  const rolesOf = new Map<string, Set<string>>();
  for (const a of policy.assignments) {
    const key = `${a.user}|${a.account}`;
    rolesOf.set(key, (rolesOf.get(key) ?? new Set()).add(a.role));
  }
  const allowed = new Map<string, Set<string>>();
  for (const [key, roles] of rolesOf) {
    const account = key.slice(key.indexOf('|') + 1);
    const set = new Set<string>();
    for (const row of TABLE_2) if (row.roles.some((r) => roles.has(r))) set.add(row.method);
    for (const g of policy.grants) if (g.account === account && roles.has(g.role)) set.add(`${g.package}|${g.rpc}`);
    allowed.set(key, set);
  }
  return (q) => {
    const set = allowed.get(`${q.user}|${q.account}`);
    return set?.has(q.package === undefined ? q.method : `${q.package}|${q.method}`) ?? false;
  };
}

/**
 * A stricter floor that builds no key: user → account → allowed built-in
 * methods, and → package → allowed RPCs, all precomputed.
 */
export function loadNestedFloor(policy: Policy): (q: Request) => boolean {
  const rolesOf = new Map<string, Map<string, Set<string>>>();
  for (const a of policy.assignments) {
    const accounts = rolesOf.get(a.user) ?? rolesOf.set(a.user, new Map()).get(a.user)!;
    accounts.set(a.account, (accounts.get(a.account) ?? new Set()).add(a.role));
  }
  const allowed = new Map<string, Map<string, { methods: Set<string>; rpcs: Map<string, Set<string>> }>>();
  for (const [user, accounts] of rolesOf) {
    const perAccount = new Map<string, { methods: Set<string>; rpcs: Map<string, Set<string>> }>();
    for (const [account, roles] of accounts) {
      const methods = new Set(TABLE_2.filter((row) => row.roles.some((r) => roles.has(r))).map((row) => row.method));
      const rpcs = new Map<string, Set<string>>();
      for (const g of policy.grants) {
        if (g.account === account && roles.has(g.role))
          rpcs.set(g.package, (rpcs.get(g.package) ?? new Set()).add(g.rpc));
      }
      perAccount.set(account, { methods, rpcs });
    }
    allowed.set(user, perAccount);
  }
  return (q) => {
    const entry = allowed.get(q.user)?.get(q.account);
    if (entry === undefined) return false;
    return q.package === undefined ? entry.methods.has(q.method) : entry.rpcs.get(q.package)?.has(q.method) === true;
  };
}

// Child process of can.alloc.node.test.ts: loads a policy, then runs can()
// many times between two markers so the parent can count the garbage
// collections (--trace-gc) the calls caused.
import { silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { openRbac, type Query, TABLE_2 } from '../src/index.ts';

const rbac = await openRbac({
  driver: openSqlite({ path: ':memory:' }),
  logger: silentLogger,
  insecureTestPasswordIterations: 1,
});
await rbac.createAccount({ name: 'acme', adminPassword: 'probe-password' });
await rbac.createUser({ name: 'vera', password: 'probe-password' });
await rbac.addUserToAccount({ account: 'acme', user: 'vera' });
await rbac.addUserToRole({ account: 'acme', user: 'vera', role: 'execute' });
await rbac.grant({ account: 'acme', role: 'execute', package: 'fleet', rpc: 'fleet:locate' });
const queries: Query[] = [];
for (const user of ['acme-admin', 'vera', 'ghost']) {
  for (const account of ['acme', 'beta']) {
    for (const { method } of TABLE_2) queries.push({ user, account, method });
    queries.push(
      { user, account, method: 'fleet:locate', package: 'fleet' },
      { user, account, method: 'fleet:other', package: 'fleet' },
    );
  }
}
let allowed = 0;
const calls = Number(process.argv[2]);
globalThis.gc?.();
console.log('PROBE-START');
for (let i = 0; i < calls; i++) if (rbac.can(queries[i % queries.length]!).allowed) allowed++;
console.log('PROBE-END', allowed);

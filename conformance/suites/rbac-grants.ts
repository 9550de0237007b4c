import type { Login } from '../runner/backend.ts';
import type { Check } from '../runner/check.ts';
import type { Env } from '../runner/env.ts';
import { ensure, equal, show } from '../runner/expect.ts';
import type { Tenant } from '../runner/tenant.ts';
import { type Fixture, fixtureModule } from './rbac-recipes.ts';
import type { Role } from './rbac-table.ts';

const DENIED = JSON.stringify({ result: 'permission-denied' });

/**
 * Manual §8.5 (and §5.3 `execute`): a package's RPCs are reachable only for
 * roles given execution rights to them, RPC by RPC, in one account.
 */
export function grantChecks(c: {
  env: Env;
  tenant: Tenant;
  other: Tenant;
  users: ReadonlyMap<Role, Login>;
  fixture: Fixture;
}): Check[] {
  const { env, tenant, other, users, fixture } = c;
  const module = `${fixture.run}-fix`;
  const grant = { role: 'execute', 'package-name': module, 'rpc-name': 'ping' };
  const call = (login: Login, rpc: string) =>
    env.backend.call(login, `${module}:${rpc}`, { 'device-id': `${fixture.run}-dev`, note: 'hello' });
  const denied = async (login: Login, rpc: string, what: string): Promise<void> => {
    const reply = await call(login, rpc);
    ensure(
      JSON.stringify(reply.result) === DENIED && reply.error === undefined,
      `${what}: expected exactly ${DENIED}, got ${show(reply.error ?? reply.result)}`,
    );
  };
  const execute = users.get('execute')!;
  return [
    {
      name: '§8.5: without execution rights, a user of role execute cannot call a package RPC',
      run: () => denied(execute, 'ping', `${module}:ping before the grant`),
    },
    {
      name: '§8.5: add-role-execution-permission lets the role call the RPC; the call is accepted as a transaction',
      async run() {
        await tenant.ok('exodm:add-role-execution-permission', grant);
        const reply = await call(execute, 'ping');
        ensure(reply.error === undefined, `${module}:ping failed: ${show(reply.error)}`);
        equal(
          { 'rpc-status': reply.result?.['rpc-status'], final: reply.result?.final },
          { 'rpc-status': 'accepted', final: false },
          `${module}:ping after the grant`,
        );
      },
    },
    {
      name: "§8.5: the rights are per RPC: the package's other RPC stays closed",
      run: () => denied(execute, 'pong', `${module}:pong with rights to ping only`),
    },
    {
      name: '§8.5: the rights are per role: a user of role view still cannot call it',
      run: () => denied(users.get('view')!, 'ping', `${module}:ping as view`),
    },
    {
      name: '§8.5: list-execution-permissions names the role',
      async run() {
        const listed = await tenant.call('exodm:list-execution-permissions', {
          'package-name': module,
          'rpc-name': 'ping',
        });
        ensure(
          JSON.stringify(listed.result?.roles ?? listed.result).includes('"execute"'),
          `execute not listed: ${show(listed.result)}`,
        );
      },
    },
    {
      name: '§8.5: remove-role-execution-permission closes the RPC again',
      async run() {
        await tenant.ok('exodm:remove-role-execution-permission', grant);
        await denied(execute, 'ping', `${module}:ping after the removal`);
      },
    },
    {
      name: '§8.5: rights stay in their account: role execute in another account gains nothing from them',
      async run() {
        await tenant.ok('exodm:add-role-execution-permission', grant);
        const elsewhere = { user: `${fixture.run}-exec-other`, password: fixture.password };
        await other.ok('exodm:create-yang-module', fixtureModule(fixture));
        other.undo('exodm:delete-yang-module', { name: `${module}.yang` });
        await other.ok('exodm:create-device-type', { name: `${fixture.run}-type`, protocol: 'fleetkit-http' });
        other.undo('exodm:delete-device-type', { name: `${fixture.run}-type` });
        await other.ok('exodm:create-device', {
          'device-id': `${fixture.run}-dev`,
          'device-type': `${fixture.run}-type`,
        });
        other.undo('exodm:delete-devices', { 'device-id': [`${fixture.run}-dev`] });
        await other.ok('exodm:create-user', { uname: elsewhere.user, password: fixture.password });
        other.undo('exodm:delete-user', { uname: elsewhere.user });
        await other.ok('exodm:add-user-to-role', { role: 'execute', uname: elsewhere.user });
        await denied(elsewhere, 'ping', `${module}:ping as execute of ${other.account}`);
      },
    },
  ];
}

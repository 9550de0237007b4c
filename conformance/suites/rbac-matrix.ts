import type { Login, Reply } from '../runner/backend.ts';
import { type Check, CheckFailure, Skip } from '../runner/check.ts';
import { show } from '../runner/expect.ts';
import type { Suite } from '../runner/suite.ts';
import { Tenant } from '../runner/tenant.ts';
import { grantChecks } from './rbac-grants.ts';
import { isolationChecks } from './rbac-isolation.ts';
import { type Fixture, fixtureModule, type Home, RECIPES, TARGETS, type Target } from './rbac-recipes.ts';
import { ROLES, type Role, type Row, TABLE_2 } from './rbac-table.ts';

/** The system account's name: the account where the master user holds `master`. */
async function systemAccount(tenant: Tenant): Promise<string> {
  const { backend } = tenant.env;
  const reply = await backend.call(backend.master, 'exodm:list-user-accounts', { uname: backend.master.user });
  const accounts = (reply.result?.accounts ?? []) as { name?: unknown; roles?: unknown }[];
  const home = accounts.find((a) => Array.isArray(a.roles) && a.roles.includes('master')) ?? accounts[0];
  if (typeof home?.name !== 'string') throw new CheckFailure(`cannot tell the master user's account: ${show(reply)}`);
  return home.name;
}

/** Calls the row as `login`, by its printed name and, if the server does not know that one, by its defined name. */
async function callRow(home: Home, login: Login, row: Row, params: Record<string, unknown>): Promise<Reply> {
  const backend = home.tenant.env.backend;
  const withAccount = { account: home.account, ...params };
  const printed = await backend.call(login, row.method, withAccount);
  if (printed.error?.code !== -32601 || row.defined === undefined) return printed;
  return backend.call(login, row.defined, withAccount);
}

/**
 * Manual §8.4 Table 2, every cell over HTTP: each row called by a user
 * holding one role only, for every role; a refusal is exactly
 * `{"result": "permission-denied"}` (docs/server.md). Plus the package RPC
 * grants of §8.5 and the isolation of accounts (§5.1, §8.2).
 */
export const rbacMatrix: Suite = {
  name: 'rbac-matrix',
  title: 'Table 2 (manual §8.4)',
  async plan(env) {
    const tenant = await Tenant.create(env, 'rbac');
    const other = await Tenant.create(env, 'rbac2');
    const system = await systemAccount(tenant);
    const hook = env.listener.endpoint('rbac-hook').url;
    const fixture: Fixture = { run: env.run, password: env.password, hook };
    // master is a role of the system account only: its cells act there, as the master user
    const homes: Record<'system' | 'tenant', Home> = {
      system: { account: system, admin: env.backend.master, tenant },
      tenant: { account: tenant.account, admin: tenant.admin, tenant },
    };
    const homeOf = (role: Role): Home => (role === 'master' ? homes.system : homes.tenant);

    // the objects every row works on, in both homes
    for (const home of Object.values(homes)) {
      const make = (method: string, params: Record<string, unknown>, undo?: [string, Record<string, unknown>]) =>
        makeIn(home, method, params, undo);
      await make('exodm:create-yang-module', fixtureModule(fixture), [
        'exodm:delete-yang-module',
        { name: `${env.run}-fix.yang` },
      ]);
      await make('exodm:create-device-type', { name: `${env.run}-type`, protocol: 'fleetkit-http' }, [
        'exodm:delete-device-type',
        { name: `${env.run}-type` },
      ]);
      for (const id of [`${env.run}-dev`, `${env.run}-dev-2`]) {
        await make('exodm:create-device', { 'device-id': id, 'device-type': `${env.run}-type` }, [
          'exodm:delete-devices',
          { 'device-id': [id] },
        ]);
      }
      await make('exodm:create-device-group', { 'group-name': `${env.run}-group`, 'notification-url': hook }, [
        'exodm:delete-device-group',
        { 'group-name': `${env.run}-group` },
      ]);
      await make('exodm:add-device-group-members', {
        'group-name': `${env.run}-group`,
        'device-id': [`${env.run}-dev-2`],
      });
      await make('exodm:create-config-set', { name: `${env.run}-set`, yang: `${env.run}-fix.yang` }, [
        'exodm:delete-config-set',
        { name: `${env.run}-set` },
      ]);
      await make('exodm:add-config-set-members', {
        name: `${env.run}-set`,
        'device-id': [`${env.run}-dev`, `${env.run}-dev-2`],
      });
      await make('exodm:create-user', { uname: `${env.run}-pal-${home.account}`, password: env.password }, [
        'exodm:delete-user',
        { uname: `${env.run}-pal-${home.account}` },
      ]);
    }
    // one user per role but master, holding that role only
    const users = new Map<Role, Login>([['master', env.backend.master]]);
    for (const role of ROLES.filter((r) => r !== 'master')) {
      const uname = `${env.run}-only-${role}`;
      await makeIn(homes.tenant, 'exodm:create-user', { uname, password: env.password }, [
        'exodm:delete-user',
        { uname },
      ]);
      await makeIn(homes.tenant, 'exodm:add-user-to-role', { role, uname });
      users.set(role, { user: uname, password: env.password });
    }
    // what the destructive rows act on: one per role the row allows, one shared by the refused cells
    for (const row of TABLE_2) {
      const target = TARGETS[row.method];
      if (target === undefined) continue;
      for (const role of [...row.roles.filter((r) => r !== 'execute'), undefined]) {
        const home = role === undefined ? homes.tenant : homeOf(role);
        await createTarget(target, {
          home,
          system: homes.system,
          other,
          fixture,
          name: targetName(env.run, row.method, role),
        });
      }
    }

    const cells: Check[] = TABLE_2.flatMap((row) =>
      ROLES.map((role) => {
        const allowed = row.roles.includes(role);
        return {
          name: `Table 2: ${row.method} as ${role} is ${allowed ? 'allowed' : 'refused'}`,
          async run() {
            const home = homeOf(role);
            const recipe = RECIPES[row.method];
            if (recipe === undefined) throw new CheckFailure(`no recipe for ${row.method}`);
            const params = recipe({
              ...fixture,
              home: home.account,
              target: targetName(env.run, row.method, allowed ? role : undefined),
            });
            const reply = await callRow(home, users.get(role)!, row, params);
            decide(reply, row, allowed);
          },
        };
      }),
    );
    const checks: Check[] = [
      ...cells,
      ...grantChecks({ env, tenant, other, users, fixture }),
      ...isolationChecks({ env, tenant, other, fixture }),
    ];
    return {
      checks,
      async dispose() {
        // this account's undo steps take the other account's users out of the system account first
        await tenant.dispose();
        await other.dispose();
      },
    };
  },
};

/** The name of the object a destructive row's cell acts on (`undefined`: the refused cells' shared one). */
export function targetName(run: string, method: string, role: Role | undefined): string {
  return `${run}-${method.slice('exodm:'.length)}-${role ?? 'refused'}`;
}

/** Makes something in a home account as its administrator, and remembers how to delete it. */
async function makeIn(
  home: Home,
  method: string | undefined,
  params: Record<string, unknown>,
  undo?: [string, Record<string, unknown>],
) {
  if (method !== undefined) await home.tenant.env.backend.ok(home.admin, method, { account: home.account, ...params });
  if (undo !== undefined) home.tenant.undo(undo[0], { account: home.account, ...undo[1] }, home.admin);
}

async function createTarget(target: Target, where: Parameters<Target>[0]): Promise<void> {
  for (const [home, method, params, undo] of target(where)) await makeIn(home, method, params, undo);
}

function decide(reply: Reply, row: Row, allowed: boolean): void {
  if (reply.error?.code === -32601)
    throw new Skip(`the server has no ${row.method}${row.defined === undefined ? '' : ` (nor ${row.defined})`}`);
  if (!allowed) {
    if (JSON.stringify(reply.result) === JSON.stringify({ result: 'permission-denied' }) && reply.error === undefined)
      return;
    throw new CheckFailure(`expected exactly {"result":"permission-denied"}, got ${show(reply.error ?? reply.result)}`);
  }
  if (reply.error !== undefined) throw new CheckFailure(`an allowed call failed: ${show(reply.error)}`);
  if (reply.result?.result === 'permission-denied')
    throw new CheckFailure('an allowed call was refused: permission-denied');
}

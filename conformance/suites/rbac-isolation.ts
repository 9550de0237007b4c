import type { Reply } from '../runner/backend.ts';
import type { Check } from '../runner/check.ts';
import type { Env } from '../runner/env.ts';
import { ensure, equal, show } from '../runner/expect.ts';
import type { Tenant } from '../runner/tenant.ts';
import type { Fixture } from './rbac-recipes.ts';

/** A device's description as lookup-device answers it (the 1.x members, or the 2.x `devices` list). */
function description(reply: Reply): unknown {
  const result = reply.result ?? {};
  const [first] = (result.devices ?? []) as Record<string, unknown>[];
  return first?.description ?? result.description;
}

/**
 * Manual §5.1 and §8.2: an account owns its devices, groups and data; a
 * user acts only on the accounts it belongs to, and another account's ids
 * are as if they did not exist.
 */
export function isolationChecks(c: { env: Env; tenant: Tenant; other: Tenant; fixture: Fixture }): Check[] {
  const { env, tenant, other, fixture } = c;
  const theirs = `${fixture.run}-their-dev`;
  const shared = `${fixture.run}-dev`;
  const module = `${fixture.run}-fix`;
  let ready: Promise<void> | undefined;
  // the other account's objects: made once, by the first check that needs them
  const prepare = (): Promise<void> => {
    ready ??= (async () => {
      await other.ok('exodm:create-device', {
        'device-id': theirs,
        'device-type': `${fixture.run}-type`,
        description: 'theirs',
      });
      other.undo('exodm:delete-devices', { 'device-id': [theirs] });
      await other.ok('exodm:update-device', { 'device-id': shared, description: 'the other account' });
      await tenant.ok('exodm:update-device', { 'device-id': shared, description: 'this account' });
      await other.ok('exodm:update-config-data', { 'device-id': theirs, module, values: { settings: { level: 7 } } });
      await other.ok('exodm:update-config-data', { 'device-id': shared, module, values: { settings: { level: 7 } } });
      await tenant.ok('exodm:add-role-execution-permission', {
        role: 'admin',
        'package-name': module,
        'rpc-name': 'ping',
      });
    })();
    return ready;
  };
  const notOk = (reply: Reply, what: string): void =>
    ensure(reply.result?.result !== 'ok' || reply.error !== undefined, `${what} succeeded: ${show(reply.result)}`);
  const mentions = (reply: Reply, id: string): boolean => JSON.stringify(reply.result ?? {}).includes(`"${id}"`);

  return [
    {
      name: "§8.2: an account's admin naming another account is refused and sees nothing of it",
      async run() {
        await prepare();
        const reply = await tenant.call('exodm:list-devices', { account: other.account, n: 100 });
        notOk(reply, `list-devices of ${other.account} by ${tenant.admin.user}`);
        ensure(!mentions(reply, theirs), `the other account's device was listed: ${show(reply.result)}`);
      },
    },
    {
      name: "§5.4: another account's device does not exist for this account",
      async run() {
        await prepare();
        notOk(
          await tenant.call('exodm:lookup-device', { 'device-id': theirs }),
          "lookup-device of the other account's device",
        );
        const listed = await tenant.call('exodm:list-devices', { n: 100 });
        ensure(!mentions(listed, theirs), `list-devices shows the other account's device: ${show(listed.result)}`);
      },
    },
    {
      name: '§5.4: device ids are unique per account: the same id names a device in each',
      async run() {
        await prepare();
        equal(
          description(await tenant.call('exodm:lookup-device', { 'device-id': shared })),
          'this account',
          'this account sees',
        );
        equal(
          description(await other.call('exodm:lookup-device', { 'device-id': shared })),
          'the other account',
          'the other account sees',
        );
      },
    },
    {
      name: "§5.1: another account's device cannot be changed or deleted, and stays as it was",
      async run() {
        await prepare();
        notOk(
          await tenant.call('exodm:update-device', { 'device-id': theirs, description: 'taken over' }),
          'update-device',
        );
        notOk(await tenant.call('exodm:delete-devices', { 'device-id': [theirs] }), 'delete-devices');
        equal(
          description(await other.call('exodm:lookup-device', { 'device-id': theirs })),
          'theirs',
          "the other account's device",
        );
      },
    },
    {
      name: "§8.2: a device RPC to another account's device is not queued (device-not-found)",
      async run() {
        await prepare();
        const reply = await tenant.call(`${module}:ping`, { 'device-id': theirs, note: 'hello' });
        ensure(reply.result?.['rpc-status'] !== 'accepted', `the RPC was accepted: ${show(reply.result)}`);
        equal(reply.result?.result, 'device-not-found', 'answer');
      },
    },
    {
      name: "§7.1: another account's configuration data can be neither read nor written",
      async run() {
        await prepare();
        const read = await tenant.call('exodm:read-config-data', { 'device-id': theirs, module, area: 'staged' });
        ensure(
          !JSON.stringify(read.result ?? {}).includes('"level":7'),
          `the other account's values were read: ${show(read.result)}`,
        );
        notOk(
          await tenant.call('exodm:update-config-data', {
            'device-id': theirs,
            module,
            values: { settings: { level: 1 } },
          }),
          'update-config-data',
        );
        const mine = await tenant.call('exodm:read-config-data', { 'device-id': shared, module, area: 'staged' });
        ensure(
          !JSON.stringify(mine.result ?? {}).includes('"level":7'),
          `this account's ${shared} shows the other account's values: ${show(mine.result)}`,
        );
        const staged = await other.call('exodm:read-config-data', { 'device-id': theirs, module, area: 'staged' });
        equal(staged.result?.values, { settings: { level: 7 } }, "the other account's staged values");
      },
    },
    {
      name: '§8.2: a user cannot act on an account it does not belong to, by param or by login',
      async run() {
        await prepare();
        const byParam = await other.call('exodm:list-devices', { account: tenant.account, n: 100 });
        notOk(byParam, `list-devices of ${tenant.account} by ${other.admin.user}`);
        ensure(
          !mentions(byParam, shared) || !mentions(byParam, `${fixture.run}-dev-2`),
          `this account's devices were listed: ${show(byParam.result)}`,
        );
        const login = { user: `*${tenant.account}*${other.admin.user}`, password: other.admin.password };
        const byLogin = await env.backend.call(login, 'exodm:list-devices', { n: 100 });
        ensure(
          byLogin.status === 401 || byLogin.result?.result !== 'ok',
          `the login ${login.user} listed devices: ${show(byLogin.result)}`,
        );
      },
    },
  ];
}

import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { deleteMbloxParameters } from './mblox.ts';
import { method, type ServerMethod } from './method.ts';
import { pageKeys, paging } from './paging.ts';
import { idString } from './params.ts';
import { saveProfile, userProfileParams } from './users.ts';

/** Accounts (manual §5.1; the 1.x `create-account` shape of exodm.md §1). Only `master` reaches these. */
export function accountMethods(server: ServerContext): ServerMethod[] {
  const { rbac } = server;
  return [
    method('exodm:create-account', {
      summary: 'Creates an account and its admin user <name>-admin (manual §5.1)',
      params: v.object({ name: idString, uname: v.optional(idString), ...userProfileParams, password: v.string() }),
      handler: async (p) => {
        if (rbac.hasAccount(p.name)) fail(ResultCode.ObjectExists, `account ${p.name} exists`);
        if (p.uname !== undefined && rbac.hasUser(p.uname)) fail(ResultCode.ObjectExists, `user ${p.uname} exists`);
        const created = await rbac.createAccount({ name: p.name, adminPassword: p.password });
        await saveProfile(server, created.admin, p);
        // the real 1.x example names <name>-admin itself as uname: the user just made, not a second one
        if (p.uname !== undefined && p.uname !== created.admin) {
          // the 1.x API names the account's first user; it administers the account beside <name>-admin
          await rbac.createUser({ name: p.uname, password: p.password });
          await rbac.addUserToAccount({ account: p.name, user: p.uname });
          await rbac.addUserToRole({ account: p.name, user: p.uname, role: 'admin' });
          await saveProfile(server, p.uname, p);
        }
        return { result: ResultCode.Ok, 'account-admin': created.admin };
      },
    }),
    method('exodm:update-account', {
      summary: 'Accepted for the 1.x API; an account has no changeable properties',
      params: v.object({ name: idString }),
      handler: (p) => {
        if (!rbac.hasAccount(p.name)) fail(ResultCode.ObjectNotFound, `account ${p.name} does not exist`);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-account', {
      summary: 'Deletes an account that owns no devices, groups, types or modules',
      params: v.object({ name: idString }),
      handler: async (p) => {
        if (!rbac.hasAccount(p.name)) fail(ResultCode.ObjectNotFound, `account ${p.name} does not exist`);
        if (await ownsObjects(server, p.name)) fail(ResultCode.ObjectNotEmpty, `account ${p.name} still owns objects`);
        await rbac.deleteAccount(p.name);
        // settings are no objects that keep an account alive, but a later account of that name must not inherit them
        await deleteMbloxParameters(server.db, p.name);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:lookup-account', {
      summary: 'Tells whether an account exists',
      params: v.object({ name: idString }),
      handler: (p) => {
        if (!rbac.hasAccount(p.name)) fail(ResultCode.ObjectNotFound, `account ${p.name} does not exist`);
        return { result: ResultCode.Ok, accounts: [{ name: p.name }] };
      },
    }),
    method('exodm:list-accounts', {
      summary: 'Lists accounts, n after previous',
      params: v.object({ ...paging }),
      handler: (p) => ({
        result: ResultCode.Ok,
        accounts: pageKeys(rbac.accounts(), (name) => name, p).map((name) => ({ name })),
      }),
    }),
  ];
}

/** True when the account still owns a device, group, device type, YANG module or config set. */
async function ownsObjects(server: ServerContext, account: string): Promise<boolean> {
  const rows = await server.db.query(
    `SELECT 1 FROM srv_devices WHERE account = $1
     UNION ALL SELECT 1 FROM srv_groups WHERE account = $1
     UNION ALL SELECT 1 FROM srv_device_types WHERE account = $1
     UNION ALL SELECT 1 FROM srv_yang_modules WHERE account = $1
     UNION ALL SELECT 1 FROM srv_config_sets WHERE account = $1
     LIMIT 1`,
    [account],
  );
  return rows.length > 0;
}

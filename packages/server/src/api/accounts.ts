import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { deleteMbloxParameters } from './mblox.ts';
import { method, type ServerMethod } from './method.ts';
import { pageKeys, paging } from './paging.ts';
import { account, idString } from './params.ts';
import { saveProfile, userProfileParams } from './users.ts';

/** Accounts (manual §5.1; the 1.x `create-account` shape of docs/sources.md, the real exodm server item 1). Only `master` reaches these. */
export function accountMethods(server: ServerContext): ServerMethod[] {
  const { rbac } = server;
  return [
    method('exodm:create-account', {
      summary: 'Creates an account and its admin user <name>-admin (manual §5.1)',
      params: v.object({
        account,
        name: idString,
        uname: v.optional(idString),
        ...userProfileParams,
        password: v.string(),
      }),
      handler: async (p) => {
        if (rbac.hasAccount(p.name)) fail(ResultCode.ObjectExists, `account ${p.name} exists`);
        // the 1.x API names the account's first user, who administers it beside <name>-admin; the real
        // example names <name>-admin itself, which is the admin made with the account, not a second user
        const first = p.uname === `${p.name}-admin` ? undefined : p.uname;
        if (first !== undefined && rbac.hasUser(first)) fail(ResultCode.ObjectExists, `user ${first} exists`);
        // made first, so that a name or password rbac refuses leaves no account behind
        if (first !== undefined) await rbac.createUser({ name: first, password: p.password });
        let created: Awaited<ReturnType<typeof rbac.createAccount>>;
        try {
          created = await rbac.createAccount({ name: p.name, adminPassword: p.password });
        } catch (error) {
          if (first !== undefined) await rbac.deleteUser(first);
          throw error;
        }
        await saveProfile(server, created.admin, p);
        if (first !== undefined) {
          await rbac.addUserToAccount({ account: p.name, user: first });
          await rbac.addUserToRole({ account: p.name, user: first, role: 'admin' });
          await saveProfile(server, first, p);
        }
        return { result: ResultCode.Ok, 'account-admin': created.admin };
      },
    }),
    method('exodm:update-account', {
      summary: 'Accepted for the 1.x API; an account has no changeable properties',
      params: v.object({ account, name: idString }),
      handler: (p) => {
        if (!rbac.hasAccount(p.name)) fail(ResultCode.ObjectNotFound, `account ${p.name} does not exist`);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-account', {
      summary: 'Deletes an account that owns no devices, groups, types, modules, config sets or packages',
      params: v.object({ account, name: idString }),
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
      params: v.object({ account, name: idString }),
      handler: (p) => {
        if (!rbac.hasAccount(p.name)) fail(ResultCode.ObjectNotFound, `account ${p.name} does not exist`);
        return { result: ResultCode.Ok, accounts: [{ name: p.name }] };
      },
    }),
    method('exodm:list-accounts', {
      summary: 'Lists accounts, n after previous',
      params: v.object({ account, ...paging }),
      handler: (p) => ({
        result: ResultCode.Ok,
        accounts: pageKeys(rbac.accounts(), (name) => name, p).map((name) => ({ name })),
      }),
    }),
  ];
}

/** True when the account still owns a device, group, device type, YANG module, config set or package (even one still uploading). */
async function ownsObjects(server: ServerContext, account: string): Promise<boolean> {
  const rows = await server.db.query(
    `SELECT 1 FROM srv_devices WHERE account = $1
     UNION ALL SELECT 1 FROM srv_groups WHERE account = $1
     UNION ALL SELECT 1 FROM srv_device_types WHERE account = $1
     UNION ALL SELECT 1 FROM srv_yang_modules WHERE account = $1
     UNION ALL SELECT 1 FROM srv_config_sets WHERE account = $1
     UNION ALL SELECT 1 FROM srv_packages WHERE account = $1
     LIMIT 1`,
    [account],
  );
  return rows.length > 0;
}

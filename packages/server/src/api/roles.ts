import { isRole, type Role } from '@fleetkit/rbac';
import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { pageKeys, paging } from './paging.ts';
import { idString } from './params.ts';

const role = v.pipe(
  v.string(),
  v.check((value) => isRole(value), 'a role: master, admin, view, device, config or execute'),
);
const rpcName = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

/**
 * The users named by a call: 2.x `uname` or `names`/`unames` (1..10, the
 * real server's limit), or the 1.x `unames` list.
 */
const userNames = {
  uname: v.optional(idString),
  names: v.optional(v.pipe(v.array(idString), v.minLength(1), v.maxLength(10))),
  unames: v.optional(v.pipe(v.array(idString), v.minLength(1), v.maxLength(10))),
};

function namedUsers(p: { uname?: string | undefined; names?: string[] | undefined; unames?: string[] | undefined }) {
  const all = [...(p.uname === undefined ? [] : [p.uname]), ...(p.names ?? []), ...(p.unames ?? [])];
  if (all.length === 0) fail(ResultCode.MissingOption, 'name the users with uname, names or unames');
  return [...new Set(all)];
}

/** The package and RPC of an execution permission, in the 2.x or the 1.x spelling. */
const permissionTarget = {
  'package-name': v.optional(idString),
  'rpc-name': v.optional(rpcName),
  repository: v.optional(v.string()),
  name: v.optional(v.string()),
  modulename: v.optional(v.string()),
  rpcname: v.optional(rpcName),
};

function grantOf(p: {
  'package-name'?: string | undefined;
  'rpc-name'?: string | undefined;
  name?: string | undefined;
  modulename?: string | undefined;
  rpcname?: string | undefined;
}): { package: string; rpc: string } {
  // 1.x names the module file (`rfzone.yang`); the package of a 1.x module is its name without `.yang`
  const pkg = p['package-name'] ?? (p.name ?? p.modulename)?.replace(/\.yang$/, '');
  const rpc = p['rpc-name'] ?? p.rpcname;
  if (pkg === undefined) return fail(ResultCode.MissingOption, 'name the package with package-name');
  if (rpc === undefined) return fail(ResultCode.MissingOption, 'name the RPC with rpc-name');
  // the manual writes the RPC with its module prefix ("fleetmanager:get-position"); both spellings mean one grant
  return { package: pkg, rpc: rpc.includes(':') ? rpc : `${pkg}:${rpc}` };
}

function requireMember(server: ServerContext, call: Call, user: string): void {
  if (!server.rbac.membersOf(call.account).some((m) => m.user === user)) {
    fail(ResultCode.ObjectNotFound, `user ${user} is not a member of account ${call.account}`);
  }
}

/** Account membership, roles, and execution permissions of package RPCs (manual §5.3, §6.1, §8.5). */
export function roleMethods(server: ServerContext): ServerMethod[] {
  const { rbac } = server;
  return [
    method('exodm:add-user-to-account', {
      summary: 'Makes users members of the calling account, optionally with a role (1.x add-account-users)',
      params: v.object({ account: v.optional(idString), role: v.optional(role), ...userNames }),
      handler: async (p, call) => {
        const users = namedUsers(p);
        for (const user of users)
          if (!rbac.hasUser(user)) fail(ResultCode.ObjectNotFound, `user ${user} does not exist`);
        for (const user of users) {
          await rbac.addUserToAccount({ account: call.account, user });
          if (p.role !== undefined) await rbac.addUserToRole({ account: call.account, user, role: p.role as Role });
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-user-from-account', {
      summary: 'Removes users from the calling account',
      params: v.object({ account: v.optional(idString), role: v.optional(role), ...userNames }),
      handler: async (p, call) => {
        for (const user of namedUsers(p)) {
          requireMember(server, call, user);
          await rbac.removeUserFromAccount({ account: call.account, user });
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-account-users', {
      summary: 'The members of the calling account with their roles, n after previous',
      params: v.object({ account: v.optional(idString), ...paging }),
      handler: (p, call) => ({
        result: ResultCode.Ok,
        users: pageKeys(rbac.membersOf(call.account), (m) => m.user, p).map((m) => ({ name: m.user, roles: m.roles })),
      }),
    }),
    method('exodm:list-account-roles', {
      summary: 'The roles that exist in the calling account',
      params: v.object({ account: v.optional(idString), ...paging }),
      handler: (p, call) => {
        const roles =
          call.account === 'exodm'
            ? ['master', 'admin', 'view', 'device', 'config', 'execute']
            : ['admin', 'view', 'device', 'config', 'execute'];
        return { result: ResultCode.Ok, roles: pageKeys(roles, (r) => r, p) };
      },
    }),
    method('exodm:add-user-to-role', {
      summary: 'Gives members of the calling account a role there',
      params: v.object({ account: v.optional(idString), role, ...userNames }),
      handler: async (p, call) => {
        const users = namedUsers(p);
        for (const user of users) requireMember(server, call, user);
        for (const user of users) await rbac.addUserToRole({ account: call.account, user, role: p.role as Role });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-user-from-role', {
      summary: 'Takes a role in the calling account from members',
      params: v.object({ account: v.optional(idString), role, ...userNames }),
      handler: async (p, call) => {
        const users = namedUsers(p);
        for (const user of users) requireMember(server, call, user);
        for (const user of users) await rbac.removeUserFromRole({ account: call.account, user, role: p.role as Role });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:add-role-execution-permission', {
      summary: "Lets a role's members call a package RPC on the account's devices (§5.3, §8.5)",
      params: v.object({ account: v.optional(idString), role, ...permissionTarget }),
      handler: async (p, call) => {
        await rbac.grant({ account: call.account, role: p.role as Role, ...grantOf(p) });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:remove-role-execution-permission', {
      summary: 'Withdraws a package RPC from a role',
      params: v.object({ account: v.optional(idString), role, ...permissionTarget }),
      handler: async (p, call) => {
        await rbac.revoke({ account: call.account, role: p.role as Role, ...grantOf(p) });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:list-execution-permissions', {
      summary: 'The roles that may call a package RPC (2.x list-rpc-roles)',
      params: v.object({
        account: v.optional(idString),
        ...permissionTarget,
        n: v.optional(paging.n, 1000),
        previous: paging.previous,
        direction: paging.direction,
      }),
      handler: (p, call) => ({
        result: ResultCode.Ok,
        roles: pageKeys(rbac.rpcRoles({ account: call.account, ...grantOf(p) }), (r) => r, p),
      }),
    }),
  ];
}

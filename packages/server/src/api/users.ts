import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { fail, ResultCode } from '../result-code.ts';
import { readJson } from '../store/json.ts';
import { addTables } from '../store/schema.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { pageKeys, paging } from './paging.ts';
import { idString } from './params.ts';

// users are global (manual §5.2); rbac keeps names, passwords and roles, this table the 1.x profile fields
addTables(`CREATE TABLE IF NOT EXISTS srv_user_profiles (uname TEXT PRIMARY KEY, profile TEXT NOT NULL)`);

/** The 1.x user object fields (docs/sources.md, the real exodm server item 1 `create-user`). */
export const userProfileParams = {
  email: v.optional(v.pipe(v.string(), v.maxLength(256))),
  fullname: v.optional(v.pipe(v.string(), v.maxLength(256))),
  phone: v.optional(v.pipe(v.string(), v.maxLength(64))),
  skype: v.optional(v.pipe(v.string(), v.maxLength(64))),
  alias: v.optional(v.array(v.pipe(v.string(), v.maxLength(64)))),
};

type Profile = {
  email?: string | undefined;
  fullname?: string | undefined;
  phone?: string | undefined;
  skype?: string | undefined;
  alias?: string[] | undefined;
};

/** Stores a user's profile fields (replacing what was there). */
export async function saveProfile(server: ServerContext, uname: string, fields: Profile): Promise<void> {
  const profile: Profile = {};
  for (const key of ['email', 'fullname', 'phone', 'skype', 'alias'] as const) {
    if (fields[key] !== undefined) (profile as Record<string, unknown>)[key] = fields[key];
  }
  await server.db.run(
    `INSERT INTO srv_user_profiles (uname, profile) VALUES ($1, $2)
     ON CONFLICT (uname) DO UPDATE SET profile = excluded.profile`,
    [uname, JSON.stringify(profile)],
  );
}

async function loadProfile(server: ServerContext, uname: string): Promise<Profile> {
  const rows = await server.db.query<{ profile: string }>('SELECT profile FROM srv_user_profiles WHERE uname = $1', [
    uname,
  ]);
  return readJson<Profile>(rows[0]?.profile, {});
}

/**
 * A user the caller may see or change: a member of the caller's account, or
 * the caller. Users of other accounts are reported as not found, so that no
 * account learns about another's users beyond name collisions on create.
 */
function visibleUser(server: ServerContext, call: Call, uname: string): void {
  if (uname === call.user) return;
  if (!server.rbac.membersOf(call.account).some((m) => m.user === uname)) {
    fail(ResultCode.ObjectNotFound, `user ${uname} is not a member of account ${call.account}`);
  }
}

/** Users (manual §5.2) and their account memberships. */
export function userMethods(server: ServerContext): ServerMethod[] {
  const { rbac } = server;
  return [
    method('exodm:create-user', {
      summary: 'Creates a user and makes it a member of the calling account',
      params: v.object({ uname: idString, password: v.string(), account: v.optional(idString), ...userProfileParams }),
      handler: async (p, call) => {
        if (rbac.hasUser(p.uname)) fail(ResultCode.ObjectExists, `user ${p.uname} exists`);
        await rbac.createUser({ name: p.uname, password: p.password });
        await rbac.addUserToAccount({ account: call.account, user: p.uname });
        await saveProfile(server, p.uname, p);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:update-user', {
      summary: "Changes a user's password and profile fields",
      params: v.object({
        uname: idString,
        password: v.optional(v.string()),
        account: v.optional(idString),
        ...userProfileParams,
      }),
      handler: async (p, call) => {
        if (!rbac.hasUser(p.uname)) fail(ResultCode.ObjectNotFound, `user ${p.uname} does not exist`);
        visibleUser(server, call, p.uname);
        if (p.password !== undefined) await rbac.setPassword({ user: p.uname, password: p.password });
        await saveProfile(server, p.uname, { ...(await loadProfile(server, p.uname)), ...p });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-user', {
      summary: 'Deletes a user that belongs to no account but the calling one',
      params: v.object({ uname: idString, account: v.optional(idString) }),
      handler: async (p, call) => {
        if (!rbac.hasUser(p.uname)) fail(ResultCode.ObjectNotFound, `user ${p.uname} does not exist`);
        visibleUser(server, call, p.uname);
        const others = rbac.accountsOf(p.uname).filter((m) => m.account !== call.account);
        if (others.length > 0) fail(ResultCode.ObjectNotEmpty, `user ${p.uname} also belongs to other accounts`);
        await rbac.deleteUser(p.uname);
        await server.db.run('DELETE FROM srv_user_profiles WHERE uname = $1', [p.uname]);
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:lookup-user', {
      summary: 'A user of the calling account (or the caller) with its profile',
      params: v.object({ uname: idString, account: v.optional(idString) }),
      handler: async (p, call) => {
        if (!rbac.hasUser(p.uname)) fail(ResultCode.ObjectNotFound, `user ${p.uname} does not exist`);
        visibleUser(server, call, p.uname);
        return { result: ResultCode.Ok, users: [{ uname: p.uname, ...(await loadProfile(server, p.uname)) }] };
      },
    }),
    method('exodm:list-users', {
      summary: 'Lists the users of the calling account, n after previous',
      params: v.object({ ...paging, account: v.optional(idString) }),
      handler: (p, call) => ({
        result: ResultCode.Ok,
        users: pageKeys(rbac.membersOf(call.account), (m) => m.user, p).map((m) => ({ uname: m.user })),
      }),
    }),
    method('exodm:list-user-accounts', {
      summary: 'The accounts of a user of the calling account, with its roles in each visible one',
      params: v.object({ uname: idString, account: v.optional(idString) }),
      handler: (p, call) => {
        visibleUser(server, call, p.uname);
        // a user's other accounts are theirs to see, not another account admin's
        const memberships = rbac.accountsOf(p.uname).filter((m) => p.uname === call.user || m.account === call.account);
        return { result: ResultCode.Ok, accounts: memberships.map((m) => ({ name: m.account, roles: m.roles })) };
      },
    }),
  ];
}

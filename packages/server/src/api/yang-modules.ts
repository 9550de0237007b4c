import * as v from 'valibot';
import type { ServerContext } from '../context.ts';
import { modulesOf } from '../modules.ts';
import { packagesUsingModule, packagesUsingSystemModule } from '../packages/module-data.ts';
import { fail, ResultCode } from '../result-code.ts';
import { configSetsUsing } from '../store/config-sets.ts';
import { findModule, listModules, type Repository } from '../store/modules.ts';
import { type Call, method, type ServerMethod } from './method.ts';
import { pageClause, paging } from './paging.ts';
import { idString } from './params.ts';

/** 1.x `user` and 2.x `account` name one repository, the account's own; `system` is shared by every account. */
const repository = v.optional(
  v.pipe(
    v.picklist(['account', 'user', 'system']),
    v.transform((name): Repository => (name === 'system' ? 'system' : 'account')),
  ),
  'account',
);

/** A module's file name as uploaded (`rfzone.yang`): an id-string that cannot name a path. */
const fileName = v.pipe(idString, v.regex(/^[^/\\]+$/, 'a file name without / or \\'));

/** Changing the system repository needs `master` in the calling account (docs/sources.md, the real exodm server item 3: root only). */
function requireRepositoryRights(server: ServerContext, call: Call, target: Repository): void {
  if (target !== 'system') return;
  const member = server.rbac.membersOf(call.account).find((m) => m.user === call.user);
  if (member?.roles.includes('master') !== true) {
    fail(ResultCode.PermissionDenied, 'the system repository needs the master role');
  }
}

/** YANG modules (manual §5.9; docs/sources.md, the real exodm server item 1 `create-yang-module` … `list-yang-modules`). */
export function yangModuleMethods(server: ServerContext): ServerMethod[] {
  const encoder = new TextEncoder();
  const moduleText = v.pipe(
    v.string(),
    v.minLength(1),
    v.check(
      (text) => encoder.encode(text).length <= server.settings.maxModuleBytes,
      `a module of at most ${server.settings.maxModuleBytes} bytes`,
    ),
  );
  return [
    method('exodm:create-yang-module', {
      summary: 'Stores a YANG module after it compiled against the modules the account sees',
      params: v.object({ account: v.optional(idString), repository, name: fileName, 'yang-module': moduleText }),
      handler: async (p, call) => {
        requireRepositoryRights(server, call, p.repository);
        await modulesOf(server).create({
          account: call.account,
          repository: p.repository,
          name: p.name,
          text: p['yang-module'],
        });
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:delete-yang-module', {
      summary: 'Deletes a YANG module no other module, configuration set or package uses',
      params: v.object({ account: v.optional(idString), repository, name: fileName }),
      handler: async (p, call) => {
        requireRepositoryRights(server, call, p.repository);
        const sets = await configSetsUsing(server.db, call.account, p.name);
        if (sets.length > 0) fail(ResultCode.ObjectNotEmpty, `${p.name} is used by config sets ${sets.join(', ')}`);
        // a package's RPCs and configuration are its module's (manual §5.6 item 2): the account's packages keep it
        const stored = await findModule(server.db, call.account, p.repository, p.name);
        // a system module serves the packages of every account that has none of that name of its own
        const packages =
          stored === undefined
            ? []
            : p.repository === 'system'
              ? await packagesUsingSystemModule(server.db, stored.module)
              : await packagesUsingModule(server.db, call.account, stored.module);
        if (packages.length > 0)
          fail(ResultCode.ObjectNotEmpty, `${p.name} is used by packages ${packages.join(', ')}`);
        if (!(await modulesOf(server).delete(call.account, p.repository, p.name))) {
          fail(ResultCode.ObjectNotFound, `no module ${p.name} in the ${p.repository} repository`);
        }
        return { result: ResultCode.Ok };
      },
    }),
    method('exodm:lookup-yang-module', {
      summary: 'A YANG module of the account: its name, module, revision and text',
      params: v.object({ account: v.optional(idString), repository, name: fileName }),
      handler: async (p, call) => {
        const row = await findModule(server.db, call.account, p.repository, p.name);
        if (row === undefined) fail(ResultCode.ObjectNotFound, `no module ${p.name} in the ${p.repository} repository`);
        return {
          result: ResultCode.Ok,
          'yang-modules': [
            {
              name: row.name,
              repository: row.repository,
              module: row.module,
              ...(row.revision === undefined ? {} : { revision: row.revision }),
              'yang-module': row.text,
            },
          ],
        };
      },
    }),
    method('exodm:list-yang-modules', {
      summary: 'File names of the YANG modules of a repository, n after previous',
      params: v.object({ account: v.optional(idString), repository, ...paging }),
      handler: async (p, call) => {
        const rows = await listModules(server.db, call.account, p.repository, pageClause('name', p, 3));
        return { result: ResultCode.Ok, 'yang-modules': rows.map((row) => row.name) };
      },
    }),
  ];
}

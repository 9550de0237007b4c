import { createRouter, type Router } from '@fleetkit/jsonrpc';
import { accessControl } from '../access.ts';
import type { ServerContext } from '../context.ts';
import { accountMethods } from './accounts.ts';
import { configDataMethods } from './config-data.ts';
import { configSetMethods } from './config-sets.ts';
import { deviceLicenseMethods } from './device-licenses.ts';
import { resolveDeviceRpc } from './device-rpcs.ts';
import { deviceTypeMethods } from './device-types.ts';
import { deviceMethods } from './devices.ts';
import { groupMethods } from './groups.ts';
import { SERVER_ALIASES } from './matrix.ts';
import { mbloxMethods } from './mblox.ts';
import type { ServerMethod } from './method.ts';
import { packageMethods } from './packages.ts';
import { roleMethods } from './roles.ts';
import { transactionMethods } from './transactions.ts';
import { userMethods } from './users.ts';
import { yangModuleMethods } from './yang-modules.ts';

/** Every family of built-in methods; each file owns one family (docs/server.md). */
const FAMILIES: readonly ((server: ServerContext) => ServerMethod[])[] = [
  accountMethods,
  userMethods,
  roleMethods,
  deviceTypeMethods,
  deviceMethods,
  groupMethods,
  yangModuleMethods,
  configSetMethods,
  configDataMethods,
  deviceLicenseMethods,
  mbloxMethods,
  transactionMethods,
  packageMethods,
];

/** Adds a family of methods to the list the router is built from; used by family files outside this list. */
export function builtInMethods(server: ServerContext): ServerMethod[] {
  return FAMILIES.flatMap((family) => family(server));
}

/**
 * Every name a method answers to: its canonical `exodm:` name, the bare name
 * (the real server resolves `list-devices` to `exodm:list-devices`), its own
 * aliases and the manual's other spellings that rbac maps to it.
 */
export function namesOf(m: ServerMethod): string[] {
  const aliases: string[] = [];
  for (const [alias, canonical] of Object.entries(SERVER_ALIASES)) {
    if (canonical === m.name) aliases.push(alias);
  }
  const names = new Set<string>();
  for (const name of [m.name, ...aliases]) {
    if (!/^exodm:[a-z]/.test(name)) continue;
    names.add(name);
    names.add(name.slice('exodm:'.length));
  }
  return [...names];
}

/** The JSON-RPC router of the backend API: access control, then the built-in methods under all their names. */
export function backendRouter(server: ServerContext, methods: readonly ServerMethod[]): Router {
  const router = createRouter({
    logger: server.logger,
    discover: { title: 'fleetkit Exosense server backend API', version: '0.1.0' },
    // `<module>:<rpc>` of the account's YANG modules, after access control decided (docs/sources.md, the real exodm server item 3)
    resolve: (method, ctx) => resolveDeviceRpc(server, method, ctx),
  });
  router.use(accessControl(server));
  for (const m of methods) for (const name of namesOf(m)) router.method(name, m.definition);
  return router;
}

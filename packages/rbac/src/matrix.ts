import type { Role } from './roles.ts';

/** One row of a method → roles matrix: the roles whose users may call `method`. */
export interface MatrixRow {
  readonly method: string;
  readonly roles: readonly Role[];
}

const M = 'master';
const A = 'admin';
const V = 'view';
const D = 'device';
const C = 'config';

/**
 * Manual §8.4 Table 2, every row in the manual's order, under the canonical
 * method names of docs/decisions/rbac-method-names.md (the manual's own
 * spellings are accepted as aliases, see `METHOD_ALIASES`). The second page of
 * the table lost its empty `execute` column in the source text; `execute`
 * grants no built-in method on either page (docs/decisions/rbac-table-2.md).
 */
export const TABLE_2: readonly MatrixRow[] = [
  { method: 'exodm:create-account', roles: [M] },
  { method: 'exodm:update-account', roles: [M] },
  { method: 'exodm:delete-account', roles: [M] },
  { method: 'exodm:add-user-to-account', roles: [M, A] },
  { method: 'exodm:remove-user-from-account', roles: [M, A] },
  { method: 'exodm:list-account-users', roles: [M, A, V] },
  { method: 'exodm:create-user', roles: [M, A] },
  { method: 'exodm:delete-user', roles: [M, A] },
  { method: 'exodm:list-users', roles: [M, A, V] },
  { method: 'exodm:create-device-type', roles: [M, A, D] },
  { method: 'exodm:update-device-type', roles: [M, A, D] },
  { method: 'exodm:delete-device-type', roles: [M, A, D] },
  { method: 'exodm:list-device-types', roles: [M, A, V, D] },
  { method: 'exodm:list-device-type-members', roles: [M, A, V, D] },
  { method: 'exodm:create-device-group', roles: [M, A, D] },
  { method: 'exodm:update-device-group', roles: [M, A, D] },
  { method: 'exodm:delete-device-group', roles: [M, A, D] },
  { method: 'exodm:list-device-groups', roles: [M, A, V, D] },
  { method: 'exodm:list-device-group-members', roles: [M, A, V, D] },
  { method: 'exodm:add-device-group-members', roles: [M, A, D] },
  { method: 'exodm:remove-device-group-members', roles: [M, A, D] },
  { method: 'exodm:create-yang-module', roles: [M, A] },
  { method: 'exodm:delete-yang-module', roles: [M, A] },
  { method: 'exodm:list-yang-modules', roles: [M, A, V] },
  { method: 'exodm:create-package', roles: [M, A] },
  { method: 'exodm:add-package-members', roles: [M, A, D] },
  { method: 'exodm:push-package', roles: [M, A, D] },
  { method: 'exodm:list-packages', roles: [M, A, V, D] },
  { method: 'exodm:get-package-status', roles: [M, A, V, D] },
  { method: 'exodm:create-config-set', roles: [M, A, D, C] },
  { method: 'exodm:update-config-set', roles: [M, A, D, C] },
  { method: 'exodm:delete-config-set', roles: [M, A, D, C] },
  { method: 'exodm:list-config-sets', roles: [M, A, V, D, C] },
  { method: 'exodm:list-config-set-members', roles: [M, A, V, D, C] },
  { method: 'exodm:add-config-set-members', roles: [M, A, D, C] },
  { method: 'exodm:remove-config-set-members', roles: [M, A, D, C] },
  { method: 'exodm:push-config-set', roles: [M, A, D, C] },
  { method: 'exodm:create-device', roles: [M, A, D] },
  { method: 'exodm:lookup-device', roles: [M, A, V, D] },
  { method: 'exodm:list-devices', roles: [M, A, V, D] },
  { method: 'exodm:delete-device', roles: [M, A, D] },
  { method: 'exodm:add-user-to-role', roles: [M, A] },
  { method: 'exodm:remove-user-from-role', roles: [M, A] },
  { method: 'exodm:add-role-execution-permission', roles: [M, A] },
  { method: 'exodm:remove-role-execution-permission', roles: [M, A] },
  { method: 'exodm:list-execution-permissions', roles: [M, A, V] },
];

/**
 * Other names of Table 2 methods, alias → canonical, each with its source in
 * docs/decisions/rbac-method-names.md. A bare name without `exodm:` is also
 * accepted for every canonical name and alias (the real server's
 * `is_exodm_method`).
 */
export const METHOD_ALIASES: Readonly<Record<string, string>> = {
  // manual §8.4 Table 2 (typo for "from")
  'exodm:remove-user-to-account': 'exodm:remove-user-from-account',
  // exodm_account.yang, branch 2.0
  'exodm:remove-account-users': 'exodm:remove-user-from-account',
  // manual §8.4 Table 2; the YANG and the real server say list-users
  'exodm:list-user': 'exodm:list-users',
  // manual §6.1 and §8.2
  'exodm:add-role-execution-rights': 'exodm:add-role-execution-permission',
  // manual §8.4 Table 2; exodm_yang_module.yang (never implemented there)
  'exodm:add-execution-permission': 'exodm:add-role-execution-permission',
  'exodm:remove-execution-permission': 'exodm:remove-role-execution-permission',
  // manual §8.4 Table 2 prints a space after the prefix in these rows
  'exodm: add-execution-permission': 'exodm:add-role-execution-permission',
  'exodm: remove-config-set-members': 'exodm:remove-config-set-members',
  // exodm_yang_module.yang (master) and exodm_role.yang (2.0)
  'exodm:list-execution-permission': 'exodm:list-execution-permissions',
  'exodm:list-rpc-roles': 'exodm:list-execution-permissions',
  // exodm_device.yang: the implemented server deletes a list of devices
  'exodm:delete-devices': 'exodm:delete-device',
};

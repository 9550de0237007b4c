// Manual §8.4 Table 2, transcribed as this suite's own data: the method as
// the table prints it, the name the API defines where the print differs
// (a typo, a stray space), and the roles whose column has an X.

export const ROLES = ['master', 'admin', 'view', 'device', 'config', 'execute'] as const;
export type Role = (typeof ROLES)[number];

/** One row of Table 2. */
export interface Row {
  /** The method as Table 2 prints it (spaces after `exodm:` removed). */
  readonly method: string;
  /** The name the JSON-RPC API defines, where the print differs; tried when the printed one is unknown. */
  readonly defined?: string;
  readonly roles: readonly Role[];
}

const M = 'master';
const A = 'admin';
const V = 'view';
const D = 'device';
const C = 'config';

export const TABLE_2: readonly Row[] = [
  { method: 'exodm:create-account', roles: [M] },
  { method: 'exodm:update-account', roles: [M] },
  { method: 'exodm:delete-account', roles: [M] },
  { method: 'exodm:add-user-to-account', roles: [M, A] },
  { method: 'exodm:remove-user-to-account', defined: 'exodm:remove-user-from-account', roles: [M, A] },
  { method: 'exodm:list-account-users', roles: [M, A, V] },
  { method: 'exodm:create-user', roles: [M, A] },
  { method: 'exodm:delete-user', roles: [M, A] },
  { method: 'exodm:list-user', defined: 'exodm:list-users', roles: [M, A, V] },
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
  { method: 'exodm:add-execution-permission', defined: 'exodm:add-role-execution-permission', roles: [M, A] },
  { method: 'exodm:remove-execution-permission', defined: 'exodm:remove-role-execution-permission', roles: [M, A] },
  { method: 'exodm:list-execution-permissions', roles: [M, A, V] },
];

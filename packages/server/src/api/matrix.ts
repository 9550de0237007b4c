import { type MatrixRow, METHOD_ALIASES, TABLE_2 } from '@fleetkit/rbac';

const M = 'master';
const A = 'admin';
const V = 'view';
const D = 'device';
const C = 'config';

/**
 * Methods the manual's text or the real 1.x server name but Table 2 leaves
 * out, each given the roles of its nearest Table 2 row
 * (docs/decisions/server-api-versions.md): a lookup reads like its list, an
 * update writes like its create.
 */
export const EXTRA_ROWS: readonly MatrixRow[] = [
  { method: 'exodm:lookup-account', roles: [M] },
  { method: 'exodm:list-accounts', roles: [M] },
  { method: 'exodm:list-account-roles', roles: [M, A, V] },
  { method: 'exodm:lookup-user', roles: [M, A, V] },
  { method: 'exodm:update-user', roles: [M, A] },
  { method: 'exodm:list-user-accounts', roles: [M, A, V] },
  { method: 'exodm:update-device', roles: [M, A, D] },
  { method: 'exodm:lookup-device-attributes', roles: [M, A, V, D] },
  { method: 'exodm:list-devices-attributes', roles: [M, A, V, D] },
  { method: 'exodm:lookup-yang-module', roles: [M, A, V] },
  { method: 'exodm:read-config-set-data', roles: [M, A, V, D, C] },
  { method: 'exodm:add-notification-urls', roles: [M, A, D, C] },
  { method: 'exodm:remove-notification-urls', roles: [M, A, D, C] },
  { method: 'exodm:update-config-data', roles: [M, A, D, C] },
  { method: 'exodm:push-config-data', roles: [M, A, D, C] },
  { method: 'exodm:read-config-data', roles: [M, A, V, D, C] },
  { method: 'exodm:get-transaction', roles: [M, A, V, D, C] },
  { method: 'exodm:cancel-transaction', roles: [M, A, D, C] },
  // fleetkit's device licences (docs/server.md §Devices): written like a device, read like one
  { method: 'exodm:add-device-license', roles: [M, A, D] },
  { method: 'exodm:remove-device-license', roles: [M, A, D] },
  { method: 'exodm:list-device-licenses', roles: [M, A, V, D] },
  // 1.x account settings of the SMS gateway: the real server's RPC_ROLE_LIST gives them to root, admin and config
  { method: 'exodm:set-mblox-parameters', roles: [M, A, C] },
  { method: 'exodm:get-mblox-parameters', roles: [M, A, C] },
  { method: 'exodm:delete-mblox-parameters', roles: [M, A, C] },
  // the 2.x package operations (docs/server.md §Packages) act like push-package, allowances change a type
  // like update-device-type, the lists read like list-packages
  // §5.9: exodm_package.yang deletes packages; as create-package
  { method: 'exodm:delete-package', roles: [M, A] },
  { method: 'exodm:install-package', roles: [M, A, D] },
  { method: 'exodm:upgrade-package', roles: [M, A, D] },
  { method: 'exodm:uninstall-package', roles: [M, A, D] },
  { method: 'exodm:add-package-to-device-type', roles: [M, A, D] },
  { method: 'exodm:remove-package-from-device-type', roles: [M, A, D] },
  { method: 'exodm:list-packages-on-device-type', roles: [M, A, V, D] },
  { method: 'exodm:list-device-types-with-package', roles: [M, A, V, D] },
  { method: 'exodm:list-devices-with-package', roles: [M, A, V, D] },
  // 2.x: a package's configuration pushed, as update-config-data and push-config-data together
  { method: 'exodm:update-package-config', roles: [M, A, D, C] },
];

/** Table 2 plus {@link EXTRA_ROWS}: the matrix the server's rbac engine is opened with. */
export const SERVER_MATRIX: readonly MatrixRow[] = [...TABLE_2, ...EXTRA_ROWS];

/**
 * Aliases beyond rbac's: the 1.x names that the manual's 2.x names replaced.
 * The router answers to each and rbac decides each as its canonical name.
 */
export const EXTRA_ALIASES: Readonly<Record<string, string>> = {
  'exodm:add-account-users': 'exodm:add-user-to-account',
  'exodm:remove-account-user': 'exodm:remove-user-from-account',
  'exodm:delete-notification-urls': 'exodm:remove-notification-urls',
  'exodm:update-config': 'exodm:update-config-data',
  // exodm_device_type.yang (2.0) renames list-device-type-members
  'exodm:list-device-type-devices': 'exodm:list-device-type-members',
  // the 2.x branch's spelling beside remove-package-from-device-type
  'exodm:remove-package-to-device-type': 'exodm:remove-package-from-device-type',
};

/** Every alias the server's rbac engine and router know. */
export const SERVER_ALIASES: Readonly<Record<string, string>> = { ...METHOD_ALIASES, ...EXTRA_ALIASES };

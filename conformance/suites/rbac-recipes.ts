// How the rbac-matrix suite calls each row of Table 2 with valid params, and
// what each destructive row needs to exist before a cell can act on it.
import type { Login } from '../runner/backend.ts';
import type { Tenant } from '../runner/tenant.ts';

/** What every recipe may use: the run's prefix and password, and a notification URL. */
export interface Fixture {
  readonly run: string;
  readonly password: string;
  readonly hook: string;
}

/** The account a cell acts on and the administrator who prepares it. */
export interface Home {
  readonly account: string;
  readonly admin: Login;
  /** Where the undo steps are kept. */
  readonly tenant: Tenant;
}

/** A recipe's inputs: the fixture, the home account's name and the cell's target name. */
export interface RecipeContext extends Fixture {
  readonly home: string;
  readonly target: string;
}

type Params = Record<string, unknown>;

/** A module with configuration data and one device RPC. */
export function moduleText(name: string): string {
  return `module ${name} {
  namespace "urn:fleetkit:conformance:${name}";
  prefix p;
  import exosense { prefix exo; }
  revision 2024-01-01;
  container settings { leaf level { type uint8; } }
  rpc ping { input { uses exo:std-request; leaf note { type string; } } }
  rpc pong { input { uses exo:std-request; } }
}`;
}

/** `create-yang-module` params of the module every row works on. */
export function fixtureModule(fixture: Fixture): Params {
  return { name: `${fixture.run}-fix.yang`, 'yang-module': moduleText(`${fixture.run}-fix`) };
}

/** Valid params of each row, by the name Table 2 prints. */
export const RECIPES: Readonly<Record<string, (c: RecipeContext) => Params>> = {
  'exodm:create-account': (c) => ({ name: c.target, email: 'conformance@example.com', password: c.password }),
  'exodm:update-account': (c) => ({ name: c.home }),
  'exodm:delete-account': (c) => ({ name: c.target }),
  'exodm:add-user-to-account': (c) => ({ uname: c.target }),
  'exodm:remove-user-to-account': (c) => ({ uname: c.target }),
  'exodm:list-account-users': () => ({ n: 10 }),
  'exodm:create-user': (c) => ({ uname: c.target, email: 'conformance@example.com', password: c.password }),
  'exodm:delete-user': (c) => ({ uname: c.target }),
  'exodm:list-user': () => ({ n: 10 }),
  'exodm:create-device-type': (c) => ({ name: c.target, protocol: 'fleetkit-http' }),
  'exodm:update-device-type': (c) => ({ name: `${c.run}-type`, description: 'the fixture type' }),
  'exodm:delete-device-type': (c) => ({ name: c.target }),
  'exodm:list-device-types': () => ({ n: 10 }),
  'exodm:list-device-type-members': (c) => ({ name: `${c.run}-type`, n: 10 }),
  'exodm:create-device-group': (c) => ({ 'group-name': c.target }),
  'exodm:update-device-group': (c) => ({ 'group-name': `${c.run}-group`, 'notification-url': c.hook }),
  'exodm:delete-device-group': (c) => ({ 'group-name': c.target }),
  'exodm:list-device-groups': () => ({ n: 10 }),
  'exodm:list-device-group-members': (c) => ({ 'group-name': `${c.run}-group`, n: 10 }),
  'exodm:add-device-group-members': (c) => ({ 'group-name': `${c.run}-group`, 'device-id': [`${c.run}-dev`] }),
  'exodm:remove-device-group-members': (c) => ({ 'group-name': `${c.run}-group`, 'device-id': [`${c.run}-dev-2`] }),
  'exodm:create-yang-module': (c) => ({ name: `${c.target}.yang`, 'yang-module': moduleText(c.target) }),
  'exodm:delete-yang-module': (c) => ({ name: `${c.target}.yang` }),
  'exodm:list-yang-modules': () => ({ n: 10 }),
  'exodm:create-package': (c) => ({ 'package-name': c.target }),
  'exodm:add-package-members': (c) => ({ 'package-name': [`${c.run}-fix`], 'device-id': [`${c.run}-dev`] }),
  'exodm:push-package': (c) => ({ 'package-name': `${c.run}-fix`, operation: 'install' }),
  'exodm:list-packages': () => ({ n: 10 }),
  'exodm:get-package-status': (c) => ({ 'package-name': `${c.run}-fix`, 'device-id': `${c.run}-dev` }),
  'exodm:create-config-set': (c) => ({ name: c.target, yang: `${c.run}-fix.yang`, values: { settings: { level: 1 } } }),
  'exodm:update-config-set': (c) => ({ name: `${c.run}-set`, values: { settings: { level: 2 } } }),
  'exodm:delete-config-set': (c) => ({ name: c.target }),
  'exodm:list-config-sets': () => ({ n: 10 }),
  'exodm:list-config-set-members': (c) => ({ name: `${c.run}-set`, n: 10 }),
  'exodm:add-config-set-members': (c) => ({ name: `${c.run}-set`, 'device-id': `${c.run}-dev` }),
  'exodm:remove-config-set-members': (c) => ({ name: `${c.run}-set`, 'device-id': `${c.run}-dev-2` }),
  'exodm:push-config-set': (c) => ({ name: `${c.run}-set` }),
  'exodm:create-device': (c) => ({ 'device-id': c.target, 'device-type': `${c.run}-type` }),
  'exodm:lookup-device': (c) => ({ 'device-id': `${c.run}-dev` }),
  'exodm:list-devices': () => ({ n: 10 }),
  'exodm:delete-device': (c) => ({ 'device-id': c.target }),
  'exodm:add-user-to-role': (c) => ({ role: 'view', uname: `${c.run}-pal-${c.home}` }),
  'exodm:remove-user-from-role': (c) => ({ role: 'config', uname: c.target }),
  'exodm:add-execution-permission': (c) => ({ role: 'config', 'package-name': `${c.run}-fix`, 'rpc-name': 'ping' }),
  'exodm:remove-execution-permission': (c) => ({ role: 'config', 'package-name': `${c.run}-fix`, 'rpc-name': 'ping' }),
  'exodm:list-execution-permissions': (c) => ({ 'package-name': `${c.run}-fix`, 'rpc-name': 'ping' }),
};

/** One preparation: in `home`, call `method` (if any) with `params`; `undo` deletes what it made. */
export type Step = readonly [Home, string | undefined, Params, ([string, Params] | undefined)?];

/** Where a target is made: the cell's home, the system account (accounts), the other account (joiners). */
export interface Where {
  readonly home: Home;
  readonly system: Home;
  readonly other: Tenant;
  readonly fixture: Fixture;
  readonly name: string;
}

/** What a destructive row's cell needs before it runs, named `name`. */
export type Target = (where: Where) => Step[];

const user: Target = ({ home, fixture, name }) => [
  [home, 'exodm:create-user', { uname: name, password: fixture.password }, ['exodm:delete-user', { uname: name }]],
];

/** Targets of the rows that create or delete something; the cells of other rows share the fixtures. */
export const TARGETS: Readonly<Record<string, Target>> = {
  // what a create makes is deleted afterwards, whoever made it (a refused cell that wrongly succeeds too)
  'exodm:create-account': ({ system, name }) => [[system, undefined, {}, ['exodm:delete-account', { name }]]],
  'exodm:delete-account': ({ system, fixture, name }) => [
    [
      system,
      'exodm:create-account',
      { name, email: 'conformance@example.com', password: fixture.password },
      ['exodm:delete-account', { name }],
    ],
  ],
  'exodm:add-user-to-account': ({ home, other, fixture, name }) => [
    [
      { account: other.account, admin: other.admin, tenant: other },
      'exodm:create-user',
      { uname: name, password: fixture.password },
      ['exodm:delete-user', { uname: name }],
    ],
    // the cell adds the user to its home: it leaves again before the other account deletes it
    [home, undefined, {}, ['exodm:remove-user-from-account', { uname: name }]],
  ],
  'exodm:remove-user-to-account': user,
  'exodm:create-user': ({ home, name }) => [[home, undefined, {}, ['exodm:delete-user', { uname: name }]]],
  'exodm:delete-user': user,
  'exodm:remove-user-from-role': ({ home, fixture, name }) => [
    [home, 'exodm:create-user', { uname: name, password: fixture.password }, ['exodm:delete-user', { uname: name }]],
    [home, 'exodm:add-user-to-role', { role: 'config', uname: name }],
  ],
  'exodm:create-device-type': ({ home, name }) => [[home, undefined, {}, ['exodm:delete-device-type', { name }]]],
  'exodm:delete-device-type': ({ home, name }) => [
    [home, 'exodm:create-device-type', { name, protocol: 'fleetkit-http' }, ['exodm:delete-device-type', { name }]],
  ],
  'exodm:create-device-group': ({ home, name }) => [
    [home, undefined, {}, ['exodm:delete-device-group', { 'group-name': name }]],
  ],
  'exodm:delete-device-group': ({ home, name }) => [
    [home, 'exodm:create-device-group', { 'group-name': name }, ['exodm:delete-device-group', { 'group-name': name }]],
  ],
  'exodm:create-yang-module': ({ home, name }) => [
    [home, undefined, {}, ['exodm:delete-yang-module', { name: `${name}.yang` }]],
  ],
  'exodm:delete-yang-module': ({ home, name }) => [
    [
      home,
      'exodm:create-yang-module',
      { name: `${name}.yang`, 'yang-module': moduleText(name) },
      ['exodm:delete-yang-module', { name: `${name}.yang` }],
    ],
  ],
  'exodm:create-config-set': ({ home, name }) => [[home, undefined, {}, ['exodm:delete-config-set', { name }]]],
  'exodm:delete-config-set': ({ home, fixture, name }) => [
    [home, 'exodm:create-config-set', { name, yang: `${fixture.run}-fix.yang` }, ['exodm:delete-config-set', { name }]],
  ],
  'exodm:create-device': ({ home, name }) => [[home, undefined, {}, ['exodm:delete-devices', { 'device-id': [name] }]]],
  'exodm:delete-device': ({ home, fixture, name }) => [
    [
      home,
      'exodm:create-device',
      { 'device-id': name, 'device-type': `${fixture.run}-type` },
      ['exodm:delete-devices', { 'device-id': [name] }],
    ],
  ],
};

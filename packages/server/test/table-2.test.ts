import { ROLES, type Role, TABLE_2 } from '@fleetkit/rbac';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRA_ROWS, SERVER_ALIASES } from '../src/api/matrix.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { NOT_IMPLEMENTED } from './not-implemented.ts';

// Manual §8.4 Table 2 (and the server's EXTRA_ROWS) over real HTTP: every
// row is called by a user holding one role only, for every role. The cases
// come from the matrix itself, so a changed matrix changes this test; a row
// without a recipe below fails, so that every new method is exercised.

const PASSWORD = 'table-two-password';
const HOOK = 'http://127.0.0.1:9/hook';
const OTHER = 'other';

/** A module with configuration data and one device RPC. */
function moduleText(name: string): string {
  return `module ${name} {
  namespace "urn:test:${name}";
  prefix p;
  import exosense { prefix exo; }
  revision 2024-01-01;
  container settings { leaf level { type uint8; } }
  rpc ping { input { uses exo:std-request; leaf note { type string; } } }
}`;
}

/** The account a role's user belongs to: `master` is a role of the system account only. */
function homeOf(role: Role): string {
  return role === 'master' ? 'exodm' : 'acme';
}

/** The administrator who prepares an account's objects: sysadm for the system account, else its admin. */
type Boss = (method: string, params: Record<string, unknown>) => Promise<RpcReply>;

/** One cell: the role of the caller and the account it acts on. */
interface Cell {
  readonly role: Role;
  readonly home: string;
}

/** How a method is called with valid params; `prepare` runs first, as the account's administrator. */
interface Recipe {
  readonly params: Record<string, unknown>;
  readonly prepare?: (boss: Boss) => Promise<unknown>;
}

const MBLOX = {
  'application-id': 'fix-app',
  'originating-msisdn': '46700000000',
  'consumer-key': 'fix-consumer',
  'secret-key': 'fix-secret',
};

const RECIPES: Readonly<Record<string, (cell: Cell) => Recipe>> = {
  'exodm:create-account': ({ role }) => ({
    params: { name: `new-acct-${role}`, email: 'new@example.com', password: PASSWORD },
  }),
  'exodm:update-account': () => ({ params: { name: 'acme' } }),
  'exodm:delete-account': ({ role }) => ({ params: { name: `doomed-acct-${role}` } }),
  'exodm:lookup-account': () => ({ params: { name: 'acme' } }),
  'exodm:list-accounts': () => ({ params: { n: 10 } }),
  'exodm:list-account-roles': () => ({ params: { n: 10 } }),
  'exodm:add-user-to-account': ({ role }) => ({ params: { uname: `joiner-${role}` } }),
  'exodm:remove-user-from-account': ({ role }) => ({ params: { uname: `leaver-${role}` } }),
  'exodm:list-account-users': () => ({ params: { n: 10 } }),
  'exodm:create-user': ({ role }) => ({
    params: { uname: `new-user-${role}`, email: 'user@example.com', password: PASSWORD },
  }),
  'exodm:delete-user': ({ role }) => ({ params: { uname: `doomed-user-${role}` } }),
  'exodm:list-users': () => ({ params: { n: 10 } }),
  'exodm:lookup-user': ({ home }) => ({ params: { uname: `pal-${home}` } }),
  'exodm:update-user': ({ home }) => ({ params: { uname: `pal-${home}`, fullname: 'Pal' } }),
  'exodm:list-user-accounts': ({ home }) => ({ params: { uname: `pal-${home}` } }),
  'exodm:create-device-type': ({ role }) => ({ params: { name: `new-type-${role}`, protocol: 'fleetkit-http' } }),
  'exodm:update-device-type': () => ({ params: { name: 'fix-type', description: 'the fixture type' } }),
  'exodm:delete-device-type': ({ role }) => ({ params: { name: `doomed-type-${role}` } }),
  'exodm:list-device-types': () => ({ params: { n: 10 } }),
  'exodm:list-device-type-members': () => ({ params: { name: 'fix-type', n: 10 } }),
  'exodm:create-device-group': ({ role }) => ({ params: { 'group-name': `new-group-${role}` } }),
  'exodm:update-device-group': () => ({ params: { 'group-name': 'fix-group', 'notification-url': HOOK } }),
  'exodm:delete-device-group': ({ role }) => ({ params: { 'group-name': `doomed-group-${role}` } }),
  'exodm:list-device-groups': () => ({ params: { n: 10 } }),
  'exodm:list-device-group-members': () => ({ params: { 'group-name': 'fix-group', n: 10 } }),
  'exodm:add-device-group-members': () => ({ params: { 'group-name': 'fix-group', 'device-id': ['fix-dev'] } }),
  'exodm:remove-device-group-members': () => ({ params: { 'group-name': 'fix-group', 'device-id': ['fix-dev-2'] } }),
  'exodm:create-yang-module': ({ role }) => ({
    params: { name: `new-${role}.yang`, 'yang-module': moduleText(`new-${role}`) },
  }),
  'exodm:delete-yang-module': ({ role }) => ({ params: { name: `doomed-${role}.yang` } }),
  'exodm:list-yang-modules': () => ({ params: { n: 10 } }),
  'exodm:lookup-yang-module': () => ({ params: { name: 'fix.yang' } }),
  'exodm:create-package': () => ({ params: { 'package-name': 'fix' } }),
  'exodm:add-package-members': () => ({ params: { 'package-name': ['fix'], 'device-id': ['fix-dev'] } }),
  'exodm:push-package': () => ({ params: { 'package-name': 'fix', operation: 'install' } }),
  'exodm:list-packages': () => ({ params: { n: 10 } }),
  'exodm:delete-package': ({ role }) => ({ params: { 'package-name': [`doomed-package-${role}`] } }),
  'exodm:get-package-status': () => ({ params: { 'package-name': 'fix', 'device-id': 'fix-dev' } }),
  'exodm:install-package': () => ({ params: { 'package-name': 'fix', targets: ['fix-dev'] } }),
  'exodm:upgrade-package': () => ({
    params: { 'from-package-name': 'fix', 'to-package-name': 'fix-2', targets: ['fix-dev'] },
  }),
  'exodm:uninstall-package': () => ({ params: { 'package-name': 'fix', targets: ['fix-dev'] } }),
  'exodm:add-package-to-device-type': () => ({ params: { 'package-name': ['fix'], 'device-type': 'fix-type' } }),
  'exodm:remove-package-from-device-type': () => ({ params: { 'package-name': ['fix'], 'device-type': 'fix-type' } }),
  'exodm:list-packages-on-device-type': () => ({ params: { 'device-type': 'fix-type' } }),
  'exodm:list-device-types-with-package': () => ({ params: { 'package-name': 'fix' } }),
  'exodm:list-devices-with-package': () => ({ params: { 'package-name': 'fix', n: 10 } }),
  'exodm:update-package-config': () => ({
    params: { 'package-name': 'fix', targets: ['fix-dev'], values: { settings: { level: 3 } } },
  }),
  'exodm:create-config-set': ({ role }) => ({
    params: { name: `new-set-${role}`, yang: 'fix.yang', values: { settings: { level: 1 } } },
  }),
  'exodm:update-config-set': () => ({ params: { name: 'fix-set', values: { settings: { level: 2 } } } }),
  'exodm:delete-config-set': ({ role }) => ({ params: { name: `doomed-set-${role}` } }),
  'exodm:list-config-sets': () => ({ params: { n: 10 } }),
  'exodm:list-config-set-members': () => ({ params: { name: 'fix-set', n: 10 } }),
  'exodm:add-config-set-members': () => ({ params: { name: 'fix-set', 'device-id': 'fix-dev' } }),
  'exodm:remove-config-set-members': () => ({ params: { name: 'fix-set', 'device-id': 'fix-dev-2' } }),
  'exodm:push-config-set': () => ({ params: { name: 'fix-set' } }),
  'exodm:read-config-set-data': () => ({ params: { name: 'fix-set', area: 'staged' } }),
  'exodm:add-notification-urls': () => ({
    params: { 'device-id': 'fix-dev', urls: [{ 'config-set': 'fix-set', 'notification-url': HOOK }] },
  }),
  'exodm:remove-notification-urls': () => ({ params: { 'device-id': 'fix-dev', 'config-sets': ['fix-set'] } }),
  'exodm:create-device': ({ role }) => ({ params: { 'device-id': `new-dev-${role}`, 'device-type': 'fix-type' } }),
  'exodm:update-device': () => ({ params: { 'device-id': 'fix-dev', description: 'the fixture device' } }),
  'exodm:lookup-device': () => ({ params: { 'device-id': 'fix-dev' } }),
  'exodm:lookup-device-attributes': () => ({ params: { 'device-id': 'fix-dev', attributes: ['description'] } }),
  'exodm:list-devices': () => ({ params: { n: 10 } }),
  'exodm:list-devices-attributes': () => ({ params: { n: 10, attributes: ['description'] } }),
  'exodm:delete-device': ({ role }) => ({ params: { 'device-id': `doomed-dev-${role}` } }),
  'exodm:add-user-to-role': ({ home }) => ({ params: { role: 'view', uname: `pal-${home}` } }),
  'exodm:remove-user-from-role': ({ role }) => ({ params: { role: 'config', uname: `roled-${role}` } }),
  'exodm:add-role-execution-permission': () => ({
    params: { role: 'config', 'package-name': 'fix', 'rpc-name': 'ping' },
  }),
  'exodm:remove-role-execution-permission': () => ({
    params: { role: 'config', 'package-name': 'fix', 'rpc-name': 'ping' },
  }),
  'exodm:list-execution-permissions': () => ({ params: { 'package-name': 'fix', 'rpc-name': 'ping' } }),
  'exodm:update-config-data': () => ({
    params: { 'device-id': 'fix-dev', module: 'fix', values: { settings: { level: 4 } } },
  }),
  'exodm:push-config-data': () => ({
    params: { 'device-id': 'fix-dev' },
    // a push needs something staged
    prepare: (boss) =>
      boss('exodm:update-config-data', { 'device-id': 'fix-dev', module: 'fix', values: { settings: { level: 5 } } }),
  }),
  'exodm:read-config-data': () => ({ params: { 'device-id': 'fix-dev', module: 'fix', area: 'staged' } }),
  'exodm:get-transaction': () => ({ params: { 'device-id': 'fix-dev', 'transaction-id': 1 } }),
  'exodm:cancel-transaction': () => ({ params: { 'device-id': 'fix-dev', 'transaction-id': 1 } }),
  'exodm:add-device-license': ({ role }) => ({ params: { 'device-id': 'fix-dev', 'license-id': `lic-${role}` } }),
  'exodm:remove-device-license': ({ role }) => ({
    params: { 'device-id': 'fix-dev', 'license-id': `gone-lic-${role}` },
    prepare: (boss) => boss('exodm:add-device-license', { 'device-id': 'fix-dev', 'license-id': `gone-lic-${role}` }),
  }),
  'exodm:list-device-licenses': () => ({ params: { 'device-id': 'fix-dev' } }),
  'exodm:set-mblox-parameters': () => ({ params: MBLOX }),
  'exodm:get-mblox-parameters': () => ({ params: {}, prepare: (boss) => boss('exodm:set-mblox-parameters', MBLOX) }),
  'exodm:delete-mblox-parameters': () => ({
    params: {},
    prepare: (boss) => boss('exodm:set-mblox-parameters', MBLOX),
  }),
};

const ROWS = [...TABLE_2, ...EXTRA_ROWS];

const CELLS = ROWS.flatMap((row) =>
  ROLES.map((role) => ({ method: row.method, role, allowed: row.roles.includes(role) })),
);

/** Every other spelling the router answers (rbac's and the server's aliases, with and without `exodm:`). */
const ALIAS_SPELLINGS = Object.entries(SERVER_ALIASES)
  // the manual's "exodm: add-…" (a space after the prefix) is rbac's tolerance of the PDF text, not a wire name
  .filter(([alias]) => /^exodm:[a-z]/.test(alias))
  .flatMap(([alias, canonical]) => [alias, alias.slice('exodm:'.length)].map((spelling) => ({ spelling, canonical })));

function expectDecided(reply: RpcReply, cell: { method: string; allowed: boolean }): void {
  expect(reply.status).toBe(200);
  if (!cell.allowed) {
    // the refusal says nothing more: no reason, nothing about the account or the user
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual({ result: 'permission-denied' });
    return;
  }
  const missing = NOT_IMPLEMENTED[cell.method];
  if (missing !== undefined) {
    expect(reply.error?.code, missing).toBe(-32601);
    return;
  }
  expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
  expect(reply.result?.result).not.toBe('permission-denied');
}

describe('manual §8.4 Table 2 over HTTP, one role at a time', () => {
  let t: TestServer;
  const boss =
    (account: string): Boss =>
    (method, params) =>
      account === 'exodm'
        ? t.admin(method, { account, ...params })
        : t.call(`${account}-admin`, PASSWORD, method, params);
  const as = (role: Role, method: string, params: Record<string, unknown>) =>
    t.call(`only-${role}`, PASSWORD, method, params);

  /** Calls as the administrator and insists on ok: the fixtures must exist for the cells to mean anything. */
  async function must(account: string, method: string, params: Record<string, unknown>): Promise<void> {
    const reply = await boss(account)(method, params);
    expect(reply.result?.result, `${account} ${method} ${JSON.stringify(reply.error ?? reply.result)}`).toBe('ok');
  }

  beforeAll(async () => {
    t = await startServer();
    for (const name of ['acme', OTHER]) await must('exodm', 'exodm:create-account', { name, password: PASSWORD });
    for (const account of ['exodm', 'acme']) {
      await must(account, 'exodm:create-yang-module', { name: 'fix.yang', 'yang-module': moduleText('fix') });
      await must(account, 'exodm:create-device-type', { name: 'fix-type', protocol: 'fleetkit-http' });
      for (const id of ['fix-dev', 'fix-dev-2']) {
        await must(account, 'exodm:create-device', { 'device-id': id, 'device-type': 'fix-type' });
      }
      await must(account, 'exodm:create-device-group', { 'group-name': 'fix-group', 'notification-url': HOOK });
      await must(account, 'exodm:add-device-group-members', { 'group-name': 'fix-group', 'device-id': ['fix-dev-2'] });
      await must(account, 'exodm:create-config-set', { name: 'fix-set', yang: 'fix.yang' });
      await must(account, 'exodm:add-config-set-members', { name: 'fix-set', 'device-id': ['fix-dev', 'fix-dev-2'] });
      await must(account, 'exodm:create-user', { uname: `pal-${account}`, password: PASSWORD });
    }
    for (const role of ROLES) {
      const home = homeOf(role);
      await must(home, 'exodm:create-user', { uname: `only-${role}`, password: PASSWORD });
      await must(home, 'exodm:add-user-to-role', { role, uname: `only-${role}` });
      // what the destructive rows of this role's cells act on
      await must('exodm', 'exodm:create-account', { name: `doomed-acct-${role}`, password: PASSWORD });
      await must(OTHER, 'exodm:create-user', { uname: `joiner-${role}`, password: PASSWORD });
      for (const user of [`leaver-${role}`, `doomed-user-${role}`, `roled-${role}`]) {
        await must(home, 'exodm:create-user', { uname: user, password: PASSWORD });
      }
      await must(home, 'exodm:add-user-to-role', { role: 'config', uname: `roled-${role}` });
      await must(home, 'exodm:create-device-type', { name: `doomed-type-${role}`, protocol: 'fleetkit-http' });
      await must(home, 'exodm:create-device-group', { 'group-name': `doomed-group-${role}` });
      await must(home, 'exodm:create-device', { 'device-id': `doomed-dev-${role}`, 'device-type': 'fix-type' });
      await must(home, 'exodm:create-config-set', { name: `doomed-set-${role}`, yang: 'fix.yang' });
      await must(home, 'exodm:create-yang-module', {
        name: `doomed-${role}.yang`,
        'yang-module': moduleText(`doomed-${role}`),
      });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a recipe of valid params for every row of the matrix', () => {
    expect(ROWS.map((row) => row.method).filter((method) => RECIPES[method] === undefined)).toEqual([]);
  });

  it.each(CELLS)('$method as $role: allowed $allowed', async (cell) => {
    const home = homeOf(cell.role);
    const recipe = RECIPES[cell.method]!({ role: cell.role, home });
    await recipe.prepare?.(boss(home));
    expectDecided(await as(cell.role, cell.method, recipe.params), cell);
  });

  it("decides every alias as its canonical row, for every role (the manual's spellings included)", async () => {
    const names = ALIAS_SPELLINGS.map((alias) => alias.spelling);
    for (const spelling of [
      'exodm:add-role-execution-rights',
      'exodm:add-execution-permission',
      'list-rpc-roles',
      'exodm:remove-user-to-account',
      'list-user',
    ]) {
      expect(names).toContain(spelling);
    }
    for (const { spelling, canonical } of ALIAS_SPELLINGS) {
      const row = ROWS.find((r) => r.method === canonical);
      expect(row, `${spelling} names ${canonical}, which has no row`).toBeDefined();
      for (const role of ROLES) {
        const home = homeOf(role);
        const recipe = RECIPES[canonical]!({ role, home });
        await recipe.prepare?.(boss(home));
        const reply = await as(role, spelling, recipe.params);
        // a destructive row already ran under its canonical name: its object may be gone, which is an outcome
        expectDecided(reply, { method: canonical, allowed: row!.roles.includes(role) });
      }
    }
  });

  describe('package RPC grants (manual §5.3, §8.5)', () => {
    const beep = () => as('execute', 'fix:ping', { 'device-id': 'fix-dev', note: 'hello' });
    const grant = { role: 'execute', 'package-name': 'fix', 'rpc-name': 'ping' };

    it('lets execute call <module>:<rpc> only between add- and remove-role-execution-permission', async () => {
      expect((await beep()).result).toEqual({ result: 'permission-denied' });
      expect((await boss('acme')('exodm:add-role-execution-permission', grant)).result).toEqual({ result: 'ok' });
      const accepted = await beep();
      expect(accepted.error).toBeUndefined();
      expect(accepted.result).toMatchObject({ 'rpc-status': 'accepted', final: false });
      // the grant is per RPC: the module's other RPCs stay closed, and so do other roles
      expect((await as('view', 'fix:ping', { 'device-id': 'fix-dev' })).result).toEqual({
        result: 'permission-denied',
      });
      expect((await boss('acme')('exodm:remove-role-execution-permission', grant)).result).toEqual({ result: 'ok' });
      expect((await beep()).result).toEqual({ result: 'permission-denied' });
    });

    it('grants through the manual and 1.x spellings as through the canonical names', async () => {
      const rights = await boss('acme')('exodm:add-role-execution-rights', { ...grant, 'rpc-name': 'fix:ping' });
      expect(rights.result).toEqual({ result: 'ok' });
      expect((await beep()).result?.['rpc-status']).toBe('accepted');
      const listed = await boss('acme')('list-rpc-roles', { 'package-name': 'fix', 'rpc-name': 'ping' });
      expect(listed.result).toEqual({ result: 'ok', roles: ['execute'] });
      const oneX = { role: 'execute', repository: 'user', name: 'fix.yang', rpcname: 'ping' };
      expect((await boss('acme')('exodm:remove-execution-permission', oneX)).result).toEqual({ result: 'ok' });
      expect((await beep()).result).toEqual({ result: 'permission-denied' });
      expect((await boss('acme')('exodm:add-execution-permission', oneX)).result).toEqual({ result: 'ok' });
      expect((await beep()).result?.['rpc-status']).toBe('accepted');
      const oneXList = { modulename: 'fix', rpcname: 'ping' };
      expect((await boss('acme')('exodm:list-execution-permission', oneXList)).result?.roles).toEqual(['execute']);
    });

    it('keeps a grant to its account: the same role elsewhere gains nothing', async () => {
      await boss('exodm')('exodm:create-user', { uname: 'exec-elsewhere', password: PASSWORD });
      await boss('exodm')('exodm:add-user-to-role', { role: 'execute', uname: 'exec-elsewhere' });
      const reply = await t.call('exec-elsewhere', PASSWORD, 'fix:ping', { 'device-id': 'fix-dev' });
      expect(reply.result).toEqual({ result: 'permission-denied' });
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { type Listener, listen } from './callback-listener.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

// A backend written against the real exodm 1.x server (reference docs/sources.md, the real exodm server item 1–§3): its calls, in the 1.x
// shapes and names, replayed against this server, with the answers the real server gave.

const PASSWORD = 'one-x-password';

/** The demo module of the exosense tutorial: a device RPC and the two leaves of the test config set. */
const EXODEMO = `module exodemo {
  namespace "http://feuerlabs.com/exodemo";
  prefix exodemo;
  import exosense { prefix exo; }
  leaf a { type string; }
  leaf b { type string; }
  rpc beep {
    exo:matching-notification "beep-notification";
    input { uses exo:std-request; leaf duration { type uint32; } }
    output { uses exo:std-callback; }
  }
}`;

const TPS = `module tps {
  namespace "urn:initech:tps";
  prefix tps;
  import exosense { prefix exo; }
  leaf cover-sheet-version { type uint8; }
  rpc cover-sheet { input { uses exo:std-request; } }
}`;

describe('the real server examples, as a 1.x backend sends them (docs/sources.md, the real exodm server item 1–§3)', () => {
  let t: TestServer;
  let backend: Listener;
  const acme = (method: string, params: unknown) => t.call('acme-admin', PASSWORD, method, params);

  beforeAll(async () => {
    t = await startServer();
    backend = await listen();
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('creates an account from uname, email, fullname and password, whose user logs in', async () => {
    // the real example's password is "pw": rbac refuses passwords under 8 characters (validation-failed)
    const short = await t.admin('exodm:create-account', { name: 'acme', uname: 'acme-admin', password: 'pw' });
    expect(short.result?.result).toBe('validation-failed');
    const created = await t.admin('exodm:create-account', {
      name: 'acme',
      uname: 'acme-admin',
      email: 'info@acme.com',
      fullname: 'Account',
      password: PASSWORD,
    });
    expect(created.result).toEqual({ result: 'ok', 'account-admin': 'acme-admin' });
    const user = await acme('exodm:lookup-user', { uname: 'acme-admin' });
    expect(user.result).toEqual({
      result: 'ok',
      users: [{ uname: 'acme-admin', email: 'info@acme.com', fullname: 'Account' }],
    });
  });

  it('leaves nothing behind when the account or its first user has a name rbac refuses', async () => {
    const { rbac } = t.server.context;
    const badUser = await t.admin('exodm:create-account', { name: 'acme2', uname: 'no spaces', password: PASSWORD });
    expect(badUser.result?.result).toBe('illegal-name');
    expect(rbac.hasAccount('acme2')).toBe(false);
    const badAccount = await t.admin('exodm:create-account', { name: 'acme 2', uname: 'wile', password: PASSWORD });
    expect(badAccount.result?.result).toBe('illegal-name');
    expect(rbac.hasUser('wile')).toBe(false);
    const taken = await t.admin('exodm:create-account', { name: 'acme3', uname: 'acme-admin', password: PASSWORD });
    expect(taken.result?.result).toBe('object-exists');
    expect(rbac.hasAccount('acme3')).toBe(false);
  });

  it('accepts the 1.x protocol exodm_bert for a device type, kept as the broker protocol', async () => {
    expect((await acme('exodm:create-device-type', { name: 'type1', protocol: 'exodm_bert' })).result).toEqual({
      result: 'ok',
    });
    const types = await acme('exodm:list-device-types', { n: 10, previous: '' });
    expect(types.result).toEqual({ result: 'ok', 'device-types': [{ name: 'type1', protocol: 'broker' }] });
  });

  it('walks the HOWTO: module, config set with values, devices, members, update', async () => {
    const ok = async (method: string, params: unknown) =>
      expect((await acme(method, params)).result, method).toEqual({ result: 'ok' });
    await ok('exodm:create-yang-module', { repository: 'user', name: 'exodemo.yang', 'yang-module': EXODEMO });
    await ok('exodm:create-config-set', {
      name: 'test1',
      yang: 'exodemo.yang',
      'notification-url': backend.url,
      values: { a: '1', b: 'xx' },
    });
    await ok('exodm:create-device', {
      'device-id': 'hclient',
      'device-type': 'type1',
      'server-key': 1,
      'device-key': 2,
    });
    await ok('exodm:create-device', { 'device-id': 'demo-1', 'device-type': 'type1' });
    await ok('exodm:add-config-set-members', { name: ['test1'], 'device-id': ['hclient'] });
    await ok('exodm:update-config-set', { name: 'test1', 'notification-url': backend.url, values: { a: '2' } });
    const staged = await acme('exodm:read-config-set-data', { name: 'test1', area: 'staged' });
    expect(staged.result).toEqual({ result: 'ok', values: { a: '2', b: 'xx' } });
  });

  it('lists devices as {"result":"ok","devices":[{"device-id":…}]}', async () => {
    const listed = await acme('exodm:list-devices', { n: 100, previous: '' });
    expect(listed.result?.result).toBe('ok');
    expect(((listed.result?.devices ?? []) as { 'device-id': string }[]).map((d) => d['device-id'])).toEqual([
      'demo-1',
      'hclient',
    ]);
  });

  it('lists device groups as device-groups[{group-id, notification-url}]', async () => {
    const created = await acme('exodm:create-device-group', { name: 'feuerlabs', 'notification-url': backend.url });
    expect(created.result).toEqual({ result: 'ok' });
    const listed = await acme('exodm:list-device-groups', { n: 10, previous: '' });
    expect(listed.result).toMatchObject({
      result: 'ok',
      'device-groups': [{ 'group-id': 'feuerlabs', 'notification-url': backend.url }],
    });
  });

  it('answers push-config-set with {"result":"ok"} and posts exodm:push-config-set-callback once the device completes', async () => {
    expect((await acme('exodm:push-config-set', { name: 'test1' })).result).toEqual({ result: 'ok' });
    const queue = t.server.context.queue;
    const device = queueName('acme', 'hclient');
    const [delivery] = await queue.callIn(device);
    expect(delivery?.kind).toBe('config');
    await queue.ack(device, { transactionId: delivery!.transactionId, attempt: delivery!.attempt, status: 'complete' });
    // a device-connected progress callback (final false) comes first; the real server sent only the final one
    const received = await backend.waitFor(2);
    const final = received.find((callback) => callback.body.params.final === true);
    expect(final?.body).not.toHaveProperty('id');
    expect(final?.body).toMatchObject({
      jsonrpc: '2.0',
      method: 'exodm:push-config-set-callback',
      params: {
        'transaction-id': delivery!.transactionId,
        'rpc-status': 'complete',
        'rpc-status-string': 'The operation has completed successfully.',
        final: true,
      },
    });
    await queue.idle();
    const installed = await acme('exodm:read-config-set-data', { name: 'test1', area: 'installed' });
    expect(installed.result).toEqual({ result: 'ok', values: { a: '2', b: 'xx' } });
  });

  it('answers exodemo:beep with the accepted receipt of the real example', async () => {
    // the one step a 1.x backend adds: the real server made no role check on device RPCs (decision server-device-rpcs)
    const grant = { role: 'admin', repository: 'user', name: 'exodemo.yang', rpcname: 'beep' };
    expect((await acme('exodm:add-execution-permission', grant)).result).toEqual({ result: 'ok' });
    const receipt = await acme('exodemo:beep', { 'device-id': 'demo-1', duration: 500 });
    expect(receipt.result).toEqual({
      'transaction-id': expect.stringMatching(/^[0-9]+$/),
      'rpc-status': 'accepted',
      'rpc-status-string': 'Operation has been accepted and is in progress.',
      final: false,
    });
  });

  it('answers delete-device-type of a type in use with object-not-empty, and keeps the type', async () => {
    const refused = await acme('exodm:delete-device-type', { name: 'type1' });
    expect(refused.result?.result).toBe('object-not-empty');
    const types = await acme('exodm:list-device-types', { n: 10, previous: '' });
    expect(types.result?.['device-types']).toEqual([{ name: 'type1', protocol: 'broker' }]);
  });
});

/** A 1.x call: who makes it (root, or the account's admin) and its params in the 1.x shape. */
interface OneX {
  readonly method: string;
  readonly root?: boolean;
  readonly params: Record<string, unknown>;
  /** Checks beyond `result: ok`. */
  readonly check?: (result: Record<string, unknown>) => void;
}

const INITECH = 'initech';
const HOOK = 'http://127.0.0.1:9/initech';

/**
 * docs/sources.md, the real exodm server item 1 "Implemented API (master)", every method in its 1.x name and
 * shape, in an order where each finds what the earlier ones made. (The
 * package methods are in the YANG only; the real server had no handler.)
 */
const ONE_X: readonly OneX[] = [
  {
    method: 'exodm:create-account',
    root: true,
    params: {
      name: 'initrode',
      uname: 'peter',
      email: 'peter@initrode.com',
      password: PASSWORD,
      fullname: 'Peter Gibbons',
      phone: '555-0100',
      skype: 'peter.gibbons',
      alias: ['pg'],
    },
  },
  { method: 'exodm:update-account', root: true, params: { name: 'initrode' } },
  {
    method: 'exodm:lookup-account',
    root: true,
    params: { name: 'initrode' },
    check: (r) => expect(r.accounts).toEqual([{ name: 'initrode' }]),
  },
  {
    method: 'exodm:list-accounts',
    root: true,
    params: { n: 10, previous: '' },
    check: (r) => expect(r.accounts).toContainEqual({ name: 'initrode' }),
  },
  { method: 'exodm:add-account-users', params: { account: INITECH, role: 'view', unames: ['milton'] } },
  {
    method: 'exodm:list-account-users',
    params: { account: INITECH, n: 10, previous: '', direction: 'ascending' },
    check: (r) => expect(r.users).toContainEqual({ name: 'milton', roles: ['view'] }),
  },
  { method: 'exodm:remove-account-users', params: { account: INITECH, role: 'view', unames: ['milton'] } },
  { method: 'exodm:remove-account-user', params: { account: INITECH, uname: 'bill' } },
  {
    method: 'exodm:list-account-roles',
    params: { account: INITECH, n: 10, previous: '' },
    check: (r) => expect(r.roles).toContain('admin'),
  },
  {
    method: 'exodm:set-mblox-parameters',
    params: {
      account: INITECH,
      'application-id': 'initech-app',
      'originating-msisdn': '46700000000',
      'consumer-key': 'consumer',
      'secret-key': 'never-read-back',
      token: 'token-1',
    },
  },
  {
    method: 'exodm:get-mblox-parameters',
    params: { account: INITECH },
    check: (r) =>
      expect(r).toEqual({
        result: 'ok',
        'application-id': 'initech-app',
        'originating-msisdn': '46700000000',
        'consumer-key': 'consumer',
        token: 'token-1',
      }),
  },
  { method: 'exodm:delete-mblox-parameters', params: { account: INITECH } },
  {
    method: 'exodm:create-user',
    params: {
      uname: 'samir',
      email: 'samir@initech.com',
      password: PASSWORD,
      fullname: 'Samir Nagheenanajar',
      phone: '555-0101',
      skype: 'samir.n',
      alias: ['sn'],
    },
  },
  { method: 'exodm:update-user', params: { uname: 'samir', email: 'samir@initech.example', password: PASSWORD } },
  {
    method: 'exodm:lookup-user',
    params: { uname: 'samir' },
    check: (r) => expect(r.users).toMatchObject([{ uname: 'samir', email: 'samir@initech.example' }]),
  },
  {
    method: 'exodm:list-user-accounts',
    params: { uname: 'samir' },
    check: (r) => expect(r.accounts).toEqual([{ name: INITECH, roles: [] }]),
  },
  {
    method: 'exodm:list-users',
    params: { n: 10, previous: '', direction: 'ascending', account: INITECH },
    check: (r) => expect(r.users).toContainEqual({ uname: 'samir' }),
  },
  { method: 'exodm:delete-user', params: { uname: 'samir' } },
  {
    method: 'exodm:create-device',
    params: {
      'device-id': 'tps-1',
      'device-type': 'printer',
      description: 'second floor',
      'server-key': 11,
      'device-key': 12,
      'session-timeout': 600,
      msisdn: '46700000001',
      imsi: '240010000000001',
      imei: '350000000000001',
      latitude: 59.3293,
      longitude: 18.0686,
      account: INITECH,
    },
  },
  { method: 'exodm:update-device', params: { 'device-id': 'tps-1', 'device-type': 'printer', msisdn: '46700000002' } },
  {
    method: 'exodm:lookup-device',
    params: { 'device-id': 'tps-1', account: INITECH },
    check: (r) => expect(r.devices).toMatchObject([{ 'device-id': 'tps-1', msisdn: '46700000002' }]),
  },
  {
    method: 'exodm:lookup-device-attributes',
    params: { 'device-id': 'tps-1', attributes: ['msisdn', 'is-connected'] },
    check: (r) =>
      expect(r.attributes).toEqual([
        { name: 'msisdn', val: '46700000002' },
        { name: 'is-connected', val: 'false' },
      ]),
  },
  {
    method: 'exodm:list-devices',
    params: { n: 10, previous: '', account: INITECH },
    check: (r) => expect(r.devices).toMatchObject([{ 'device-id': 'tps-1' }]),
  },
  {
    method: 'exodm:list-devices-attributes',
    params: { n: 10, previous: '', attributes: ['msisdn'], pattern: 'tps-*', direction: 'ascending' },
    check: (r) =>
      expect(r.devices).toEqual([{ 'device-id': 'tps-1', attributes: [{ name: 'msisdn', val: '46700000002' }] }]),
  },
  { method: 'exodm:create-device-group', params: { name: 'floor-2', 'notification-url': HOOK } },
  { method: 'exodm:update-device-group', params: { 'group-id': 'floor-2', 'notification-url': `${HOOK}/2` } },
  { method: 'exodm:add-device-group-members', params: { 'group-id': ['floor-2'], 'device-id': ['tps-1'] } },
  {
    method: 'exodm:list-device-groups',
    params: { n: 10, previous: '', 'device-id': 'tps-1' },
    check: (r) =>
      expect(r['device-groups']).toMatchObject([{ 'group-id': 'floor-2', 'notification-url': `${HOOK}/2` }]),
  },
  {
    method: 'exodm:list-device-group-members',
    params: { 'group-id': 'floor-2', n: 10, previous: '' },
    check: (r) => expect(r['device-group-members']).toEqual(['tps-1']),
  },
  { method: 'exodm:remove-device-group-members', params: { 'group-id': ['floor-2'], 'device-id': ['tps-1'] } },
  { method: 'exodm:delete-device-group', params: { 'group-id': 'floor-2' } },
  { method: 'exodm:create-device-type', params: { name: 'copier', protocol: 'exodm_bert' } },
  { method: 'exodm:update-device-type', params: { name: 'copier', protocol: 'exoport_http' } },
  {
    method: 'exodm:list-device-types',
    params: { n: 10, previous: '' },
    check: (r) => expect(r['device-types']).toContainEqual({ name: 'copier', protocol: 'exoport-http' }),
  },
  {
    method: 'exodm:list-device-type-members',
    params: { name: 'printer', n: 10, previous: '' },
    check: (r) => expect(r['device-type-members']).toEqual(['tps-1']),
  },
  { method: 'exodm:delete-device-type', params: { name: 'copier' } },
  { method: 'exodm:create-yang-module', params: { repository: 'user', name: 'tps.yang', 'yang-module': TPS } },
  {
    method: 'exodm:lookup-yang-module',
    params: { repository: 'user', name: 'tps.yang' },
    check: (r) => expect(r['yang-modules']).toMatchObject([{ name: 'tps.yang', 'yang-module': TPS }]),
  },
  {
    method: 'exodm:list-yang-modules',
    params: { repository: 'user', n: 10, previous: '', direction: 'ascending' },
    check: (r) => expect(r['yang-modules']).toEqual(['tps.yang']),
  },
  {
    method: 'exodm:create-config-set',
    params: { name: 'cs1', yang: 'tps.yang', 'notification-url': HOOK, values: { 'cover-sheet-version': 1 } },
  },
  { method: 'exodm:update-config-set', params: { name: 'cs1', values: { 'cover-sheet-version': 2 } } },
  {
    method: 'exodm:list-config-sets',
    params: { n: 10, previous: '' },
    check: (r) => expect(r['config-sets']).toEqual([{ name: 'cs1', yang: 'tps.yang', 'notification-url': HOOK }]),
  },
  { method: 'exodm:add-config-set-members', params: { name: ['cs1'], 'device-id': ['tps-1'] } },
  {
    method: 'exodm:list-config-set-members',
    params: { name: 'cs1', n: 10, previous: '' },
    check: (r) => expect(r['config-set-members']).toEqual(['tps-1']),
  },
  {
    method: 'exodm:read-config-set-data',
    params: { name: 'cs1', area: 'staged' },
    check: (r) => expect(r.values).toEqual({ 'cover-sheet-version': 2 }),
  },
  { method: 'exodm:push-config-set', params: { name: 'cs1' } },
  {
    method: 'exodm:add-notification-urls',
    params: { 'device-id': 'tps-1', urls: [{ 'config-set': 'cs1', 'notification-url': `${HOOK}/tps-1` }] },
  },
  { method: 'exodm:delete-notification-urls', params: { 'device-id': 'tps-1', 'config-sets': ['cs1'] } },
  { method: 'exodm:remove-config-set-members', params: { name: ['cs1'], 'device-id': ['tps-1'] } },
  {
    method: 'exodm:add-execution-permission',
    params: { repository: 'user', name: 'tps.yang', rpcname: 'cover-sheet', role: 'execute' },
  },
  {
    method: 'exodm:list-execution-permission',
    params: { repository: 'user', modulename: 'tps', rpcname: 'cover-sheet' },
    check: (r) => expect(r.roles).toEqual(['execute']),
  },
  {
    method: 'exodm:remove-execution-permission',
    params: { repository: 'user', name: 'tps.yang', rpcname: 'cover-sheet', role: 'execute' },
  },
  { method: 'exodm:delete-config-set', params: { name: 'cs1' } },
  { method: 'exodm:delete-yang-module', params: { repository: 'user', name: 'tps.yang' } },
  { method: 'exodm:delete-devices', params: { 'device-id': ['tps-1'], account: INITECH } },
  { method: 'exodm:delete-account', root: true, params: { name: 'initrode' } },
];

describe('every method of the 1.x API, in its 1.x shape (docs/sources.md, the real exodm server item 1 Implemented API)', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startServer();
    const ok = async (reply: Promise<RpcReply>) => expect((await reply).result?.result).toBe('ok');
    await ok(t.admin('exodm:create-account', { name: INITECH, uname: 'lumbergh', password: PASSWORD }));
    await ok(t.admin('exodm:create-account', { name: 'chotchkies', password: PASSWORD }));
    const initech = (method: string, params: unknown) => t.call('lumbergh', PASSWORD, method, params);
    await ok(t.call('chotchkies-admin', PASSWORD, 'exodm:create-user', { uname: 'milton', password: PASSWORD }));
    await ok(initech('exodm:create-user', { uname: 'bill', password: PASSWORD }));
    await ok(initech('exodm:create-device-type', { name: 'printer', protocol: 'exoport_http' }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('covers the whole list of docs/sources.md, the real exodm server item 1, once each', () => {
    const names = ONE_X.map((call) => call.method.slice('exodm:'.length));
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(
      [
        ...['create-account', 'update-account', 'delete-account', 'lookup-account', 'list-accounts'],
        ...['add-account-users', 'remove-account-users', 'remove-account-user', 'list-account-users'],
        ...['list-account-roles', 'set-mblox-parameters', 'get-mblox-parameters', 'delete-mblox-parameters'],
        ...['create-user', 'update-user', 'delete-user', 'lookup-user', 'list-user-accounts', 'list-users'],
        ...['create-device', 'update-device', 'lookup-device', 'lookup-device-attributes', 'list-devices'],
        ...['list-devices-attributes', 'delete-devices'],
        ...['create-device-group', 'delete-device-group', 'update-device-group', 'list-device-groups'],
        ...['list-device-group-members', 'add-device-group-members', 'remove-device-group-members'],
        ...['create-device-type', 'update-device-type', 'delete-device-type', 'list-device-types'],
        ...['list-device-type-members'],
        ...['create-config-set', 'update-config-set', 'delete-config-set', 'list-config-sets'],
        ...['list-config-set-members', 'add-config-set-members', 'remove-config-set-members'],
        ...['read-config-set-data', 'push-config-set', 'add-notification-urls', 'delete-notification-urls'],
        ...['create-yang-module', 'delete-yang-module', 'lookup-yang-module', 'list-yang-modules'],
        ...['add-execution-permission', 'remove-execution-permission', 'list-execution-permission'],
      ].sort(),
    );
  });

  it("forgets an account's mblox parameters with the account: a new account of that name starts without", async () => {
    const umbrella = (method: string, params: unknown) => t.call('umbrella-admin', PASSWORD, method, params);
    const parameters = {
      'application-id': 'umbrella-app',
      'originating-msisdn': '46700000009',
      'consumer-key': 'umbrella',
      'secret-key': 'umbrella-secret',
    };
    expect((await t.admin('exodm:create-account', { name: 'umbrella', password: PASSWORD })).result?.result).toBe('ok');
    expect((await umbrella('exodm:set-mblox-parameters', parameters)).result).toEqual({ result: 'ok' });
    expect((await t.admin('exodm:delete-account', { name: 'umbrella' })).result).toEqual({ result: 'ok' });
    expect((await t.admin('exodm:create-account', { name: 'umbrella', password: PASSWORD })).result?.result).toBe('ok');
    expect((await umbrella('exodm:get-mblox-parameters', {})).result?.result).toBe('object-not-found');
  });

  it.each(ONE_X)('$method answers ok', async ({ method, root, params, check }) => {
    const reply = root === true ? await t.admin(method, params) : await t.call('lumbergh', PASSWORD, method, params);
    expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
    expect(reply.result?.result, JSON.stringify(reply.result)).toBe('ok');
    check?.(reply.result!);
  });
});

import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

// Issue 16 "Must show": every kind of bad input gets one precise answer, and
// nothing changes — each case reads the state of both accounts back before
// and after the call and compares.

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };
const OLGA = { login: 'olga', password: 'olga-password' };
const HOOK = 'http://127.0.0.1:9/hook';

const FIX = `module fix {
  namespace "urn:test:fix";
  prefix fix;
  import exosense { prefix exo; }
  revision 2024-01-01;
  container settings { leaf level { type uint8; } }
  rpc ping { input { uses exo:std-request; leaf note { type string; } } }
}`;

const EXTRA = `module extra {
  namespace "urn:test:extra";
  prefix extra;
  leaf note { type string; }
}`;

/** The paths of a -32602 answer's issues. */
function issuePaths(reply: RpcReply): unknown[] {
  return ((reply.error?.data ?? { issues: [] }) as { issues: { path: unknown }[] }).issues.map((issue) => issue.path);
}

describe('bad input over HTTP: a precise answer each, and nothing changed', () => {
  let t: TestServer;
  let rpcUrl: string;
  const acme = (method: string, params?: unknown) => t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown) => t.call(GLOBEX.login, GLOBEX.password, method, params);

  /** Everything a bad call could have changed, read back through the API and the queue. */
  async function state(): Promise<unknown> {
    const read = async (as: typeof acme, method: string, params: Record<string, unknown>) => {
      const reply = await as(method, params);
      expect(reply.result?.result, `${method}: ${JSON.stringify(reply.error ?? reply.result)}`).toBe('ok');
      return reply.result;
    };
    const lists = async (as: typeof acme) => ({
      users: await read(as, 'exodm:list-account-users', { n: 100 }),
      types: await read(as, 'exodm:list-device-types', { n: 100 }),
      devices: await read(as, 'exodm:list-devices', { n: 100 }),
      groups: await read(as, 'exodm:list-device-groups', { n: 100 }),
      modules: await read(as, 'exodm:list-yang-modules', { n: 100 }),
      sets: await read(as, 'exodm:list-config-sets', { n: 100 }),
      grants: await read(as, 'exodm:list-execution-permissions', { 'package-name': 'fix', 'rpc-name': 'ping' }),
    });
    const { rbac, queue } = t.server.context;
    return {
      accounts: rbac.accounts(),
      users: rbac.users().map((user) => ({ user, accounts: rbac.accountsOf(user) })),
      acme: {
        ...(await lists(acme)),
        members: await read(acme, 'exodm:list-device-group-members', { 'group-name': 'floor-1', n: 100 }),
        setMembers: await read(acme, 'exodm:list-config-set-members', { name: 'fix-set', n: 100 }),
        setData: await read(acme, 'exodm:read-config-set-data', { name: 'fix-set', area: 'staged' }),
        data: await read(acme, 'exodm:read-config-data', { 'device-id': 'm-1', module: 'fix', area: 'staged' }),
        queued: await queue.list({ device: queueName('acme', 'm-1') }),
        module: await read(acme, 'exodm:lookup-yang-module', { name: 'extra.yang' }),
        mblox: await read(acme, 'exodm:get-mblox-parameters', {}),
      },
      globex: await lists(globex),
    };
  }

  /** Runs a bad call and checks that both accounts read back exactly as before. */
  async function unchanged(call: () => Promise<RpcReply>): Promise<RpcReply> {
    const before = await state();
    const reply = await call();
    expect(await state()).toEqual(before);
    return reply;
  }

  async function post(body: BodyInit, headers: Record<string, string> = {}, login = ACME): Promise<Response> {
    return fetch(rpcUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuthHeader(login.login, login.password),
        ...headers,
      },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  }

  beforeAll(async () => {
    t = await startServer();
    rpcUrl = new URL('exodm/rpc', t.url).toString();
    const ok = async (reply: Promise<RpcReply>) => expect((await reply).result?.result).toBe('ok');
    await ok(t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password }));
    await ok(t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password }));
    for (const as of [acme, globex]) {
      await ok(as('exodm:create-yang-module', { name: 'fix.yang', 'yang-module': FIX }));
      await ok(as('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'fix', 'rpc-name': 'ping' }));
    }
    await ok(acme('exodm:create-user', { uname: OLGA.login, password: OLGA.password, email: 'o@acme.com' }));
    await ok(acme('exodm:add-user-to-role', { role: 'view', uname: OLGA.login }));
    await ok(acme('exodm:create-device-type', { name: 'meter', protocol: 'fleetkit-http' }));
    await ok(acme('exodm:create-device', { 'device-id': 'm-1', 'device-type': 'meter', description: 'basement' }));
    await ok(acme('exodm:create-device-group', { 'group-name': 'floor-1', 'notification-url': HOOK }));
    await ok(acme('exodm:add-device-group-members', { 'group-name': 'floor-1', 'device-id': ['m-1'] }));
    await ok(
      acme('exodm:create-config-set', { name: 'fix-set', yang: 'fix.yang', values: { settings: { level: 1 } } }),
    );
    await ok(acme('exodm:add-config-set-members', { name: 'fix-set', 'device-id': 'm-1' }));
    await ok(
      acme('exodm:update-config-data', { 'device-id': 'm-1', module: 'fix', values: { settings: { level: 2 } } }),
    );
    const queued = await acme('fix:ping', { 'device-id': 'm-1', note: 'queued before' });
    expect(queued.result?.['rpc-status']).toBe('accepted');
    await ok(acme('exodm:create-yang-module', { name: 'extra.yang', 'yang-module': EXTRA }));
    await ok(globex('exodm:create-device-type', { name: 'sensor', protocol: 'broker' }));
    await ok(
      acme('exodm:set-mblox-parameters', {
        'application-id': 'acme-app',
        'originating-msisdn': '46700000000',
        'consumer-key': 'acme-consumer',
        'secret-key': 'acme-secret',
      }),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  describe('malformed requests', () => {
    it('answers a body that is not JSON with -32700 and a null id', async () => {
      const response = await unchanged(async () => {
        const raw = await post('{"jsonrpc":"2.0","method":"exodm:create-device","params":{"device-id":');
        return { status: raw.status, ...(await raw.json()) } as RpcReply;
      });
      expect(response.status).toBe(200);
      expect(response).toMatchObject({ error: { code: -32700 }, id: null });
    });

    it('answers a request object without a method with -32600', async () => {
      const raw = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, params: { n: 1 } }));
      expect((await raw.json()).error.code).toBe(-32600);
    });

    it('answers params given as a list, where the methods take an object, with -32602', async () => {
      const reply = await unchanged(() => acme('exodm:create-device', ['m-9', 'meter']));
      expect(reply.error?.code).toBe(-32602);
    });
  });

  describe('wrong types: -32602 naming the param, for every family', () => {
    const cases: { family: string; method: string; params: Record<string, unknown>; path: unknown[] }[] = [
      { family: 'accounts', method: 'exodm:create-account', params: { name: 42, password: 'pw' }, path: ['name'] },
      {
        family: 'accounts',
        method: 'exodm:create-account',
        params: { name: 'initech', password: 'pw', alias: ['ini', 7] },
        path: ['alias', 1],
      },
      {
        family: 'users',
        method: 'exodm:create-user',
        params: { uname: 'ursula', password: 'pw', email: 12 },
        path: ['email'],
      },
      { family: 'users', method: 'exodm:update-user', params: { uname: 'olga', password: false }, path: ['password'] },
      { family: 'roles', method: 'exodm:add-user-to-role', params: { role: 'king', uname: 'olga' }, path: ['role'] },
      {
        family: 'roles',
        method: 'exodm:add-role-execution-permission',
        params: { role: 'view', 'package-name': 'fix', 'rpc-name': 3 },
        path: ['rpc-name'],
      },
      {
        family: 'devices',
        method: 'exodm:create-device',
        params: { 'device-id': 'm-9', 'device-type': 'meter', latitude: 91 },
        path: ['latitude'],
      },
      {
        family: 'devices',
        method: 'exodm:update-device',
        params: { 'device-id': 'm-1', 'session-timeout': -1 },
        path: ['session-timeout'],
      },
      { family: 'devices', method: 'exodm:list-devices', params: { n: 'ten' }, path: ['n'] },
      {
        family: 'device types',
        method: 'exodm:create-device-type',
        params: { name: 'gadget', protocol: 'carrier-pigeon' },
        path: ['protocol'],
      },
      {
        family: 'device types',
        method: 'exodm:update-device-type',
        params: { name: 'meter', description: { long: true } },
        path: ['description'],
      },
      {
        family: 'groups',
        method: 'exodm:create-device-group',
        params: { 'group-name': 'floor-2', 'notification-url': 'ftp://files.example.com/' },
        path: ['notification-url'],
      },
      {
        family: 'groups',
        method: 'exodm:add-device-group-members',
        params: { 'group-name': 'floor-1', 'device-id': ['m-1', 'm-2'], primary: 'yes' },
        path: ['primary'],
      },
      {
        family: 'yang modules',
        method: 'exodm:create-yang-module',
        params: { name: 'other.yang', 'yang-module': 5 },
        path: ['yang-module'],
      },
      {
        family: 'yang modules',
        method: 'exodm:create-yang-module',
        params: { name: 'other.yang', repository: 'galaxy', 'yang-module': FIX },
        path: ['repository'],
      },
      {
        family: 'config sets',
        method: 'exodm:create-config-set',
        params: { name: 'set-2', yang: 'fix.yang', values: 'level=3' },
        path: ['values'],
      },
      {
        family: 'config sets',
        method: 'exodm:read-config-set-data',
        params: { name: 'fix-set', area: 'attic' },
        path: ['area'],
      },
      {
        family: 'config data',
        method: 'exodm:update-config-data',
        params: { 'device-id': 'm-1', module: 'fix', values: [3] },
        path: ['values'],
      },
      {
        family: 'config data',
        method: 'exodm:push-config-data',
        params: { 'device-id': 'm-1', timeout: '{in 3 fortnights}' },
        path: ['timeout'],
      },
      { family: 'device RPCs', method: 'fix:ping', params: { 'device-id': 'm-1', note: 5 }, path: ['note'] },
      {
        family: 'device RPCs',
        method: 'fix:ping',
        params: { 'device-id': 'm-1', 'transaction-id': 'first' },
        path: ['transaction-id'],
      },
    ];

    it.each(cases)('$family: $method with a wrong $path', async ({ method, params, path }) => {
      const reply = await unchanged(() => (method === 'exodm:create-account' ? t.admin : acme)(method, params));
      expect(reply.status).toBe(200);
      expect(reply.error?.code).toBe(-32602);
      expect(issuePaths(reply)).toContainEqual(path);
    });

    it('answers values the YANG module refuses with validation-failed and the YANG path', async () => {
      const reply = await unchanged(() =>
        acme('exodm:update-config-data', { 'device-id': 'm-1', module: 'fix', values: { settings: { level: 300 } } }),
      );
      expect(reply.result?.result).toBe('validation-failed');
      expect(reply.result?.reason).toContain('/fix:settings/level');
      const set = await unchanged(() =>
        acme('exodm:update-config-set', { name: 'fix-set', values: { settings: { level: -1 } } }),
      );
      expect(set.result?.result).toBe('validation-failed');
    });
  });

  describe('unknown methods and modules', () => {
    it('answers an unknown built-in method with -32601, in every spelling', async () => {
      for (const method of ['exodm:no-such-method', 'no-such-method', 'exodm:create-devices']) {
        const reply = await unchanged(() => acme(method, { 'device-id': 'm-1' }));
        expect(reply.error?.code, method).toBe(-32601);
        expect(reply.result).toBeUndefined();
      }
    });

    it('answers -32601 to a caller granted an RPC of a module or RPC that is not there', async () => {
      await acme('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'ghost', 'rpc-name': 'boo' });
      await acme('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'fix', 'rpc-name': 'pong' });
      const ghost = await unchanged(() => acme('ghost:boo', { 'device-id': 'm-1' }));
      expect(ghost.error?.code).toBe(-32601);
      const pong = await unchanged(() => acme('fix:pong', { 'device-id': 'm-1' }));
      expect(pong.error?.code).toBe(-32601);
    });

    it('answers permission-denied to an ungranted caller, whether or not the module exists (decision server-device-rpcs)', async () => {
      for (const method of ['spectre:boo', 'fix:ping']) {
        const reply = await unchanged(() => t.call(OLGA.login, OLGA.password, method, { 'device-id': 'm-1' }));
        expect(reply.result).toEqual({ result: 'permission-denied' });
      }
    });
  });

  describe('oversize bodies', () => {
    const limit = 1 << 20;
    const bigCall = () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'exodm:create-device',
        params: { 'device-id': 'm-big', 'device-type': 'meter', description: 'x'.repeat(limit) },
      });

    it('answers a body over maxBodyBytes with 413, before reading it', async () => {
      const response = await unchanged(async () => {
        const raw = await post(bigCall());
        await raw.text();
        return { status: raw.status } as RpcReply;
      });
      expect(response.status).toBe(413);
    });

    it('answers 413 to a streamed body without a length once it passes the limit', async () => {
      const text = new TextEncoder().encode(bigCall());
      const response = await unchanged(async () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < text.length; at += 64 * 1024) controller.enqueue(text.slice(at, at + 64 * 1024));
            controller.close();
          },
        });
        const raw = await post(body);
        await raw.text();
        return { status: raw.status } as RpcReply;
      });
      expect(response.status).toBe(413);
    });
  });

  describe('wrong credentials', () => {
    const create = { 'device-id': 'm-7', 'device-type': 'meter' };

    it('answers 401 to a wrong password, an unknown user and a missing Authorization header', async () => {
      const wrong = await unchanged(() => t.call(ACME.login, 'not-the-password', 'exodm:create-device', create));
      expect(wrong.status).toBe(401);
      const nobody = await unchanged(() => t.call('nobody', 'whatever', 'exodm:create-device', create));
      expect(nobody.status).toBe(401);
      const anonymous = await unchanged(async () => {
        const raw = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'exodm:create-device', params: create }),
        });
        expect(raw.headers.get('www-authenticate')).toMatch(/^Basic/);
        await raw.text();
        return { status: raw.status } as RpcReply;
      });
      expect(anonymous.status).toBe(401);
    });

    it('refuses a right password for an account the user is not a member of with permission-denied', async () => {
      const login = await unchanged(() =>
        t.call(`*globex*${ACME.login}`, ACME.password, 'exodm:create-device', create),
      );
      expect(login.result).toEqual({ result: 'permission-denied' });
      const param = await unchanged(() => acme('exodm:create-device', { ...create, account: 'globex' }));
      expect(param.result).toEqual({ result: 'permission-denied' });
    });
  });

  describe("another account's ids, for every family", () => {
    const cases: { family: string; method: string; params: Record<string, unknown>; result: string }[] = [
      { family: 'accounts', method: 'exodm:delete-account', params: { name: 'acme' }, result: 'permission-denied' },
      {
        family: 'accounts',
        method: 'exodm:list-devices',
        params: { account: 'acme', n: 10 },
        result: 'permission-denied',
      },
      { family: 'users', method: 'exodm:lookup-user', params: { uname: 'olga' }, result: 'object-not-found' },
      {
        family: 'users',
        method: 'exodm:update-user',
        params: { uname: 'olga', password: 'taken-over' },
        result: 'object-not-found',
      },
      { family: 'users', method: 'exodm:delete-user', params: { uname: 'olga' }, result: 'object-not-found' },
      { family: 'users', method: 'exodm:list-user-accounts', params: { uname: 'olga' }, result: 'object-not-found' },
      {
        family: 'roles',
        method: 'exodm:add-user-to-role',
        params: { role: 'admin', uname: 'olga' },
        result: 'object-not-found',
      },
      {
        family: 'roles',
        method: 'exodm:remove-user-from-account',
        params: { uname: 'olga' },
        result: 'object-not-found',
      },
      { family: 'devices', method: 'exodm:lookup-device', params: { 'device-id': 'm-1' }, result: 'device-not-found' },
      {
        family: 'devices',
        method: 'exodm:lookup-device-attributes',
        params: { 'device-id': 'm-1', attributes: ['description'] },
        result: 'device-not-found',
      },
      {
        family: 'devices',
        method: 'exodm:update-device',
        params: { 'device-id': 'm-1', description: 'hijacked' },
        result: 'object-not-found',
      },
      {
        family: 'devices',
        method: 'exodm:delete-devices',
        params: { 'device-id': ['m-1'] },
        result: 'object-not-found',
      },
      {
        family: 'device types',
        method: 'exodm:update-device-type',
        params: { name: 'meter', protocol: 'broker' },
        result: 'object-not-found',
      },
      {
        family: 'device types',
        method: 'exodm:delete-device-type',
        params: { name: 'meter' },
        result: 'object-not-found',
      },
      {
        family: 'device types',
        method: 'exodm:list-device-type-members',
        params: { name: 'meter', n: 10 },
        result: 'object-not-found',
      },
      {
        family: 'groups',
        method: 'exodm:update-device-group',
        params: { 'group-name': 'floor-1', 'notification-url': 'http://127.0.0.1:9/stolen' },
        result: 'object-not-found',
      },
      {
        family: 'groups',
        method: 'exodm:delete-device-group',
        params: { 'group-id': 'floor-1' },
        result: 'object-not-found',
      },
      {
        family: 'groups',
        method: 'exodm:list-device-group-members',
        params: { 'group-name': 'floor-1', n: 10 },
        result: 'object-not-found',
      },
      {
        family: 'groups',
        method: 'exodm:remove-device-group-members',
        params: { 'group-name': 'floor-1', 'device-id': ['m-1'] },
        result: 'object-not-found',
      },
      {
        family: 'yang modules',
        method: 'exodm:delete-yang-module',
        params: { name: 'extra.yang' },
        result: 'object-not-found',
      },
      {
        family: 'yang modules',
        method: 'exodm:lookup-yang-module',
        params: { name: 'extra.yang' },
        result: 'object-not-found',
      },
      {
        family: 'config sets',
        method: 'exodm:update-config-set',
        params: { name: 'fix-set', values: { settings: { level: 9 } } },
        result: 'object-not-found',
      },
      {
        family: 'config sets',
        method: 'exodm:push-config-set',
        params: { name: 'fix-set' },
        result: 'object-not-found',
      },
      {
        family: 'config sets',
        method: 'exodm:delete-config-set',
        params: { name: 'fix-set' },
        result: 'object-not-found',
      },
      {
        family: 'config sets',
        method: 'exodm:add-config-set-members',
        params: { name: 'fix-set', 'device-id': 'm-1' },
        result: 'object-not-found',
      },
      {
        family: 'config data',
        method: 'exodm:update-config-data',
        params: { 'device-id': 'm-1', module: 'fix', values: { settings: { level: 9 } } },
        result: 'device-not-found',
      },
      {
        family: 'config data',
        method: 'exodm:push-config-data',
        params: { 'device-id': 'm-1' },
        result: 'device-not-found',
      },
      {
        family: 'config data',
        method: 'exodm:read-config-data',
        params: { 'device-id': 'm-1', module: 'fix' },
        result: 'device-not-found',
      },
      { family: 'account settings', method: 'exodm:get-mblox-parameters', params: {}, result: 'object-not-found' },
      { family: 'account settings', method: 'exodm:delete-mblox-parameters', params: {}, result: 'object-not-found' },
      { family: 'device RPCs', method: 'fix:ping', params: { 'device-id': 'm-1' }, result: 'device-not-found' },
      { family: 'device RPCs', method: 'fix:ping', params: { 'device-id': 'floor-1' }, result: 'device-not-found' },
    ];

    it.each(cases)('$family: $method on acme’s ids answers $result', async ({ method, params, result }) => {
      const reply = await unchanged(() => globex(method, params));
      expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
      expect(reply.result?.result).toBe(result);
      if (result === 'permission-denied') expect(reply.result).toEqual({ result });
    });

    it("does not let another account's admin log in with olga's password after a refused update", async () => {
      expect((await t.call(OLGA.login, OLGA.password, 'exodm:list-devices', { n: 1 })).result?.result).toBe('ok');
    });
  });
});

import { openSqlite } from '@fleetkit/core/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modulesOf } from '../src/modules.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };

/** A module with configuration data and one device RPC using exosense's request and callback groupings. */
function rfzone(revision: string, extra = ''): string {
  return `module rfzone {
  namespace "urn:acme:rfzone";
  prefix rf;
  import exosense { prefix exo; }
  revision ${revision};
  container config { leaf host { type string; } }
  rpc beep {
    exo:matching-notification "beep-callback";
    input { uses exo:std-request; leaf duration { type uint32; } }
    output { uses exo:std-callback; }
  }
  ${extra}
}`;
}

const UART = `module uart {
  namespace "urn:acme:uart";
  prefix uart;
  typedef baud { type uint32 { range "300..115200"; } }
}`;

const SERIAL = `module serial {
  namespace "urn:acme:serial";
  prefix serial;
  import uart { prefix uart; }
  container port { leaf speed { type uart:baud; } }
}`;

describe('YANG modules over HTTP (manual §5.9, docs/sources.md, the real exodm server item 1)', () => {
  let t: TestServer;
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);

  beforeAll(async () => {
    t = await startServer({ settings: { maxModuleBytes: 4000 } });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores a module that imports the built-in exosense, and lists and looks it up', async () => {
    const created = await acme('exodm:create-yang-module', {
      repository: 'account',
      name: 'rfzone.yang',
      'yang-module': rfzone('2013-01-01'),
    });
    expect(created.result).toEqual({ result: 'ok' });
    const list = await acme('exodm:list-yang-modules', { n: 10 });
    expect(list.result).toEqual({ result: 'ok', 'yang-modules': ['rfzone.yang'] });
    const found = await acme('exodm:lookup-yang-module', { repository: 'user', name: 'rfzone.yang' });
    expect(found.result).toEqual({
      result: 'ok',
      'yang-modules': [
        {
          name: 'rfzone.yang',
          repository: 'account',
          module: 'rfzone',
          revision: '2013-01-01',
          'yang-module': rfzone('2013-01-01'),
        },
      ],
    });
  });

  it('answers validation-failed with the compiler message and position, and stores nothing', async () => {
    const broken = `module broken {\n  namespace "urn:b";\n  prefix b;\n  leaf speed { type uart:baud; }\n}`;
    const reply = await acme('exodm:create-yang-module', {
      repository: 'user',
      name: 'broken.yang',
      'yang-module': broken,
    });
    expect(reply.result?.result).toBe('validation-failed');
    expect(reply.result?.reason).toMatch(/^broken\.yang:4:\d+: /);
    const syntax = await acme('exodm:create-yang-module', { name: 'syntax.yang', 'yang-module': 'module x {' });
    expect(syntax.result?.result).toBe('validation-failed');
    const list = await acme('exodm:list-yang-modules', { n: 10 });
    expect(list.result?.['yang-modules']).toEqual(['rfzone.yang']);
  });

  it("resolves imports within the account only: another account's module is not there", async () => {
    expect((await acme('exodm:create-yang-module', { name: 'uart.yang', 'yang-module': UART })).result).toEqual({
      result: 'ok',
    });
    expect((await acme('exodm:create-yang-module', { name: 'serial.yang', 'yang-module': SERIAL })).result).toEqual({
      result: 'ok',
    });
    const foreign = await globex('exodm:create-yang-module', { name: 'serial.yang', 'yang-module': SERIAL });
    expect(foreign.result?.result).toBe('validation-failed');
    expect(foreign.result?.reason).toContain('uart');
    expect((await globex('exodm:lookup-yang-module', { name: 'uart.yang' })).result?.result).toBe('object-not-found');
    expect((await globex('exodm:list-yang-modules', { n: 10 })).result?.['yang-modules']).toEqual([]);
  });

  it('keeps a module others import, and deletes it once nothing does', async () => {
    const busy = await acme('exodm:delete-yang-module', { repository: 'user', name: 'uart.yang' });
    expect(busy.result?.result).toBe('object-not-empty');
    expect((await acme('exodm:delete-yang-module', { name: 'serial.yang' })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:delete-yang-module', { name: 'uart.yang' })).result).toEqual({ result: 'ok' });
    expect((await acme('exodm:delete-yang-module', { name: 'uart.yang' })).result?.result).toBe('object-not-found');
  });

  it('refuses a replacement that would break a module importing it', async () => {
    await acme('exodm:create-yang-module', { name: 'uart.yang', 'yang-module': UART });
    await acme('exodm:create-yang-module', { name: 'serial.yang', 'yang-module': SERIAL });
    const withoutBaud = UART.replace('typedef baud { type uint32 { range "300..115200"; } }', 'revision 2020-01-01;');
    const reply = await acme('exodm:create-yang-module', { name: 'uart.yang', 'yang-module': withoutBaud });
    expect(reply.result?.result).toBe('validation-failed');
    expect(reply.result?.reason).toContain('serial.yang');
  });

  it('replaces a file with a newer revision only; the same or an older one is object-exists', async () => {
    const same = await acme('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': rfzone('2013-01-01') });
    expect(same.result?.result).toBe('object-exists');
    const older = await acme('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': rfzone('2012-01-01') });
    expect(older.result?.result).toBe('object-exists');
    const twin = await acme('exodm:create-yang-module', { name: 'rfzone2.yang', 'yang-module': rfzone('2014-01-01') });
    expect(twin.result?.result).toBe('object-exists');
    const newer = await acme('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': rfzone('2014-01-01') });
    expect(newer.result).toEqual({ result: 'ok' });
    const found = await acme('exodm:lookup-yang-module', { name: 'rfzone.yang' });
    expect(found.result?.['yang-modules']).toMatchObject([{ revision: '2014-01-01' }]);
  });

  it('reserves the names of the built-in modules', async () => {
    const own = `module exosense { namespace "urn:mine"; prefix mine; }`;
    const reply = await acme('exodm:create-yang-module', { name: 'exosense.yang', 'yang-module': own });
    expect(reply.result?.result).toBe('illegal-name');
  });

  it('refuses a module over maxModuleBytes as invalid params with the path', async () => {
    const big = `module big { namespace "urn:big"; prefix big; description "${'x'.repeat(4000)}"; }`;
    const reply = await acme('exodm:create-yang-module', { name: 'big.yang', 'yang-module': big });
    expect(reply.error?.code).toBe(-32602);
    expect(JSON.stringify(reply.error?.data)).toContain('"yang-module"');
  });

  it('lets only master change the system repository, whose modules every account may import', async () => {
    const denied = await acme('exodm:create-yang-module', {
      repository: 'system',
      name: 'uart.yang',
      'yang-module': UART,
    });
    expect(denied.result?.result).toBe('permission-denied');
    const stored = await t.admin('exodm:create-yang-module', {
      repository: 'system',
      name: 'uart.yang',
      'yang-module': UART,
    });
    expect(stored.result).toEqual({ result: 'ok' });
    expect((await globex('exodm:list-yang-modules', { repository: 'system', n: 10 })).result).toEqual({
      result: 'ok',
      'yang-modules': ['uart.yang'],
    });
    expect((await globex('exodm:create-yang-module', { name: 'serial.yang', 'yang-module': SERIAL })).result).toEqual({
      result: 'ok',
    });
    const compiled = await modulesOf(t.server.context).compiled('globex', 'serial');
    expect(compiled?.schema.data.map((node) => node.name)).toEqual(['port']);
  });
});

describe('compiled modules shared by two servers on one database', () => {
  it("sees the other server's new revision on the next lookup, not a stale cached schema", async () => {
    const driver = openSqlite({ path: ':memory:' });
    const first = await startServer({ driver });
    const second = await startServer({ driver });
    try {
      await first.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
      const upload = (server: TestServer, text: string) =>
        server.call(ACME.login, ACME.password, 'exodm:create-yang-module', {
          name: 'rfzone.yang',
          'yang-module': text,
        });
      expect((await upload(first, rfzone('2013-01-01'))).result).toEqual({ result: 'ok' });
      const before = await modulesOf(second.server.context).compiled('acme', 'rfzone');
      expect(before?.rpc('blink')).toBeUndefined();
      const blink = 'rpc blink { input { leaf times { type uint8; } } }';
      expect((await upload(first, rfzone('2014-01-01', blink))).result).toEqual({ result: 'ok' });
      const after = await modulesOf(second.server.context).compiled('acme', 'rfzone');
      expect(after?.revision).toBe('2014-01-01');
      expect(after?.rpc('blink')?.name).toBe('blink');
    } finally {
      await second.close();
      await first.close();
      await driver.close();
    }
  });
});

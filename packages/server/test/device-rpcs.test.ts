import { InThreadPool, ManualClock, type RunOptions, type WorkerPool } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { attachModules } from '../src/modules.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const GLOBEX = { login: 'globex-admin', password: 'globex-admin-pw' };
const OLGA = { login: 'olga', password: 'olga-password' };
const CALLBACKS = 'http://127.0.0.1:9/callbacks';

const RFZONE = `module rfzone {
  namespace "urn:acme:rfzone";
  prefix rf;
  import exosense { prefix exo; }
  revision 2013-01-01;
  rpc beep {
    input {
      uses exo:std-request;
      leaf duration { type uint32; mandatory true; }
      list tone { key pitch; leaf pitch { type uint16 { range "20..20000"; } } leaf volume { type uint8; } }
      leaf-list note { type string { length "1..8"; } }
    }
  }
  rpc reset {
    input { leaf hard { type boolean; } }
  }
}`;

/** The issues of a -32602 answer. */
function issuesOf(reply: RpcReply): { path: unknown[]; message: string }[] {
  return (reply.error?.data as { issues?: { path: unknown[]; message: string }[] } | undefined)?.issues ?? [];
}

describe('device RPCs <module>:<rpc> over HTTP (docs/sources.md, the real exodm server item 3, manual §5.8 Fig. 3, §8.5)', () => {
  let t: TestServer;
  const clock = new ManualClock();
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const globex = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(GLOBEX.login, GLOBEX.password, method, params);
  const queue = () => t.server.context.queue;

  beforeAll(async () => {
    t = await startServer({ clock });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await t.admin('exodm:create-account', { name: 'globex', email: 'g@globex.com', password: GLOBEX.password });
    const ok = async (method: string, params: unknown) =>
      expect((await acme(method, params)).result).toEqual({ result: 'ok' });
    await ok('exodm:create-device-type', { name: 'zone', protocol: 'fleetkit-http' });
    for (const id of ['z-1', 'z-2', 'z-3']) await ok('exodm:create-device', { 'device-id': id, 'device-type': 'zone' });
    await ok('exodm:create-device-group', { 'group-name': 'floor-1' });
    await ok('exodm:add-device-group-members', { 'group-name': 'floor-1', 'device-id': ['z-2', 'z-3'] });
    await ok('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': RFZONE });
    for (const rpc of ['beep', 'reset', 'ghost']) {
      const grant = { role: 'admin', 'package-name': 'rfzone', 'rpc-name': rpc };
      expect((await acme('exodm:add-role-execution-permission', grant)).result).toEqual({ result: 'ok' });
    }
    await acme('exodm:create-user', { uname: OLGA.login, password: OLGA.password, email: 'o@acme.com' });
    await acme('exodm:add-user-to-role', { role: 'execute', uname: OLGA.login });
  });
  afterAll(async () => {
    await t.close();
  });

  it('queues the RPC for the device and answers the accepted receipt of the real server', async () => {
    const reply = await acme('rfzone:beep', {
      'device-id': 'z-1',
      duration: 500,
      timeout: '{in 30 sec}',
      'notification-url': CALLBACKS,
    });
    expect(reply.result).toEqual({
      'transaction-id': '1',
      'rpc-status': 'accepted',
      'rpc-status-string': 'Operation has been accepted and is in progress.',
      final: false,
    });
    const queued = await queue().get({ device: queueName('acme', 'z-1') }, 1);
    expect(queued).toMatchObject({
      kind: 'rpc',
      tag: 'rfzone:beep',
      state: 'queued',
      notify: CALLBACKS,
      deadline: clock.now() + 30_000,
      payload: { method: 'rfzone:beep', params: { 'device-id': 'z-1', duration: 500, timeout: '{in 30 sec}' } },
    });
  });

  it("keeps the caller's transaction-id, accepts dev-id and integer milliseconds", async () => {
    const reply = await acme('rfzone:beep', { 'dev-id': 'z-1', duration: 1, timeout: 45_000, 'transaction-id': 4711 });
    expect(reply.result?.['transaction-id']).toBe('4711');
    const [, second] = await queue().list({ device: queueName('acme', 'z-1') });
    expect(second).toMatchObject({
      clientId: '4711',
      deadline: clock.now() + 45_000,
      payload: { params: { 'device-id': 'z-1', duration: 1, timeout: '45000', 'transaction-id': '4711' } },
    });
  });

  it('validates the input against the RPC before anything is queued: -32602 with the YANG path', async () => {
    const before = (await queue().list({ device: queueName('acme', 'z-1') })).length;
    const tone = [{ pitch: 440 }, { pitch: 880, volume: 300 }];
    const wrong = await acme('rfzone:beep', { 'device-id': 'z-1', duration: 5, tone });
    expect(wrong.error?.code).toBe(-32602);
    const [issue] = issuesOf(wrong);
    expect(issue?.path).toEqual(['tone', 1, 'volume']);
    expect(issue?.message).toContain("/rfzone:beep/tone[pitch='880']/volume");
    const missing = await acme('rfzone:beep', { 'device-id': 'z-1' });
    expect(missing.error?.code).toBe(-32602);
    const unknown = await acme('rfzone:beep', { 'device-id': 'z-1', duration: 5, volume: 11 });
    expect(unknown.error?.code).toBe(-32602);
    const noTarget = await acme('rfzone:beep', { duration: 5 });
    expect(issuesOf(noTarget)[0]?.path).toEqual(['device-id']);
    const badTimer = await acme('rfzone:beep', { 'device-id': 'z-1', duration: 5, timeout: '{in 3 fortnights}' });
    expect(issuesOf(badTimer)[0]?.path).toEqual(['timeout']);
    expect((await queue().list({ device: queueName('acme', 'z-1') })).length).toBe(before);
  });

  it('sends the device only what the RPC declares when it does not use std-request', async () => {
    const reply = await acme('rfzone:reset', { 'device-id': 'z-1', hard: true, 'notification-url': CALLBACKS });
    const id = Number(reply.result?.['transaction-id']);
    const queued = await queue().get({ device: queueName('acme', 'z-1') }, id);
    expect(queued?.payload).toEqual({ method: 'rfzone:reset', params: { hard: true } });
    expect(queued?.notify).toBe(CALLBACKS);
  });

  it('answers device-not-found for an id that names no device or group of the account', async () => {
    const reply = await acme('rfzone:beep', { 'device-id': 'nowhere', duration: 5 });
    expect(reply.result?.result).toBe('device-not-found');
  });

  it('fans a group RPC out to every member, with one event per member (Fig. 3)', async () => {
    const reply = await acme('rfzone:beep', { 'device-id': 'floor-1', duration: 7 });
    const id = Number(reply.result?.['transaction-id']);
    const group = await queue().get({ group: queueName('acme', 'floor-1') }, id);
    expect(group).toMatchObject({ kind: 'rpc', tag: 'rfzone:beep', memberEvents: true, counts: { total: 2 } });
    for (const device of ['z-2', 'z-3']) {
      const [delivery] = await queue().callIn(queueName('acme', device));
      expect(delivery).toMatchObject({ tag: 'rfzone:beep', payload: { params: { duration: 7 } } });
    }
  });

  it('answers -32601 for an RPC or module the account does not have', async () => {
    expect((await acme('rfzone:ghost', { 'device-id': 'z-1' })).error?.code).toBe(-32601);
    await acme('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'nomod', 'rpc-name': 'x' });
    expect((await acme('nomod:x', { 'device-id': 'z-1' })).error?.code).toBe(-32601);
  });

  it('lets a user call a package RPC only once a role of theirs was granted it (manual §8.5)', async () => {
    const before = await t.call(OLGA.login, OLGA.password, 'rfzone:beep', { 'device-id': 'z-1', duration: 2 });
    expect(before.result?.result).toBe('permission-denied');
    await acme('exodm:add-role-execution-permission', {
      role: 'execute',
      'package-name': 'rfzone',
      'rpc-name': 'beep',
    });
    const after = await t.call(OLGA.login, OLGA.password, 'rfzone:beep', { 'device-id': 'z-1', duration: 2 });
    expect(after.result?.['rpc-status']).toBe('accepted');
  });

  it("never reaches another account's module or devices", async () => {
    await globex('exodm:add-role-execution-permission', {
      role: 'admin',
      'package-name': 'rfzone',
      'rpc-name': 'beep',
    });
    const reply = await globex('rfzone:beep', { 'device-id': 'z-1', duration: 5 });
    expect(reply.error?.code).toBe(-32601);
    await globex('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': RFZONE });
    const own = await globex('rfzone:beep', { 'device-id': 'z-1', duration: 5 });
    expect(own.result?.result).toBe('device-not-found');
  });

  it('answers a new revision of the module at once', async () => {
    const blink = RFZONE.replace('revision 2013-01-01;', 'revision 2014-01-01;').replace(
      'rpc reset {',
      'rpc blink { input { uses exo:std-request; } }\n  rpc reset {',
    );
    expect((await acme('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': blink })).result).toEqual({
      result: 'ok',
    });
    await acme('exodm:add-role-execution-permission', { role: 'admin', 'package-name': 'rfzone', 'rpc-name': 'blink' });
    const reply = await acme('rfzone:blink', { 'device-id': 'z-1' });
    expect(reply.result?.['rpc-status']).toBe('accepted');
  });

  it('validates a large input on the worker pool, a small one in-thread, with the same verdicts', async () => {
    const runs: string[] = [];
    const inThread = new InThreadPool();
    const pool: WorkerPool = {
      threads: 1,
      run: (task, input, options?: RunOptions) => {
        runs.push(task.name);
        return inThread.run(task, input, options);
      },
      close: () => inThread.close(),
    };
    attachModules(t.server.context, { pool });
    const notes = Array.from({ length: 12_000 }, (_, i) => `n${i % 1000}`);
    const large = await acme('rfzone:beep', { 'device-id': 'z-1', duration: 3, note: notes });
    expect(large.result?.['rpc-status']).toBe('accepted');
    expect(runs).toEqual(['validateJson']);
    const wrong = await acme('rfzone:beep', { 'device-id': 'z-1', duration: 3, note: [...notes, 'far too long'] });
    expect(issuesOf(wrong)[0]).toMatchObject({ path: ['note'], message: expect.stringContaining('/rfzone:beep/note') });
    expect(runs).toHaveLength(2);
    await acme('rfzone:beep', { 'device-id': 'z-1', duration: 3, note: ['small'] });
    expect(runs).toHaveLength(2);
  });
});

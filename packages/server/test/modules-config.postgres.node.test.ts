// Two server processes on one PostgreSQL database: a module replaced on one
// is what the other compiles next, and a configuration push made through one
// is installed whichever process handles the device's acknowledgement.
import { openPostgres } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { afterEach, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { modulesOf } from '../src/modules.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';
import { createDatabase } from './postgres-database.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function rfzone(revision: string, extra = ''): string {
  return `module rfzone {
  namespace "urn:acme:rfzone";
  prefix rf;
  import exosense { prefix exo; }
  revision ${revision};
  container settings { leaf host { type string; } leaf port { type uint16; } }
  rpc beep { input { uses exo:std-request; } }
  ${extra}
}`;
}

/** Polls `check` until it holds; what another process does is seen only after it committed. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
}

describeWithPostgres('YANG modules and configuration data of servers sharing PostgreSQL', (url) => {
  async function twoServers(): Promise<[TestServer, TestServer]> {
    const database = await createDatabase(url, 'srv_mod');
    cleanups.push(() => database.drop());
    const servers: TestServer[] = [];
    for (let i = 0; i < 2; i++) {
      const driver = openPostgres({ connectionString: database.url, max: 4 });
      cleanups.push(() => driver.close());
      const t = await startServer({ driver });
      cleanups.push(() => t.close());
      servers.push(t);
    }
    return servers as [TestServer, TestServer];
  }

  it("compiles the other server's new revision, and installs a push whichever server sees the ack", async () => {
    const [first, second] = await twoServers();
    const one = (method: string, params?: unknown): Promise<RpcReply> =>
      first.call(ACME.login, ACME.password, method, params);
    const two = (method: string, params?: unknown): Promise<RpcReply> =>
      second.call(ACME.login, ACME.password, method, params);
    await first.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    await eventually(async () => (await two('exodm:list-yang-modules', { n: 1 })).status === 200, 'account known');
    expect((await one('exodm:create-device-type', { name: 'zone', protocol: 'fleetkit-http' })).result?.result).toBe(
      'ok',
    );
    expect((await one('exodm:create-device', { 'device-id': 'z-1', 'device-type': 'zone' })).result?.result).toBe('ok');
    expect(
      (await one('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': rfzone('2013-01-01') })).result,
    ).toEqual({
      result: 'ok',
    });
    expect((await modulesOf(second.server.context).compiled('acme', 'rfzone'))?.rpc('blink')).toBeUndefined();
    const blink = rfzone('2014-01-01', 'rpc blink { input { uses exo:std-request; } }');
    expect((await one('exodm:create-yang-module', { name: 'rfzone.yang', 'yang-module': blink })).result?.result).toBe(
      'ok',
    );
    expect((await modulesOf(second.server.context).compiled('acme', 'rfzone'))?.rpc('blink')?.name).toBe('blink');

    const values = { settings: { host: 'gw', port: 80 } };
    expect(
      (await two('exodm:update-config-data', { 'device-id': 'z-1', module: 'rfzone', values })).result?.result,
    ).toBe('ok');
    const push = await two('exodm:push-config-data', { 'device-id': 'z-1' });
    expect(push.result?.['rpc-status']).toBe('accepted');
    const device = queueName('acme', 'z-1');
    const [delivery] = await first.server.context.queue.callIn(device);
    await first.server.context.queue.ack(device, {
      transactionId: delivery!.transactionId,
      attempt: delivery!.attempt,
      status: 'complete',
    });
    await eventually(async () => {
      const read = await one('exodm:read-config-data', { 'device-id': 'z-1', module: 'rfzone', area: 'installed' });
      return JSON.stringify(read.result?.values) === JSON.stringify(values);
    }, 'the pushed values installed');
    const pending = await two('exodm:read-config-data', { 'device-id': 'z-1', module: 'rfzone', area: 'pending' });
    expect(pending.result?.values).toEqual({});
  });
});

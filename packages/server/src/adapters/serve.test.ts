import { connectDevice } from '@fleetkit/broker';
import { memoryLogger, runtimeKey, silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetServer, openServer } from '../server.ts';
import { type Serving, serve } from './serve.ts';

const PASSWORD = 'sysadm-serve-password';
const PROVISIONING_KEY = 'serve-provisioning-key-0001';

// Runs on Node, Bun and Deno (npm test runs src tests on all three): each serves through its own adapter.
describe(`serve() on ${runtimeKey()}: the API and the broker on one port`, () => {
  const driver = openSqlite({ path: ':memory:' });
  let server: FleetServer;
  let serving: Serving;

  const call = async (method: string, params: unknown, login: string, password: string) => {
    const response = await fetch(new URL('exodm/rpc', serving.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return { status: response.status, body: (await response.json()) as { result?: unknown; error?: unknown } };
  };

  beforeAll(async () => {
    server = await openServer({
      driver,
      logger: memoryLogger(),
      adminPassword: PASSWORD,
      insecureTestPasswordIterations: 1_000,
    });
    serving = await serve(server, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await driver.close();
  });

  it('answers backend calls with Basic auth, and refuses a wrong password with 401', async () => {
    const created = await call(
      'exodm:create-account',
      { name: 'acme', email: 'a@acme.com', password: 'acme-pw-1' },
      'sysadm',
      PASSWORD,
    );
    expect(created).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: { result: 'ok', 'account-admin': 'acme-admin' } },
    });
    expect((await call('exodm:list-accounts', { n: 10 }, 'sysadm', 'wrong')).status).toBe(401);
  });

  it('lets a device registered over HTTP connect to /devices on the same port, and stops with it connected', async () => {
    const type = await call(
      'exodm:create-device-type',
      { name: 'sensor', protocol: 'broker', 'provisioning-key': PROVISIONING_KEY },
      'acme-admin',
      'acme-pw-1',
    );
    expect(type.body.result).toEqual({ result: 'ok' });
    const registration = await fetch(new URL('v1/devices', serving.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'acme', device_id: 'sn-1', provisioning_key: PROVISIONING_KEY }),
    });
    expect(registration.status).toBe(200);
    const { id, access_key } = (await registration.json()) as { id: string; access_key: string };
    const client = connectDevice({
      url: `${serving.url.replace(/^http/, 'ws')}devices`,
      apiKey: access_key,
      deviceId: id,
      logger: silentLogger,
    });
    await client.registered();
    expect(server.broker.devices().map((device) => device.deviceId)).toContain(id);
    // a WebSocket never goes idle: stop closes it rather than waiting out the grace period
    const started = performance.now();
    await serving.stop(30_000);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(server.broker.closed).toBe(true);
    client.close();
  });
});

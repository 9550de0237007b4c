import { connectDevice } from '@fleetkit/broker';
import { memoryLogger, silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from '../src/adapters/node.ts';
import { type FleetServer, openServer } from '../src/server.ts';
import { eventually } from './callback-listener.ts';
import { HttpDevice, PROVISIONING_KEY } from './device-fixture.ts';

const PASSWORD = 'sysadm-test-password';

describe('the Node adapter serves the broker on the API port (adapters/node.ts, mountNode)', () => {
  const driver = openSqlite({ path: ':memory:' });
  let server: FleetServer;
  let listening: Listening;

  const admin = async (method: string, params: unknown, login = 'sysadm', password = PASSWORD) => {
    const response = await fetch(new URL('exodm/rpc', listening.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuthHeader(login, password) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return ((await response.json()) as { result?: Record<string, unknown> }).result;
  };

  beforeAll(async () => {
    server = await openServer({
      driver,
      logger: memoryLogger(),
      adminPassword: PASSWORD,
      insecureTestPasswordIterations: 1_000,
    });
    listening = await listen(server, { port: 0 });
    await admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: 'acme-admin-pw' });
    const created = await admin(
      'exodm:create-device-type',
      { name: 'sensor', protocol: 'broker', 'provisioning-key': PROVISIONING_KEY },
      'acme-admin',
      'acme-admin-pw',
    );
    expect(created).toEqual({ result: 'ok' });
  });
  afterAll(async () => {
    await server.close();
    await driver.close();
  });

  it('lets a registered device connect to /devices on the same port, and stops with the connection open', async () => {
    const http = new HttpDevice(listening.url);
    const registration = await http.register({
      account: 'acme',
      device_id: 'sn-1',
      provisioning_key: PROVISIONING_KEY,
    });
    expect(registration.status, JSON.stringify(registration.body)).toBe(200);
    const client = connectDevice({
      url: `${listening.url.replace(/^http/, 'ws')}devices`,
      apiKey: http.credentials!.access_key,
      deviceId: http.credentials!.id,
      logger: silentLogger,
    });
    await client.registered();
    await eventually(
      () => server.broker.devices().some((d) => d.deviceId === http.credentials!.id),
      'the device on the broker',
    );
    // a WebSocket never goes idle: stop closes it rather than waiting out the grace period
    await listening.stop(60_000);
    expect(server.broker.closed).toBe(true);
    client.close();
  });
});

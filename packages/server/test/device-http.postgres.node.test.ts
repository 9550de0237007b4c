import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acmeCall, PROVISIONING_KEY, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';
import { createDatabase, type TestDatabase } from './postgres-database.ts';

describeWithPostgres('the device plugins on PostgreSQL', (url) => {
  let database: TestDatabase;
  let driver: PostgresDriver;
  let t: TestServer;
  const acme = () => acmeCall(t);

  beforeAll(async () => {
    database = await createDatabase(url, 'srv_device_plugins');
    driver = openPostgres({ connectionString: database.url });
    t = await startServer({ driver });
    await setUpAccount(t);
  });
  afterAll(async () => {
    await t.close();
    await driver.close();
    await database.drop();
  });

  it('registers, reports, runs a command, confirms a configuration and a licence', async () => {
    const device = await registered(t, 'pg-1');
    await device.telemetry({ status: 'online', telemetries: { temp: 20 } });
    // the backend reads the report, one device or a page of them (a JSON id list on PostgreSQL)
    const read = ['reported-status', 'telemetry:temp'];
    const reported = [
      { name: 'reported-status', val: 'online' },
      { name: 'telemetry:temp', val: 20 },
    ];
    expect((await acme()('exodm:lookup-device-attributes', { 'device-id': 'pg-1', attributes: read })).result).toEqual({
      result: 'ok',
      attributes: reported,
    });
    const listed = await acme()('exodm:list-devices-attributes', {
      n: 5,
      previous: '',
      pattern: 'pg-1',
      attributes: read,
    });
    expect(listed.result).toEqual({ result: 'ok', devices: [{ 'device-id': 'pg-1', attributes: reported }] });
    await acme()('test:echo', { 'device-id': 'pg-1', text: 'hi' });
    expect((await device.telemetry()).body).toEqual({ config_version: 0, command: true, new_licenses: false });
    const command = await device.call('GET', 'command');
    expect((await device.call('POST', 'command', { id: command.body.id, status: 'done' })).body.status).toBe('done');
    await acme()('exodm:create-yang-module', {
      name: 'pg-cfg.yang',
      'yang-module': 'module pg-cfg { namespace "urn:fleetkit:pg-cfg"; prefix p; leaf rate { type uint16; } }',
    });
    await acme()('exodm:update-config-data', { 'device-id': 'pg-1', module: 'pg-cfg', values: { rate: 3 } });
    const version = Number(
      (await acme()('exodm:push-config-data', { 'device-id': 'pg-1' })).result?.['transaction-id'],
    );
    const config = await device.call('GET', 'config');
    await device.call('POST', 'config', config.body);
    await acme()('exodm:add-device-license', { 'device-id': 'pg-1', 'license-id': 'pro' });
    expect((await device.telemetry()).body).toEqual({ config_version: version, command: false, new_licenses: true });
    expect((await device.call('POST', 'licenses', { id: 'pro', state: 'inuse' })).status).toBe(200);
    expect((await device.telemetry()).body.new_licenses).toBe(false);
    // registering again rotates the key and keeps the report
    const again = await registered(t, 'pg-1');
    expect((await device.telemetry()).status).toBe(401);
    expect((await again.telemetry()).body).toMatchObject({ config_version: version });
  });

  it('serves exoport get-messages with a registered key', async () => {
    const http = await registered(t, 'pg-gw', `${PROVISIONING_KEY}-gateway`);
    await acme()('test:echo', { 'device-id': 'pg-gw', text: 'exo' });
    const response = await fetch(new URL('exoport', t.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuthHeader('*acme*pg-gw', http.credentials!.access_key),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'exoport:get-messages', params: {} }),
    });
    const body = (await response.json()) as { result: { messages: { method: string }[] } };
    expect(body.result.messages.map((m) => m.method)).toEqual(['test:echo']);
  });
});

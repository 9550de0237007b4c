import { ManualClock } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServer } from '../src/server.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { ACME, acmeCall, HttpDevice, PROVISIONING_KEY, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

describe('the HTTP device API after Xyte (plugin fleetkit-http, docs/sources.md, the Xyte device API)', () => {
  let t: TestServer;
  let backend: Listener;
  const acme = () => acmeCall(t);

  beforeAll(async () => {
    t = await startServer();
    backend = await listen();
    await setUpAccount(t);
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });
  /** The first `count` callbacks about a device. */
  async function callbacksOf(deviceId: string, count: number) {
    await eventually(
      () => backend.received.filter((r) => r.body.params['device-id'] === deviceId).length >= count,
      `${count} callbacks about ${deviceId}`,
    );
    return backend.received.filter((r) => r.body.params['device-id'] === deviceId).slice(0, count);
  }

  /** The backend's device RPC `test:echo` for a device, its callbacks to the listener. */
  async function echo(deviceId: string, text: string) {
    const reply = await acme()('test:echo', { 'device-id': deviceId, text, 'notification-url': backend.url });
    expect(reply.result?.['rpc-status']).toBe('accepted');
    return reply.result!['transaction-id'];
  }

  it('registers with the type provisioning key: an opaque id, a 32-byte access key and the hub URL', async () => {
    const device = new HttpDevice(t.url);
    const reply = await device.register({
      account: 'acme',
      device_id: 'm-reg',
      provisioning_key: PROVISIONING_KEY,
      firmware_version: '1.0.3',
      name: 'basement meter',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(reply.body.access_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reply.body.hub_url).toBe(new URL(t.url).origin);
    const found = await acme()('exodm:lookup-device', { 'device-id': 'm-reg' });
    expect(found.result).toMatchObject({ result: 'ok', 'device-type': 'meter', description: 'basement meter' });
    // the key is stored only as its hash
    const rows = await t.server.context.db.query<{ secret_hash: string }>(
      "SELECT secret_hash FROM srv_devices WHERE account = 'acme' AND device_id = 'm-reg'",
    );
    expect(rows[0]!.secret_hash).toMatch(/^sha256:/);
    expect(rows[0]!.secret_hash).not.toContain(reply.body.access_key as string);
  });

  it('refuses a wrong provisioning key with 401 and names the device by mac and sn or cloud_id', async () => {
    const device = new HttpDevice(t.url);
    const wrong = await device.register({ account: 'acme', device_id: 'm-x', provisioning_key: 'not-the-key-at-all' });
    expect(wrong).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid-provisioning-key' }) });
    const bySerial = await device.register({
      account: 'acme',
      mac: 'AA:BB:CC:00:11:22',
      sn: 'SN42',
      hardware_key: PROVISIONING_KEY,
    });
    expect(bySerial.status).toBe(200);
    expect((await acme()('exodm:lookup-device', { 'device-id': 'aabbcc001122-SN42' })).result?.result).toBe('ok');
    const unsafe = await device.register({
      account: 'acme',
      mac: 'aabbcc001122',
      sn: 'SN\u0001',
      hardware_key: PROVISIONING_KEY,
    });
    expect(unsafe).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid-device-id' }) });
    const byCloud = await device.register({ account: 'acme', cloud_id: 'cloud-7', provisioning_key: PROVISIONING_KEY });
    expect(byCloud.status).toBe(200);
    expect((await acme()('exodm:lookup-device', { 'device-id': 'cloud-7' })).result?.result).toBe('ok');
  });

  it('runs a command end to end: telemetry flags it, the device takes it, acks it, the backend hears complete', async () => {
    const device = await registered(t, 'm-1');
    expect((await device.telemetry()).body).toEqual({ config_version: 0, command: false, new_licenses: false });
    const transactionId = await echo('m-1', 'hello');
    expect((await device.telemetry({ status: 'online', telemetries: { temp: 21 } })).body).toEqual({
      config_version: 0,
      command: true,
      new_licenses: false,
    });
    const command = await device.call('GET', 'command');
    expect(command.body).toEqual({
      id: `${transactionId}.1`,
      device_id: device.credentials!.id,
      status: 'pending',
      name: 'test:echo',
      // the std-request leaves the RPC declares reach the device too (api/device-rpcs.ts)
      parameters: { 'device-id': 'm-1', 'notification-url': backend.url, text: 'hello' },
    });
    expect((await device.call('POST', 'command', { id: command.body.id, status: 'in_progress' })).body).toMatchObject({
      status: 'in_progress',
    });
    const done = await device.call('POST', 'command', {
      id: command.body.id,
      status: 'done',
      result: { echoed: 'hello' },
    });
    expect(done).toMatchObject({ status: 200, body: { id: command.body.id, status: 'done' } });
    const [connected, , complete] = await callbacksOf('m-1', 3);
    expect(connected!.body.params['rpc-status']).toBe('device-connected');
    expect(complete!.body).toEqual({
      jsonrpc: '2.0',
      method: 'test:echo-callback',
      params: {
        'transaction-id': Number(transactionId),
        'device-id': 'm-1',
        'rpc-status': 'complete',
        'rpc-status-string': 'The operation has completed successfully.',
        final: true,
        echoed: 'hello',
      },
    });
    expect((await device.telemetry()).body.command).toBe(false);
    expect((await device.call('GET', 'command')).status).toBe(404);
  });

  it('gives a rebooted device its in-progress command back at once, under the same attempt', async () => {
    const device = await registered(t, 'm-reboot');
    await echo('m-reboot', 'firmware');
    await echo('m-reboot', 'after');
    const first = await device.call('GET', 'command');
    await device.call('POST', 'command', { id: first.body.id, status: 'in_progress' });
    // the device reboots and asks again: the same command, in progress, not the next one
    const again = await device.call('GET', 'command');
    expect(again.body).toMatchObject({ id: first.body.id, status: 'in_progress', parameters: { text: 'firmware' } });
    await device.call('POST', 'command', { id: again.body.id, status: 'done' });
    expect((await device.call('GET', 'command')).body).toMatchObject({
      status: 'pending',
      parameters: { text: 'after' },
    });
  });

  it('reports a failing command as a final device-error with the device message', async () => {
    const device = await registered(t, 'm-fail');
    const transactionId = await echo('m-fail', 'boom');
    const command = await device.call('GET', 'command');
    const failed = await device.call('POST', 'command', {
      id: command.body.id,
      status: 'failed',
      message: 'disk full',
    });
    expect(failed.body.status).toBe('failed');
    const received = await callbacksOf('m-fail', 2);
    expect(received[1]!.body.params).toMatchObject({
      'transaction-id': Number(transactionId),
      'rpc-status': 'device-error',
      final: true,
      message: 'disk full',
    });
  });

  it('refuses acks it cannot apply with precise statuses', async () => {
    const device = await registered(t, 'm-ack');
    await echo('m-ack', 'one');
    const command = await device.call('GET', 'command');
    const [transaction] = String(command.body.id).split('.');
    expect(await device.call('POST', 'command', { id: '999.1', status: 'done' })).toMatchObject({
      status: 404,
      body: { error: 'unknown-transaction' },
    });
    expect(await device.call('POST', 'command', { id: `${transaction}.7`, status: 'done' })).toMatchObject({
      status: 409,
      body: { error: 'not-delivered' },
    });
    expect(await device.call('POST', 'command', { id: 'x', status: 'done' })).toMatchObject({ status: 400 });
    await device.call('POST', 'command', { id: command.body.id, status: 'done' });
    expect(await device.call('POST', 'command', { id: command.body.id, status: 'failed' })).toMatchObject({
      status: 409,
      body: { error: 'already-final' },
    });
    // the same ack again is a duplicate: answered, not refused
    expect((await device.call('POST', 'command', { id: command.body.id, status: 'done' })).status).toBe(200);
  });

  it('answers 401 to every call of a deleted device, even once a device of that id is created again', async () => {
    const device = await registered(t, 'm-gone');
    expect((await device.telemetry()).status).toBe(200);
    expect((await acme()('exodm:delete-devices', { 'device-id': ['m-gone'] })).result).toEqual({ result: 'ok' });
    for (const [method, path] of [
      ['POST', 'telemetry'],
      ['GET', 'command'],
      ['GET', 'config'],
      ['GET', 'licenses'],
      ['POST', 'rpc'],
    ] as const) {
      expect((await device.call(method, path, method === 'POST' ? {} : undefined)).status, `${method} ${path}`).toBe(
        401,
      );
    }
    await acme()('exodm:create-device', { 'device-id': 'm-gone', 'device-type': 'meter' });
    expect((await device.telemetry()).status).toBe(401);
  });

  it('gives a registered device a new key when it registers again: the old key stops working, the id stays', async () => {
    const device = await registered(t, 'm-rekey');
    const old = device.credentials!;
    const again = await registered(t, 'm-rekey');
    expect(again.credentials!.id).toBe(old.id);
    expect(again.credentials!.access_key).not.toBe(old.access_key);
    expect((await device.telemetry()).status).toBe(401);
    expect((await again.telemetry()).status).toBe(200);
    expect((await new HttpDevice(t.url, { ...old, access_key: '' }).telemetry()).status).toBe(401);
  });

  it('refuses a device of another protocol with 403 and a provisioning key of a type made again with 401', async () => {
    const sensor = await registered(t, 's-http', `${PROVISIONING_KEY}-sensor`);
    expect((await sensor.telemetry()).status).toBe(403);
    const acmeApi = acme();
    await acmeApi('exodm:create-device-type', {
      name: 'short-lived',
      protocol: 'fleetkit-http',
      'provisioning-key': 'short-lived-key-000001',
    });
    expect((await acmeApi('exodm:delete-device-type', { name: 'short-lived' })).result).toEqual({ result: 'ok' });
    await acmeApi('exodm:create-device-type', { name: 'short-lived', protocol: 'fleetkit-http' });
    const reply = await new HttpDevice(t.url).register({
      account: 'acme',
      device_id: 'sl-1',
      provisioning_key: 'short-lived-key-000001',
    });
    expect(reply.status).toBe(401);
    await acmeApi('exodm:update-device-type', {
      name: 'short-lived',
      'provisioning-key': 'another-key-for-short-lived',
    });
    const withKey = { account: 'acme', device_id: 'sl-2', provisioning_key: 'another-key-for-short-lived' };
    expect((await new HttpDevice(t.url).register(withKey)).status).toBe(200);
    await acmeApi('exodm:update-device-type', { name: 'short-lived', 'provisioning-key': '' });
    expect((await new HttpDevice(t.url).register(withKey)).status).toBe(401);
    const taken = await acmeApi('exodm:create-device-type', {
      name: 'copycat',
      protocol: 'fleetkit-http',
      'provisioning-key': PROVISIONING_KEY,
    });
    expect(taken.result?.result).toBe('object-exists');
  });

  it('carries licences: flagged by telemetry, listed pending, confirmed in use, then removed', async () => {
    const device = await registered(t, 'm-lic');
    const grant = await acme()('exodm:add-device-license', {
      'device-id': 'm-lic',
      'license-id': 'pro',
      data: { seats: 5 },
      'expires-at': '2030-01-01T00:00:00Z',
    });
    expect(grant.result).toEqual({ result: 'ok', state: 'add' });
    expect((await device.telemetry()).body.new_licenses).toBe(true);
    expect((await device.call('GET', 'licenses')).body).toEqual([
      { id: 'pro', add: true, expired_at: '2030-01-01T00:00:00.000Z', data: { seats: 5 } },
    ]);
    expect((await device.call('POST', 'licenses', { id: 'pro', state: 'inuse' })).status).toBe(200);
    expect((await device.telemetry()).body.new_licenses).toBe(false);
    expect((await acme()('exodm:list-device-licenses', { 'device-id': 'm-lic' })).result?.licenses).toEqual([
      { 'license-id': 'pro', state: 'inuse', data: { seats: 5 }, 'expires-at': '2030-01-01T00:00:00.000Z' },
    ]);
    expect((await acme()('exodm:remove-device-license', { 'device-id': 'm-lic', 'license-id': 'pro' })).result).toEqual(
      {
        result: 'ok',
        state: 'remove',
      },
    );
    expect((await device.call('GET', 'licenses')).body).toEqual([
      { id: 'pro', remove: true, expired_at: '2030-01-01T00:00:00.000Z', data: { seats: 5 } },
    ]);
    expect((await device.call('POST', 'licenses', { id: 'pro', state: 'inuse' })).status).toBe(409);
    expect((await device.call('POST', 'licenses', { id: 'pro', state: 'removed' })).status).toBe(200);
    expect((await acme()('exodm:list-device-licenses', { 'device-id': 'm-lic' })).result?.licenses).toEqual([]);
    expect((await device.call('POST', 'licenses', { id: 'other', state: 'inuse' })).status).toBe(404);
    // a licence the device never confirmed is withdrawn at once
    await acme()('exodm:add-device-license', { 'device-id': 'm-lic', 'license-id': 'trial' });
    expect(
      (await acme()('exodm:remove-device-license', { 'device-id': 'm-lic', 'license-id': 'trial' })).result,
    ).toEqual({
      result: 'ok',
      state: 'withdrawn',
    });
    expect((await device.telemetry()).body.new_licenses).toBe(false);
  });

  it('serves configuration by version: telemetry names the pending transaction, the device fetches and confirms it', async () => {
    const device = await registered(t, 'm-cfg');
    await acme()('exodm:create-yang-module', {
      name: 'meter-cfg.yang',
      'yang-module':
        'module meter-cfg { namespace "urn:fleetkit:meter-cfg"; prefix m; leaf interval { type uint32; } }',
    });
    await acme()('exodm:update-config-data', { 'device-id': 'm-cfg', module: 'meter-cfg', values: { interval: 60 } });
    await echo('m-cfg', 'queued after the configuration');
    const pushed = await acme()('exodm:push-config-data', { 'device-id': 'm-cfg' });
    const version = Number(pushed.result?.['transaction-id']);
    // the command came first: configuration waits behind it, one transaction at a time
    expect((await device.telemetry()).body).toMatchObject({ command: true, config_version: 0 });
    expect((await device.call('GET', 'config')).body).toEqual({ version: 0, config: { version: 0, updates: [] } });
    const command = await device.call('GET', 'command');
    await device.call('POST', 'command', { id: command.body.id, status: 'done' });
    expect((await device.telemetry()).body).toMatchObject({ command: false, config_version: version });
    expect((await device.call('GET', 'command')).status).toBe(404);
    const config = await device.call('GET', 'config');
    expect(config.body).toEqual({
      id: `${version}.1`,
      version,
      config: { version, updates: [{ module: 'meter-cfg', values: { interval: 60 } }] },
    });
    // the official agent posts back what it fetched
    expect((await device.call('POST', 'config', config.body)).body).toMatchObject({ version, status: 'done' });
    expect((await device.telemetry()).body).toMatchObject({ command: false, config_version: version });
    const installed = await acme()('exodm:read-config-data', { 'device-id': 'm-cfg', module: 'meter-cfg' });
    expect(installed.result).toEqual({ result: 'ok', values: { interval: 60 } });
    expect((await device.call('POST', 'config', { version })).status).toBe(200);
  });

  it('keeps the latest telemetry, merged unless the device overrides it', async () => {
    const device = await registered(t, 'm-tel');
    await device.telemetry({ status: 'online', telemetries: { temp: 20, humidity: 40 } });
    await device.telemetry({ status: 'error', telemetries: { temp: 22 }, message: 'sensor glitch' });
    const rows = await t.server.context.db.query<{ status: string; telemetries: string; message: string }>(
      "SELECT status, telemetries, message FROM srv_device_reports WHERE account = 'acme' AND device_id = 'm-tel'",
    );
    expect(rows[0]).toMatchObject({ status: 'error', message: 'sensor glitch' });
    expect(JSON.parse(rows[0]!.telemetries)).toEqual({ temp: 22, humidity: 40 });
    await device.telemetry({ status: 'online', telemetries: { temp: 23 }, override: true });
    const [row] = await t.server.context.db.query<{ telemetries: string }>(
      "SELECT telemetries FROM srv_device_reports WHERE account = 'acme' AND device_id = 'm-tel'",
    );
    expect(JSON.parse(row!.telemetries)).toEqual({ temp: 23 });
    expect((await device.telemetry({ status: 7 })).status).toBe(400);
    const seen = await acme()('exodm:lookup-device-attributes', { 'device-id': 'm-tel', attributes: ['is-connected'] });
    expect(seen.result?.attributes).toEqual([{ name: 'is-connected', val: 'true' }]);
  });

  it('refuses an oversize device body with 413, by its length and while streaming, and broken JSON with 400', async () => {
    const oversize = JSON.stringify({ account: 'acme', device_id: 'm-big', name: 'x'.repeat(1 << 20) });
    const post = (body: BodyInit) =>
      fetch(new URL('v1/devices', t.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
    const byLength = await post(oversize);
    expect([byLength.status, (await byLength.json()).error]).toEqual([413, 'body-too-large']);
    const bytes = new TextEncoder().encode(oversize);
    const streamed = await post(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024) controller.enqueue(bytes.slice(at, at + 64 * 1024));
          controller.close();
        },
      }),
    );
    expect([streamed.status, (await streamed.json()).error]).toEqual([413, 'body-too-large']);
    const broken = await post('{"account": "acme",');
    expect([broken.status, (await broken.json()).error]).toEqual([400, 'invalid-json']);
    const found = await acme()('exodm:lookup-device', { 'device-id': 'm-big' });
    expect(found.result).toMatchObject({ result: 'device-not-found' });
  });

  it('never lets an account admin of another account see or change a device through its id', async () => {
    expect(ACME.login).toBe('acme-admin');
    const device = await registered(t, 'm-iso');
    const stranger = new HttpDevice(t.url, { ...device.credentials!, id: 'A'.repeat(22) });
    expect((await stranger.telemetry()).status).toBe(401);
  });
});

describe('the device plugin options', () => {
  it('refuses an option out of range at start with invalid-option', async () => {
    const driver = openSqlite({ path: ':memory:' });
    await expect(openServer({ driver, devices: { rateBurst: 0 } })).rejects.toMatchObject({
      code: 'invalid-option',
      details: { path: 'devices.rateBurst' },
    });
    await expect(openServer({ driver, devices: { hubUrl: 'ftp://x' } })).rejects.toMatchObject({
      code: 'invalid-option',
    });
    await expect(openServer({ driver, devices: { brokerControlKeys: [''] } })).rejects.toMatchObject({
      code: 'invalid-option',
      details: { path: 'devices.brokerControlKeys' },
    });
    await driver.close();
  });
});

describe('the per-device rate limit of the device plugins', () => {
  let t: TestServer;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await startServer({ clock, devices: { rateBurst: 2, ratePerSecond: 1 } });
    await setUpAccount(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with Retry-After beyond the burst, and lets the device on once a token is back', async () => {
    const device = await registered(t, 'm-busy');
    const other = await registered(t, 'm-calm');
    expect((await device.telemetry()).status).toBe(200);
    expect((await device.telemetry()).status).toBe(200);
    const limited = await device.telemetry();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await other.telemetry()).status).toBe(200);
    clock.advance(1000);
    expect((await device.telemetry()).status).toBe(200);
  });
});

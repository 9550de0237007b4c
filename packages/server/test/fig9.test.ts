import { ManualClock } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryPayload } from '../src/api/config-data.ts';
import { queueName } from '../src/context.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const ACME = { login: 'acme-admin', password: 'acme-admin-pw' };
const BACKEND = 'http://127.0.0.1:9/backend';

// manual §6.3 Example 1: device 1 runs exosense-1.1 (an IP address) and weather_app-1.0 (its location)
const EXOSENSE_PACKAGE = `module exosense-1.1 {
  namespace "urn:example:exosense-1.1";
  prefix exo11;
  leaf ip_addr { type string { pattern '[0-9.]+'; } }
}`;
const WEATHER_APP = `module weather_app-1.0 {
  namespace "urn:example:weather_app-1.0";
  prefix weather;
  leaf location { type string; }
  leaf sample_rate { type uint16; }
}`;

/**
 * Manual §7.2 Fig. 9, steps 1–10 over HTTP: two configuration updates
 * staged, pushed as one device transaction, confirmed as queued. Steps
 * 11–18 are the device's (protocol plugin, call-in, ack); the last test
 * stands at that boundary with the queue's own call-in and ack.
 */
describe('Fig. 9: a device transaction carrying two configuration updates (manual §7.2)', () => {
  let t: TestServer;
  const clock = new ManualClock();
  const acme = (method: string, params?: unknown): Promise<RpcReply> =>
    t.call(ACME.login, ACME.password, method, params);
  const device = () => queueName('acme', '1');
  let first: RpcReply;
  let second: RpcReply;
  let push: RpcReply;

  beforeAll(async () => {
    t = await startServer({ clock });
    await t.admin('exodm:create-account', { name: 'acme', email: 'a@acme.com', password: ACME.password });
    const ok = async (method: string, params: unknown) =>
      expect((await acme(method, params)).result).toEqual({ result: 'ok' });
    await ok('exodm:create-device-type', { name: 'weather_r1', protocol: 'fleetkit-http' });
    await ok('exodm:create-device', { 'device-id': '1', 'device-type': 'weather_r1' });
    await ok('exodm:create-yang-module', { name: 'exosense-1.1.yang', 'yang-module': EXOSENSE_PACKAGE });
    await ok('exodm:create-yang-module', { name: 'weather_app-1.0.yang', 'yang-module': WEATHER_APP });
  });
  afterAll(async () => {
    await t.close();
  });

  it('1. the backend sends the first configuration update (ip_addr of exosense-1.1)', async () => {
    first = await acme('exodm:update-config', {
      'device-id': '1',
      module: 'exosense-1.1',
      values: { ip_addr: '10.0.0.1' },
    });
    expect(first.status).toBe(200);
  });

  it('2. the update is prepared for the device, not sent: staged, nothing queued', async () => {
    const staged = await acme('exodm:read-config-data', { 'device-id': '1', module: 'exosense-1.1', area: 'staged' });
    expect({ values: staged.result?.values, queued: await t.server.context.queue.list({ device: device() }) }).toEqual({
      values: { ip_addr: '10.0.0.1' },
      queued: [],
    });
  });

  it('3. the backend gets the ack of the first update', () => {
    expect(first.result).toEqual({ result: 'ok' });
  });

  it('4. the backend sends the second configuration update (location of weather_app-1.0)', async () => {
    second = await acme('exodm:update-config-data', {
      'device-id': '1',
      'package-name': 'weather_app-1.0',
      values: { location: 'Bro' },
    });
    expect(second.status).toBe(200);
  });

  it('5. the second update is prepared beside the first', async () => {
    const staged = await acme('exodm:read-config-data', {
      'device-id': '1',
      module: 'weather_app-1.0',
      area: 'staged',
    });
    expect(staged.result?.values).toEqual({ location: 'Bro' });
  });

  it('6. the backend gets the ack of the second update', () => {
    expect(second.result).toEqual({ result: 'ok' });
  });

  it('7. the backend asks for the configuration data to be pushed to the device', async () => {
    push = await acme('exodm:push-config-data', {
      'device-id': '1',
      timeout: '{in 1 hours}',
      'notification-url': BACKEND,
    });
    expect(push.status).toBe(200);
  });

  it('8. both updates are queued as one transaction for the device', async () => {
    const queued = await t.server.context.queue.list({ device: device() });
    expect(queued.map((tx) => ({ kind: tx.kind, updates: (tx.payload as { updates: unknown }).updates }))).toEqual([
      {
        kind: 'config',
        updates: [
          { module: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } },
          { module: 'weather_app-1.0', values: { location: 'Bro' } },
        ],
      },
    ]);
  });

  it('9. the device queue confirms the transaction with a device-unique id, pending its delivery', async () => {
    const [queued] = await t.server.context.queue.list({ device: device() });
    const pending = await acme('exodm:read-config-data', { 'device-id': '1', module: 'exosense-1.1', area: 'pending' });
    expect({ id: queued?.id, state: queued?.state, pending: pending.result?.values }).toEqual({
      id: 1,
      state: 'queued',
      pending: { ip_addr: '10.0.0.1' },
    });
  });

  it('10. the backend gets the confirmation that the transaction is queued, with its id', () => {
    expect(push.result).toEqual({
      result: 'ok',
      'transaction-id': '1',
      'rpc-status': 'accepted',
      'rpc-status-string': 'Operation has been accepted and is in progress.',
      final: false,
    });
  });

  it('at the device boundary (steps 11–18 belong to the device side): its complete ack installs both updates', async () => {
    const queue = t.server.context.queue;
    const [delivery] = await queue.callIn(device());
    expect(await deliveryPayload(t.server.context, device(), delivery!)).toMatchObject({
      updates: [{ module: 'exosense-1.1' }, { module: 'weather_app-1.0' }],
    });
    const ack = await queue.ack(device(), {
      transactionId: delivery!.transactionId,
      attempt: delivery!.attempt,
      status: 'complete',
    });
    expect(ack.outcome).toBe('applied');
    await queue.idle();
    const read = async (module: string, area: string) =>
      (await acme('exodm:read-config-data', { 'device-id': '1', module, area })).result?.values;
    expect({
      exosense: await read('exosense-1.1', 'installed'),
      weather: await read('weather_app-1.0', 'installed'),
      pending: await read('exosense-1.1', 'pending'),
      staged: await read('weather_app-1.0', 'staged'),
    }).toEqual({ exosense: { ip_addr: '10.0.0.1' }, weather: { location: 'Bro' }, pending: {}, staged: {} });
  });
});

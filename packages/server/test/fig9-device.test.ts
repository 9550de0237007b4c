import type { Transaction } from '@fleetkit/txqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { acmeCall, type HttpDevice, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

// manual §6.3 Example 1: device 1 runs exosense-1.1 (an IP address) and weather_app-1.0 (its location)
const EXOSENSE_PACKAGE = `module exosense-1.1 {
  namespace "urn:example:exosense-1.1";
  prefix exo11;
  leaf ip_addr { type string; }
}`;
const WEATHER_APP = `module weather_app-1.0 {
  namespace "urn:example:weather_app-1.0";
  prefix weather;
  leaf location { type string; }
}`;

/**
 * Manual §7.2 Fig. 9, steps 11–18, end to end: the device calls in over the
 * HTTP device API (plugin fleetkit-http), fetches the transaction made of
 * both configuration updates, applies and confirms it; the backend hears
 * the outcome at its notification URL. Steps 1–10 (staging and the push
 * over the backend API) set the scene.
 */
describe('Fig. 9 steps 11–18: a device calls in and completes its configuration transaction (manual §7.2)', () => {
  let t: TestServer;
  let backend: Listener;
  let device: HttpDevice;
  let transactionId: number;
  let telemetry: Record<string, unknown>;
  let fetched: Record<string, unknown>;
  const acme = () => acmeCall(t);
  const transaction = (): Promise<Transaction | undefined> =>
    t.server.context.queue.get({ device: queueName('acme', '1') }, transactionId);

  beforeAll(async () => {
    t = await startServer();
    backend = await listen();
    await setUpAccount(t);
    device = await registered(t, '1');
    await acme()('exodm:create-yang-module', { name: 'exosense-1.1.yang', 'yang-module': EXOSENSE_PACKAGE });
    await acme()('exodm:create-yang-module', { name: 'weather_app-1.0.yang', 'yang-module': WEATHER_APP });
    // steps 1–10: two configuration updates, pushed as one transaction; the backend has the receipt
    await acme()('exodm:update-config', { 'device-id': '1', module: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } });
    await acme()('exodm:update-config', { 'device-id': '1', module: 'weather_app-1.0', values: { location: 'Bro' } });
    const pushed = await acme()('exodm:push-config-data', { 'device-id': '1', 'notification-url': backend.url });
    transactionId = Number(pushed.result?.['transaction-id']);
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('11. the device connects to the server (telemetry) and is seen', async () => {
    telemetry = (await device.telemetry({ status: 'online' })).body;
    const seen = await acme()('exodm:lookup-device-attributes', { 'device-id': '1', attributes: ['is-connected'] });
    expect(seen.result?.attributes, 'step 11').toEqual([{ name: 'is-connected', val: 'true' }]);
  });

  it("12. the plugin asks the device queue for queued transactions: the answer names the transaction's version", () => {
    expect(telemetry, 'step 12').toEqual({ config_version: transactionId, command: false, new_licenses: false });
  });

  it('13. the device queue returns the queued transaction to the plugin (delivered, attempt 1)', async () => {
    fetched = (await device.call('GET', 'config')).body;
    expect(await transaction(), 'step 13').toMatchObject({ state: 'delivered', attempt: 1, kind: 'config' });
  });

  it('14. the plugin forwards the transaction to the device: both updates, in staging order', () => {
    expect(fetched, 'step 14').toEqual({
      id: `${transactionId}.1`,
      version: transactionId,
      config: {
        version: transactionId,
        updates: [
          { module: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } },
          { module: 'weather_app-1.0', values: { location: 'Bro' } },
        ],
      },
    });
  });

  it('15. the device confirms the transaction to the plugin', async () => {
    const { status, body } = await device.call('POST', 'config', fetched);
    expect({ status, body }, 'step 15').toEqual({
      status: 200,
      body: { id: `${transactionId}.1`, version: transactionId, status: 'done' },
    });
  });

  it('16. the plugin confirms it to the device queue, which marks it complete and removes it', async () => {
    const open = await t.server.context.queue.list({ device: queueName('acme', '1') }, { open: true });
    expect({ state: (await transaction())?.state, open: open.length }, 'step 16').toEqual({
      state: 'complete',
      open: 0,
    });
  });

  it('17. the acknowledgment reaches the JSON-RPC module: the configuration data is installed', async () => {
    const installed = [];
    for (const module of ['exosense-1.1', 'weather_app-1.0']) {
      installed.push((await acme()('exodm:read-config-data', { 'device-id': '1', module, area: 'installed' })).result);
    }
    expect(installed, 'step 17').toEqual([
      { result: 'ok', values: { ip_addr: '10.0.0.1' } },
      { result: 'ok', values: { location: 'Bro' } },
    ]);
  });

  it('18. the acknowledgment reaches the backend server at its notification URL', async () => {
    await eventually(() => backend.received.some((r) => r.body.params.final === true), 'the final callback');
    const final = backend.received.find((r) => r.body.params.final === true);
    expect(final?.body, 'step 18').toEqual({
      jsonrpc: '2.0',
      method: 'exodm:push-config-data-callback',
      params: {
        'transaction-id': transactionId,
        'device-id': '1',
        'rpc-status': 'complete',
        'rpc-status-string': 'The operation has completed successfully.',
        final: true,
      },
    });
  });
});

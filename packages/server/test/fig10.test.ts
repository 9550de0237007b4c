import type { Transaction } from '@fleetkit/txqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../src/context.ts';
import { eventually, type Listener, listen, type Received } from './callback-listener.ts';
import { acmeCall, type HttpDevice, registered, setUpAccount } from './device-fixture.ts';
import { type RpcReply, startServer, type TestServer } from './harness.ts';

const WEATHER_APP = `module weather_app-1.0 {
  namespace "urn:example:weather_app-1.0";
  prefix weather;
  leaf location { type string; }
  leaf sample_rate { type uint16; }
}`;

/**
 * Manual §7.3 Fig. 10, steps 1–20, end to end: a configuration transaction
 * pushed to device group 1 cascades to devices 2 and 3; each calls in over
 * the HTTP device API (plugin fleetkit-http), executes its hidden
 * sub-transaction and confirms it; the group transaction completes with the
 * last, and the backend hears each member and the group at its URL.
 */
describe('Fig. 10 steps 1–20: a device group transaction (manual §7.3)', () => {
  let t: TestServer;
  let backend: Listener;
  const devices = new Map<string, HttpDevice>();
  let push: RpcReply;
  let groupId: number;
  const subIds = new Map<string, number>();
  const acme = () => acmeCall(t);
  const queue = () => t.server.context.queue;
  const group = (): Promise<Transaction | undefined> => queue().get({ group: queueName('acme', '1') }, groupId);
  const subs = () => queue().subTransactions(queueName('acme', '1'), groupId);
  const sub = async (device: string) =>
    (await subs()).find((s) => 'device' in s.target && s.target.device === queueName('acme', device));
  const callbacks = (match: (r: Received) => boolean) => backend.received.filter(match);

  /** A member device calls in, fetches its configuration and confirms it; returns what it fetched. */
  async function callIn(device: string): Promise<Record<string, unknown>> {
    const http = devices.get(device)!;
    await http.telemetry();
    const fetched = (await http.call('GET', 'config')).body;
    await http.call('POST', 'config', fetched);
    return fetched;
  }

  beforeAll(async () => {
    t = await startServer();
    backend = await listen();
    await setUpAccount(t);
    await acme()('exodm:create-yang-module', { name: 'weather_app-1.0.yang', 'yang-module': WEATHER_APP });
    for (const id of ['2', '3']) devices.set(id, await registered(t, id));
    await acme()('exodm:create-device-group', { 'group-name': '1' });
    await acme()('exodm:add-device-group-members', { 'group-name': '1', 'device-id': ['2', '3'] });
    // the configuration updates of the figure's preceding set-config calls (not shown in it)
    await acme()('exodm:update-config', { 'device-id': '1', module: 'weather_app-1.0', values: { location: 'Bro' } });
    await acme()('exodm:update-config', { 'device-id': '3', module: 'weather_app-1.0', values: { sample_rate: 128 } });
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('1. the backend asks for the configuration to be pushed to device group 1', async () => {
    push = await acme()('exodm:push-config-data', { 'device-id': '1', 'notification-url': backend.url });
    expect(push.result?.result, 'step 1').toBe('ok');
  });

  it('2. the server queues all prepared updates as a single transaction of the group', async () => {
    groupId = Number(push.result?.['transaction-id']);
    expect(await group(), 'step 2').toMatchObject({
      kind: 'config',
      payload: { updates: [{ module: 'weather_app-1.0', values: { location: 'Bro' } }] },
    });
  });

  it('3. the group queue cascades the transaction to the queue of device 2', async () => {
    expect(await sub('2'), 'step 3').toMatchObject({ parent: { group: queueName('acme', '1'), id: groupId } });
  });

  it('4. the transaction for device 2 is stored under an id of device 2', async () => {
    subIds.set('2', (await sub('2'))!.id);
    const [open] = await queue().list({ device: queueName('acme', '2') }, { open: true });
    expect(open?.id, 'step 4').toBe(subIds.get('2'));
  });

  it('5. device queue 2 confirms the store; the group queue records the sub-transaction', async () => {
    expect(
      (await subs()).map((s) => s.target),
      'step 5',
    ).toContainEqual({ device: queueName('acme', '2') });
  });

  it('6. the group queue cascades the transaction to the queue of device 3', async () => {
    expect(await sub('3'), 'step 6').toMatchObject({ parent: { group: queueName('acme', '1'), id: groupId } });
  });

  it('7. the transaction for device 3 is stored under an id of device 3', async () => {
    subIds.set('3', (await sub('3'))!.id);
    const [open] = await queue().list({ device: queueName('acme', '3') }, { open: true });
    expect(open?.id, 'step 7').toBe(subIds.get('3'));
  });

  it('8. device queue 3 confirms the store; the group queue records the sub-transaction', async () => {
    expect(
      (await subs()).map((s) => s.target),
      'step 8',
    ).toContainEqual({ device: queueName('acme', '3') });
  });

  it('9. the group transaction waits for both sub-transactions', async () => {
    expect((await group())?.counts, 'step 9').toMatchObject({ total: 2, finished: 0 });
  });

  it("10. the group queue confirms the transaction as queued under the group's id", () => {
    expect(push.result?.['transaction-id'], 'step 10').toBe(String(groupId));
  });

  it('11. the confirmation reaches the backend, the sub-transactions hidden', () => {
    expect(push.result, 'step 11').toEqual({
      result: 'ok',
      'transaction-id': String(groupId),
      'rpc-status': 'accepted',
      'rpc-status-string': 'Operation has been accepted and is in progress.',
      final: false,
    });
  });

  it('12. device 2 connects, receives its sub-transaction and executes it', async () => {
    const fetched = await callIn('2');
    expect(fetched.config, 'step 12').toEqual({
      version: subIds.get('2'),
      updates: [{ module: 'weather_app-1.0', values: { location: 'Bro' } }],
    });
  });

  it('13. device queue 2 reports to the group queue: the backend hears device 2 complete', async () => {
    const member = (r: Received) => r.body.params['device-id'] === '2' && r.body.params['rpc-status'] === 'complete';
    await eventually(() => callbacks(member).length > 0, "device 2's member callback");
    expect(callbacks(member)[0]!.body.params, 'step 13').toMatchObject({ 'group-id': '1', final: false });
  });

  it('14. the group queue marks sub-transaction 2 complete; 3 is left', async () => {
    expect((await group())?.counts, 'step 14').toMatchObject({ total: 2, finished: 1, complete: 1 });
  });

  it('15. device 3 connects, receives its sub-transaction (its own values merged in) and executes it', async () => {
    const fetched = await callIn('3');
    expect(fetched.config, 'step 15').toEqual({
      version: subIds.get('3'),
      updates: [{ module: 'weather_app-1.0', values: { location: 'Bro', sample_rate: 128 } }],
    });
  });

  it('16. device queue 3 reports to the group queue: the backend hears device 3 complete', async () => {
    const member = (r: Received) => r.body.params['device-id'] === '3' && r.body.params['rpc-status'] === 'complete';
    await eventually(() => callbacks(member).length > 0, "device 3's member callback");
    expect(callbacks(member)[0]!.body.params, 'step 16').toMatchObject({ 'group-id': '1', final: false });
  });

  it('17. the group queue marks sub-transaction 3 complete: none is left', async () => {
    expect(
      (await subs()).map((s) => s.state),
      'step 17',
    ).toEqual(['complete', 'complete']);
  });

  it('18. the group queue marks the group transaction complete', async () => {
    expect((await group())?.state, 'step 18').toBe('complete');
  });

  it("19. the acknowledgment reaches the JSON-RPC module: the group's configuration is installed", async () => {
    const installed = await acme()('exodm:read-config-data', { 'device-id': '1', module: 'weather_app-1.0' });
    expect(installed.result, 'step 19').toEqual({ result: 'ok', values: { location: 'Bro' } });
  });

  it('20. the acknowledgment of the group transaction reaches the backend', async () => {
    const final = (r: Received) => r.body.params.final === true;
    await eventually(() => callbacks(final).length > 0, 'the final callback');
    expect(callbacks(final)[0]!.body, 'step 20').toEqual({
      jsonrpc: '2.0',
      method: 'exodm:push-config-data-callback',
      params: {
        'transaction-id': groupId,
        'device-id': '1',
        'group-id': '1',
        'rpc-status': 'complete',
        'rpc-status-string': 'The operation has completed successfully.',
        final: true,
      },
    });
  });
});

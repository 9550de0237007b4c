import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listener, listen, type Received } from './callback-listener.ts';
import { acmeCall, type HttpDevice, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

/** A backend answering every request with `result`, or with what `reply` makes of it. */
function backend(label: string, reply?: (request: Received) => unknown): Promise<Listener> {
  return listen((request) =>
    Response.json(
      reply === undefined ? { jsonrpc: '2.0', id: request.body.id, result: { ack: label } } : reply(request),
    ),
  );
}

/** The requests a listener received that are device RPCs or notifications (not transaction callbacks). */
function fromDevices(listener: Listener): Received[] {
  return listener.received.filter((r) => r.body.method.startsWith('test:') && !r.body.method.endsWith('-callback'));
}

describe('device-originated RPCs (manual §5.4, §5.8 Fig. 2; docs/sources.md, the real exodm server item 2)', () => {
  let t: TestServer;
  const listeners: Listener[] = [];
  let deviceUrl: Listener;
  let groupA: Listener;
  let groupB: Listener;
  const acme = () => acmeCall(t);

  const ok = async (method: string, params: unknown) =>
    expect((await acme()(method, params)).result, method).toEqual({ result: 'ok' });

  async function group(name: string, url: string | undefined): Promise<void> {
    await ok('exodm:create-device-group', {
      'group-name': name,
      ...(url === undefined ? {} : { 'notification-url': url }),
    });
  }

  async function join(name: string, deviceId: string, primary = false): Promise<void> {
    await ok('exodm:add-device-group-members', { 'group-name': name, 'device-id': [deviceId], primary });
  }

  /** The device's JSON-RPC request (id `r1`), or with `notification` a JSON-RPC notification. */
  function rpc(device: HttpDevice, method: string, params: unknown, notification = false) {
    return device.call('POST', 'rpc', { jsonrpc: '2.0', method, params, ...(notification ? {} : { id: 'r1' }) });
  }

  beforeAll(async () => {
    t = await startServer();
    await setUpAccount(t);
    deviceUrl = await backend('device');
    groupA = await backend('A');
    groupB = await backend('B');
    listeners.push(deviceUrl, groupA, groupB);
    await group('group-a', groupA.url);
    await group('group-b', groupB.url);
  });
  afterAll(async () => {
    for (const listener of listeners) await listener.close();
    await t.close();
  });

  it('sends to every group and reads the reply of the primary group; the other reply is dropped', async () => {
    const device = await registered(t, 'd-primary');
    await join('group-a', 'd-primary', true);
    await join('group-b', 'd-primary');
    const reply = await rpc(device, 'test:status-report', { level: 3 });
    expect(reply).toMatchObject({ status: 200, body: { jsonrpc: '2.0', id: 'r1', result: { ack: 'A' } } });
    // B got the request too, and answered { ack: 'B' }: that reply went nowhere
    await expect
      .poll(() => fromDevices(groupB).filter((r) => r.body.params['device-id'] === 'd-primary').length, {
        timeout: 20_000,
      })
      .toBe(1);
    const [sentToA] = fromDevices(groupA).filter((r) => r.body.params['device-id'] === 'd-primary');
    expect(sentToA!.body).toEqual({
      jsonrpc: '2.0',
      method: 'test:status-report',
      id: expect.any(Number),
      params: { level: 3, 'device-id': 'd-primary' },
    });
    expect(sentToA!.headers.get('x-fleetkit-device-id')).toBe('d-primary');
  });

  it('without a primary group, reads the reply of the group the device was last added to', async () => {
    const device = await registered(t, 'd-last');
    await join('group-a', 'd-last');
    await join('group-b', 'd-last');
    expect((await rpc(device, 'test:status-report', { level: 1 })).body.result).toEqual({ ack: 'B' });
    // added to A again: A is now the group it was last added to
    await join('group-a', 'd-last');
    expect((await rpc(device, 'test:status-report', { level: 1 })).body.result).toEqual({ ack: 'A' });
  });

  it("reads the device's own notification URL before any group's, and still sends to the groups", async () => {
    const device = await registered(t, 'd-own');
    await join('group-a', 'd-own', true);
    await ok('exodm:update-device', { 'device-id': 'd-own', 'notification-url': deviceUrl.url });
    expect((await rpc(device, 'test:status-report', { level: 2 })).body.result).toEqual({ ack: 'device' });
    // the group's copy goes out after the device's answer, on the sender's own time
    await expect
      .poll(() => fromDevices(groupA).filter((r) => r.body.params['device-id'] === 'd-own').length, { timeout: 20_000 })
      .toBe(1);
    expect(fromDevices(deviceUrl).filter((r) => r.body.params['device-id'] === 'd-own')).toHaveLength(1);
  });

  it('sends once to URLs that differ only by a trailing slash', async () => {
    const device = await registered(t, 'd-dup');
    await group('group-slash', `${groupA.url}/`);
    await join('group-slash', 'd-dup');
    await join('group-a', 'd-dup', true);
    expect((await rpc(device, 'test:status-report', { level: 4 })).body.result).toEqual({ ack: 'A' });
    expect(fromDevices(groupA).filter((r) => r.body.params['device-id'] === 'd-dup')).toHaveLength(1);
  });

  it('fills device-id with the sender: a device never speaks for another', async () => {
    const device = await registered(t, 'd-honest');
    await join('group-a', 'd-honest', true);
    await rpc(device, 'test:status-report', { level: 5, 'device-id': 'someone-else' });
    const sent = fromDevices(groupA).filter((r) => r.body.params.level === 5);
    expect(sent.map((r) => r.body.params['device-id'])).toEqual(['d-honest']);
  });

  it('refuses params the RPC input refuses (-32602) and sends nothing', async () => {
    const device = await registered(t, 'd-bad');
    await join('group-a', 'd-bad', true);
    const reply = await rpc(device, 'test:status-report', { level: 300 });
    expect(reply.body).toMatchObject({ id: 'r1', error: { code: -32602 } });
    expect(fromDevices(groupA).filter((r) => r.body.params['device-id'] === 'd-bad')).toHaveLength(0);
    expect((await rpc(device, 'test:nothing-here', {})).body).toMatchObject({ error: { code: -32601 } });
    expect((await rpc(device, 'exodm:list-devices', {})).body).toMatchObject({ error: { code: -32601 } });
  });

  it("checks the backend's result against the RPC output, and passes its errors on", async () => {
    const device = await registered(t, 'd-check');
    const wrong = await backend('wrong', (request) => ({ jsonrpc: '2.0', id: request.body.id, result: { other: 1 } }));
    const refusing = await backend('refusing', (request) => ({
      jsonrpc: '2.0',
      id: request.body.id,
      error: { code: 42, message: 'not today' },
    }));
    listeners.push(wrong, refusing);
    await ok('exodm:update-device', { 'device-id': 'd-check', 'notification-url': wrong.url });
    const invalid = await rpc(device, 'test:status-report', { level: 1 });
    expect(invalid.body).toMatchObject({
      error: { code: -32022, message: 'The backend result does not match the RPC output' },
    });
    await ok('exodm:update-device', { 'device-id': 'd-check', 'notification-url': refusing.url });
    expect((await rpc(device, 'test:status-report', { level: 1 })).body).toMatchObject({
      error: { code: 42, message: 'not today' },
    });
  });

  it('answers -32021 when the answering backend is down and -32020 when there is nowhere to send', async () => {
    const device = await registered(t, 'd-alone');
    expect((await rpc(device, 'test:status-report', { level: 1 })).body).toMatchObject({ error: { code: -32020 } });
    const gone = await backend('gone');
    await gone.close();
    await ok('exodm:update-device', { 'device-id': 'd-alone', 'notification-url': gone.url });
    expect((await rpc(device, 'test:status-report', { level: 1 })).body).toMatchObject({ error: { code: -32021 } });
  });

  it('passes a notification on to every destination without an id, and answers the device 202', async () => {
    const device = await registered(t, 'd-alarm');
    await join('group-a', 'd-alarm', true);
    await join('group-b', 'd-alarm');
    const reply = await rpc(device, 'test:alarm', { severity: 'major' }, true);
    expect(reply.status).toBe(202);
    for (const listener of [groupA, groupB]) {
      const [sent] = listener.received.filter((r) => r.body.method === 'test:alarm');
      expect(sent!.body).toEqual({
        jsonrpc: '2.0',
        method: 'test:alarm',
        params: { severity: 'major', 'device-id': 'd-alarm' },
      });
    }
  });

  it('numbers its requests from the account counter', async () => {
    const device = await registered(t, 'd-count');
    await join('group-a', 'd-count', true);
    await rpc(device, 'test:status-report', { level: 6 });
    await rpc(device, 'test:status-report', { level: 7 });
    const ids = fromDevices(groupA)
      .filter((r) => r.body.params['device-id'] === 'd-count')
      .map((r) => r.body.id as number);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]! + 1);
  });
});

import { basicAuthHeader } from '@fleetkit/jsonrpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Listener, listen, type Received } from './callback-listener.ts';
import { acmeCall, PROVISIONING_KEY, registered, setUpAccount } from './device-fixture.ts';
import { startServer, type TestServer } from './harness.ts';

/** A JSON-RPC answer of the endpoint. */
interface Answer {
  readonly jsonrpc?: string;
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

/** One exoport message (docs/sources.md, the real exodm server item 4). */
interface Message {
  readonly class: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** A device built for the real exodm's HTTP endpoint (docs/sources.md, the real exodm server item 4): JSON-RPC on /exoport with Basic auth. */
class ExoportDevice {
  #id = 0;
  readonly #url: string;
  readonly #auth: string;

  constructor(base: string, login: string, password: string) {
    this.#url = new URL('exoport', base).toString();
    this.#auth = basicAuthHeader(login, password);
  }

  /** One JSON-RPC call (or, without an id, a notification); the HTTP status and the parsed answer. */
  async send(method: string, params: unknown, notification = false): Promise<{ status: number; body: Answer }> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.#auth },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, ...(notification ? {} : { id: ++this.#id }) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
  }

  async messages(params: Record<string, unknown> = {}): Promise<Message[]> {
    const reply = await this.send('exoport:get-messages', params);
    const result = reply.body.result as { result: string; messages: Message[] };
    expect(result.result).toBe('ok');
    return result.messages;
  }
}

describe('the exoport HTTP device endpoint (plugin exoport-http, docs/sources.md, the real exodm server item 4)', () => {
  let t: TestServer;
  let backend: Listener;
  const acme = () => acmeCall(t);
  const callbacksOf = async (deviceId: string, count: number): Promise<Received[]> => {
    const of = () => backend.received.filter((r) => r.body.params['device-id'] === deviceId);
    await eventually(() => of().length >= count, `${count} callbacks about ${deviceId}`);
    return of();
  };

  beforeAll(async () => {
    t = await startServer();
    backend = await listen((request) =>
      request.body.method === 'test:list-even'
        ? Response.json({ jsonrpc: '2.0', id: request.body.id, result: { evens: [2, 4, 6, 8] } })
        : new Response(null, { status: 204 }),
    );
    await setUpAccount(t);
    // a 1.x device provisioned by the backend, with the device-key its firmware was built with
    await acme()('exodm:create-device', {
      'device-id': 'gw-1',
      'device-type': 'gateway',
      'device-key': '12345678901234567',
      'notification-url': backend.url,
    });
  });
  afterAll(async () => {
    await backend.close();
    await t.close();
  });

  it('lets a 1.x device in with *account*device and its device-key, and refuses a wrong one with 401', async () => {
    const device = new ExoportDevice(t.url, '*acme*gw-1', '12345678901234567');
    expect(await device.messages()).toEqual([]);
    const wrong = await new ExoportDevice(t.url, '*acme*gw-1', '12345678901234568').send('exoport:get-messages', {});
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe(-32001);
    const otherDelimiter = new ExoportDevice(t.url, '#acme#gw-1', '12345678901234567');
    expect(await otherDelimiter.messages()).toEqual([]);
  });

  it('hands out queued RPCs as exoport messages with their transaction id, and takes the std-callback as the ack', async () => {
    const device = new ExoportDevice(t.url, '*acme*gw-1', '12345678901234567');
    const accepted = await acme()('test:echo', { 'device-id': 'gw-1', text: 'howdy', 'notification-url': backend.url });
    const transactionId = Number(accepted.result?.['transaction-id']);
    const [message, ...rest] = await device.messages({ n: 50, timeout: 0 });
    expect(rest).toEqual([]);
    expect(message).toEqual({
      class: 'call',
      method: 'test:echo',
      params: { 'device-id': 'gw-1', 'notification-url': backend.url, text: 'howdy', 'transaction-id': transactionId },
    });
    expect(await device.messages()).toEqual([]);
    const acked = await device.send(
      'test:echo-callback',
      { 'transaction-id': transactionId, 'rpc-status': 'complete', final: true, message: 'howdy back' },
      true,
    );
    expect(acked.status).toBe(204);
    const received = await callbacksOf('gw-1', 2);
    expect(received[1]!.body).toEqual({
      jsonrpc: '2.0',
      method: 'test:echo-callback',
      params: {
        'transaction-id': transactionId,
        'device-id': 'gw-1',
        'rpc-status': 'complete',
        'rpc-status-string': 'The operation has completed successfully.',
        final: true,
        message: 'howdy back',
      },
    });
    const again = await device.send('test:echo-callback', { 'transaction-id': transactionId, 'rpc-status': 5 });
    expect(again.body.error).toEqual({
      code: -32023,
      message: 'Transaction rejected',
      data: { 'transaction-id': transactionId, reason: 'already-final' },
    });
  });

  it("forwards the device's own RPC to the backend and returns its result (exodm upstream_http_rpc)", async () => {
    const device = new ExoportDevice(t.url, '*acme*gw-1', '12345678901234567');
    const reply = await device.send('test:list-even', { limit: 9 });
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: 1, result: { evens: [2, 4, 6, 8] } });
    const [sent] = backend.received.filter((r) => r.body.method === 'test:list-even');
    expect(sent!.body.params).toEqual({ limit: 9 });
    expect((await device.send('test:list-even', { limit: 'nine' })).body.error?.code).toBe(-32602);
  });

  it('waits for work with a get-messages timeout and returns what was queued meanwhile', async () => {
    const device = new ExoportDevice(t.url, '*acme*gw-1', '12345678901234567');
    const polled = device.messages({ n: '10', timeout: '20000' });
    // nothing is queued: the poll waits (a poll answered at once would hold no message)
    await acme()('test:echo', { 'device-id': 'gw-1', text: 'late' });
    const [message] = await polled;
    expect(message).toMatchObject({ class: 'call', method: 'test:echo', params: { text: 'late' } });
  });

  it('delivers a 1.x config set push in the real server shape, <module>:push_config_set with name and values', async () => {
    const device = new ExoportDevice(t.url, '*acme*gw-1', '12345678901234567');
    for (const message of await device.messages()) {
      await device.send('test:echo-callback', {
        'transaction-id': message.params['transaction-id'],
        'rpc-status': 'complete',
      });
    }
    await acme()('exodm:create-yang-module', {
      name: 'gw-cfg.yang',
      'yang-module': 'module gw-cfg { namespace "urn:fleetkit:gw-cfg"; prefix g; leaf rate { type uint16; } }',
    });
    await acme()('exodm:create-config-set', { name: 'rates', yang: 'gw-cfg.yang', values: { rate: 9 } });
    await acme()('exodm:add-config-set-members', { name: ['rates'], 'device-id': ['gw-1'] });
    expect((await acme()('exodm:push-config-set', { name: 'rates' })).result).toEqual({ result: 'ok' });
    const [message] = await device.messages();
    expect(message).toEqual({
      class: 'call',
      method: 'gw-cfg:push_config_set',
      params: { name: 'rates', values: { rate: 9 }, 'transaction-id': expect.any(Number) },
    });
    await device.send('exodm:push-config-set-callback', {
      'transaction-id': message!.params['transaction-id'],
      'rpc-status': 1,
      final: true,
    });
    expect((await acme()('exodm:read-config-set-data', { name: 'rates' })).result).toEqual({
      result: 'ok',
      values: { rate: 9 },
    });
  });

  it('takes a registered access key as the password, after which the 1.x device-key no longer works', async () => {
    const http = await registered(t, 'gw-2', `${PROVISIONING_KEY}-gateway`);
    const device = new ExoportDevice(t.url, '*acme*gw-2', http.credentials!.access_key);
    expect(await device.messages()).toEqual([]);
    await acme()('exodm:update-device', { 'device-id': 'gw-2', 'device-key': 77 });
    expect((await new ExoportDevice(t.url, '*acme*gw-2', '77').send('exoport:get-messages', {})).status).toBe(401);
  });

  it('refuses a device of another protocol with 403, and a login that names no device with 401', async () => {
    const meter = await registered(t, 'm-exo');
    const wrongPlugin = new ExoportDevice(t.url, '*acme*m-exo', meter.credentials!.access_key);
    expect((await wrongPlugin.send('exoport:get-messages', {})).status).toBe(403);
    expect((await new ExoportDevice(t.url, 'acme-gw-1', 'x').send('exoport:get-messages', {})).status).toBe(401);
    expect((await new ExoportDevice(t.url, '*acme*nobody', 'x').send('exoport:get-messages', {})).status).toBe(401);
  });
});

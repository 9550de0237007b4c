import { ManualClock } from '@fleetkit/core';
import type { AckStatus, Delivery, EnqueueInput, TxEvent } from '@fleetkit/txqueue';
import { afterEach, describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_MS } from '../src/callbacks/delivery.ts';
import { callbackStats, insertCallbacks } from '../src/callbacks/outbox.ts';
import { callbackSubscriber } from '../src/callbacks/subscriber.ts';
import type { ServerSettings } from '../src/context.ts';
import { queueName } from '../src/context.ts';
import { addMembers, insertGroup } from '../src/store/groups.ts';
import { eventually, type Listener, listen, type Received } from './callback-listener.ts';
import { startServer, type TestServer } from './harness.ts';

const ACCOUNT = 'acme';
const STATUS_TEXT = {
  complete: 'The operation has completed successfully.',
  'device-connected': 'A connection has been established with the device addressed by the operation.',
  accepted: 'Operation has been accepted and is in progress.',
  'time-out': 'Operation has timed out.',
};

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function server(options: { clock?: ManualClock; settings?: Partial<ServerSettings> } = {}): Promise<TestServer> {
  const t = await startServer(options);
  open.push(t);
  return t;
}

async function listener(...args: Parameters<typeof listen>): Promise<Listener> {
  const l = await listen(...args);
  open.push(l);
  return l;
}

/** A device RPC transaction as the device-RPC method enqueues it: tag and payload name the RPC. */
async function rpc(t: TestServer, device: string, notify: string, more: Partial<EnqueueInput> = {}) {
  const { transaction } = await t.server.context.queue.enqueue({
    target: { device: queueName(ACCOUNT, device) },
    kind: 'rpc',
    tag: 'test:echo',
    payload: { method: 'test:echo', params: { text: 'hi' } },
    notify,
    ...more,
  });
  return transaction;
}

/** The device calls in and takes its next transaction. */
async function callIn(t: TestServer, device: string): Promise<Delivery> {
  const [delivery] = await t.server.context.queue.callIn(queueName(ACCOUNT, device));
  if (delivery === undefined) throw new Error(`nothing queued for ${device}`);
  return delivery;
}

async function ack(t: TestServer, device: string, delivery: Delivery, status: AckStatus, detail?: unknown) {
  const field = status === 'progress' ? 'progress' : 'result';
  return t.server.context.queue.ack(queueName(ACCOUNT, device), {
    transactionId: delivery.transactionId,
    attempt: delivery.attempt,
    status,
    ...(detail === undefined ? {} : { [field]: detail }),
  });
}

/** Failed attempts of each stored callback row, oldest first. */
async function attempts(t: TestServer): Promise<number[]> {
  const rows = await t.server.context.db.query<{ attempts: number }>('SELECT attempts FROM srv_callbacks ORDER BY seq');
  return rows.map((row) => Number(row.attempts));
}

function statuses(received: readonly Received[]): unknown[] {
  return received.map((r) => r.body.params['rpc-status']);
}

describe('transaction callbacks over HTTP (manual §8.1; the real exodm server, docs/sources.md item 2)', () => {
  it('posts device-connected, then the final complete as JSON-RPC notifications with the device result merged', async () => {
    const t = await server();
    const backend = await listener();
    const tx = await rpc(t, 'dev-1', backend.url);
    const delivery = await callIn(t, 'dev-1');
    await ack(t, 'dev-1', delivery, 'complete', { echo: 'hi', 'transaction-id': 999 });
    const [connected, complete] = await backend.waitFor(2);
    expect(connected!.body).toEqual({
      jsonrpc: '2.0',
      method: 'test:echo-callback',
      params: {
        'transaction-id': tx.id,
        'device-id': 'dev-1',
        'rpc-status': 'device-connected',
        'rpc-status-string': STATUS_TEXT['device-connected'],
        final: false,
      },
    });
    // the device's fields are forwarded, but never over the standard ones
    expect(complete!.body).toEqual({
      jsonrpc: '2.0',
      method: 'test:echo-callback',
      params: {
        'transaction-id': tx.id,
        'device-id': 'dev-1',
        'rpc-status': 'complete',
        'rpc-status-string': STATUS_TEXT.complete,
        final: true,
        echo: 'hi',
      },
    });
    expect(complete!.headers.get('content-type')).toBe('application/json');
    const ids = backend.received.map((r) => r.headers.get('x-fleetkit-callback-id'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(2);
    await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'the outbox to drain');
  });

  it("carries the caller's own transaction-id when the request gave one, as the receipt did", async () => {
    const t = await server();
    const backend = await listener();
    await rpc(t, 'dev-16', backend.url, { clientId: '411' });
    await rpc(t, 'dev-17', backend.url, { clientId: '18446744073709551615' });
    await callIn(t, 'dev-16');
    await callIn(t, 'dev-17');
    const ids = (await backend.waitFor(2)).map((r) => r.body.params['transaction-id']);
    expect(ids.sort()).toEqual([411, '18446744073709551615'].sort());
  });

  it('reports a device failure as its status code with the reason the device gave', async () => {
    const t = await server();
    const backend = await listener();
    await rpc(t, 'dev-2', backend.url);
    await ack(t, 'dev-2', await callIn(t, 'dev-2'), 'device-error', { reason: 'disk full' });
    const [, failed] = await backend.waitFor(2);
    expect(failed!.body.params).toMatchObject({ 'rpc-status': 'device-error', final: true, reason: 'disk full' });
    expect(failed!.body.params['rpc-status-string']).toContain('The device encountered an error');
  });

  it('ends a transaction the device never answers with a time-out callback, never silence', async () => {
    const clock = new ManualClock();
    const t = await server({ clock });
    const backend = await listener();
    const tx = await rpc(t, 'dev-3', backend.url, { timeoutMs: 5_000 });
    clock.advance(5_000);
    const [timedOut] = await backend.waitFor(1);
    expect(timedOut!.body.params).toEqual({
      'transaction-id': tx.id,
      'device-id': 'dev-3',
      'rpc-status': 'time-out',
      'rpc-status-string': STATUS_TEXT['time-out'],
      final: true,
    });
  });

  it("posts each progress report, and a transaction's callbacks one at a time in event order", async () => {
    const t = await server();
    const inFlight = new Map<unknown, number>();
    let overlapped = false;
    // every reply waits a little, so callbacks of one transaction sent side by side would overlap here
    const backend = await listener(async (request) => {
      const key = request.body.params['transaction-id'];
      const now = (inFlight.get(key) ?? 0) + 1;
      if (now > 1) overlapped = true;
      inFlight.set(key, now);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight.set(key, now - 1);
      return new Response(null, { status: 200 });
    });
    const tx = await rpc(t, 'dev-4', backend.url);
    const delivery = await callIn(t, 'dev-4');
    for (let n = 1; n <= 5; n++) await ack(t, 'dev-4', delivery, 'progress', { cnt: n, of: 5 });
    await ack(t, 'dev-4', delivery, 'complete');
    const received = await backend.waitFor(7);
    expect(statuses(received)).toEqual(['device-connected', ...Array(5).fill('accepted'), 'complete']);
    expect(received.slice(1, 6).map((r) => r.body.params.cnt)).toEqual([1, 2, 3, 4, 5]);
    expect(received[3]!.body.params).toMatchObject({ 'transaction-id': tx.id, final: false, cnt: 3, of: 5 });
    expect(overlapped).toBe(false);
  });

  it('names the callback after the RPC: the tag, else the payload method, else the config push', async () => {
    const t = await server();
    const backend = await listener();
    const queue = t.server.context.queue;
    const device = queueName(ACCOUNT, 'dev-5');
    await queue.enqueue({
      target: { device },
      kind: 'rpc',
      payload: { method: 'exodemo:beep', params: {} },
      notify: backend.url,
    });
    await queue.stage({ device }, 'exosense-1.1', { ip_addr: '10.0.0.1' });
    await queue.push({ device }, { notify: backend.url });
    await queue.stage({ device }, 'exosense-1.1', { ip_addr: '10.0.0.2' });
    await queue.push({ device }, { notify: backend.url, tag: 'exodm:push-config-data' });
    for (const delivery of await queue.callIn(device)) await ack(t, 'dev-5', delivery, 'complete');
    const finals = (await backend.waitFor(6)).filter((r) => r.body.params.final);
    expect(finals.map((r) => r.body.method)).toEqual([
      'exodemo:beep-callback',
      'exodm:push-config-set-callback',
      'exodm:push-config-data-callback',
    ]);
  });

  it('posts one callback per member device as it finishes, then the group transaction final one after them', async () => {
    const t = await server();
    const backend = await listener();
    const { db, queue, clock } = t.server.context;
    await insertGroup(db, ACCOUNT, { groupId: 'fleet-a', notificationUrl: undefined, createdAt: clock.now() });
    await addMembers(db, ACCOUNT, { groupId: 'fleet-a', deviceIds: ['dev-6', 'dev-7'], primary: false });
    const { transaction } = await queue.enqueue({
      target: { group: queueName(ACCOUNT, 'fleet-a') },
      kind: 'rpc',
      tag: 'test:echo',
      payload: { method: 'test:echo', params: {} },
      notify: backend.url,
      memberEvents: true,
    });
    await ack(t, 'dev-7', await callIn(t, 'dev-7'), 'complete', { echo: 'seven' });
    await ack(t, 'dev-6', await callIn(t, 'dev-6'), 'value-error', { reason: 'bad value' });
    const received = (await backend.waitFor(3)).map((r) => r.body.params);
    // member callbacks carry no order among themselves; the group's final one comes after both
    const members = received.slice(0, 2).sort((a, b) => String(a['device-id']).localeCompare(String(b['device-id'])));
    expect(members).toEqual([
      expect.objectContaining({ 'device-id': 'dev-6', 'rpc-status': 'value-error', final: false, reason: 'bad value' }),
      {
        'transaction-id': transaction.id,
        'device-id': 'dev-7',
        'group-id': 'fleet-a',
        'rpc-status': 'complete',
        'rpc-status-string': STATUS_TEXT.complete,
        final: false,
        echo: 'seven',
      },
    ]);
    expect(received[2]).toEqual(
      expect.objectContaining({
        'transaction-id': transaction.id,
        'device-id': 'fleet-a',
        'group-id': 'fleet-a',
        'rpc-status': 'device-error',
        final: true,
      }),
    );
    expect(backend.received).toHaveLength(3);
  });

  it('keeps sending to a working backend while another backend hangs', async () => {
    const t = await server();
    let hung = 0;
    const stalled = await listener(() => {
      hung++;
      return new Promise<Response>(() => {});
    });
    const backend = await listener();
    await rpc(t, 'dev-8', stalled.url);
    await callIn(t, 'dev-8');
    await stalled.waitFor(1);
    await rpc(t, 'dev-9', backend.url);
    await ack(t, 'dev-9', await callIn(t, 'dev-9'), 'complete');
    const received = await backend.waitFor(2);
    expect(statuses(received)).toEqual(['device-connected', 'complete']);
    // the hanging request is still open: nothing of the other backend waited for it
    expect(hung).toBe(1);
    expect(stalled.received).toHaveLength(1);
  });

  it('retries a failing backend with backoff, under the same callback id, until it answers', async () => {
    const clock = new ManualClock();
    const t = await server({ clock, settings: { callbackRetryMs: 1_000, callbackRetryMaxMs: 8_000 } });
    const backend = await listener((_request, index) => new Response(null, { status: index < 2 ? 503 : 200 }));
    await rpc(t, 'dev-10', backend.url);
    await callIn(t, 'dev-10');
    await eventually(async () => (await attempts(t))[0] === 1, 'the first failure');
    clock.advance(8_000);
    await eventually(async () => (await attempts(t))[0] === 2, 'the second failure');
    clock.advance(8_000);
    const [first, second, third] = await backend.waitFor(3);
    const id = first!.headers.get('x-fleetkit-callback-id');
    expect(second!.headers.get('x-fleetkit-callback-id')).toBe(id);
    expect(third!.headers.get('x-fleetkit-callback-id')).toBe(id);
    await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'delivery');
    expect(t.logs.records.some((r) => r.message === 'callback failed; retrying')).toBe(true);
  });

  it("holds a failing backend's other callbacks until its retry instead of trying each", async () => {
    const clock = new ManualClock();
    const t = await server({ clock, settings: { callbackRetryMs: 1_000, callbackRetryMaxMs: 1_000 } });
    const backend = await listener((_request, index) => new Response(null, { status: index === 0 ? 503 : 200 }));
    await rpc(t, 'dev-14', backend.url);
    await callIn(t, 'dev-14');
    await eventually(async () => (await attempts(t))[0] === 1, 'the first failure');
    await rpc(t, 'dev-15', backend.url);
    await callIn(t, 'dev-15');
    // the second transaction's callback is stored, claimed, and put back to wait for the backend's retry
    await eventually(async () => {
      const [row] = await t.server.context.db.query<{ next_at: number; leased_until: number }>(
        "SELECT next_at, leased_until FROM srv_callbacks WHERE target = 'device:dev-15'",
      );
      return row !== undefined && Number(row.next_at) > clock.now() && Number(row.leased_until) === 0;
    }, 'the second callback to wait');
    expect(backend.received).toHaveLength(1);
    expect(await attempts(t)).toEqual([1, 0]);
    clock.advance(1_000);
    const received = await backend.waitFor(3);
    expect(received.map((r) => r.body.params['device-id']).sort()).toEqual(['dev-14', 'dev-14', 'dev-15']);
  });

  it('delivers what was waiting once an unreachable backend listens again', async () => {
    const clock = new ManualClock();
    const t = await server({ clock, settings: { callbackRetryMs: 1_000, callbackRetryMaxMs: 2_000 } });
    const gone = await listen();
    const { port, url } = gone;
    await gone.close();
    await rpc(t, 'dev-11', url);
    await ack(t, 'dev-11', await callIn(t, 'dev-11'), 'complete');
    // the second row waits behind the first, which failed: both are pending
    await eventually(async () => {
      const stats = await callbackStats(t.server.context);
      return stats.failing === 1 && stats.pending === 2;
    }, 'a refused connection');
    const back = await listener(undefined, port);
    clock.advance(1_000);
    expect(statuses(await back.waitFor(2))).toEqual(['device-connected', 'complete']);
  });

  it('gives a row up after a day of failures and counts it dead', async () => {
    const clock = new ManualClock();
    const t = await server({ clock, settings: { callbackRetryMs: 1_000, callbackRetryMaxMs: 60_000 } });
    const backend = await listener(() => new Response('no', { status: 500 }));
    await rpc(t, 'dev-12', backend.url);
    await callIn(t, 'dev-12');
    await eventually(async () => (await callbackStats(t.server.context)).failing === 1, 'the first failure');
    clock.advance(1_000);
    expect((await callbackStats(t.server.context)).oldestPendingMs).toBe(1_000);
    clock.advance(GIVE_UP_AFTER_MS);
    await eventually(async () => (await callbackStats(t.server.context)).dead === 1, 'the row to be given up');
    expect(await callbackStats(t.server.context)).toMatchObject({ pending: 0, failing: 0, dead: 1 });
    expect(t.logs.records.some((r) => r.message === 'callback given up')).toBe(true);
    const metrics = await (await fetch(new URL('metrics', t.url))).text();
    expect(metrics).toContain('fleetkit_callbacks{state="dead"} 1');
  });

  it('stores an event redelivered by txqueue only once', async () => {
    const t = await server();
    const backend = await listener();
    const { context } = t.server;
    const seen: TxEvent[] = [];
    const off = context.queue.subscribe((event) => {
      seen.push(event);
    });
    await rpc(t, 'dev-13', backend.url);
    await ack(t, 'dev-13', await callIn(t, 'dev-13'), 'complete');
    await backend.waitFor(2);
    off();
    const handler = callbackSubscriber(context, async (callbacks) => {
      await insertCallbacks(context, callbacks);
    });
    for (const event of seen) await handler(event);
    const [count] = await context.db.query<{ n: number }>('SELECT count(*) AS n FROM srv_callbacks');
    expect(Number(count!.n)).toBe(2);
    expect(backend.received).toHaveLength(2);
  });
});

describe('callbacks to group URLs (the 1.x behaviour, settings.callbacksToGroupUrls)', () => {
  async function withGroups(settings: Partial<ServerSettings>, notify: Listener, other: Listener) {
    const t = await server({ settings });
    const { db, clock } = t.server.context;
    // the device's group repeats the request's URL with a trailing slash: one POST, not two
    await insertGroup(db, ACCOUNT, { groupId: 'same', notificationUrl: `${notify.url}/`, createdAt: clock.now() });
    await insertGroup(db, ACCOUNT, { groupId: 'other', notificationUrl: other.url, createdAt: clock.now() });
    await insertGroup(db, ACCOUNT, { groupId: 'unrelated', notificationUrl: `${other.url}x`, createdAt: clock.now() });
    for (const groupId of ['same', 'other'])
      await addMembers(db, ACCOUNT, { groupId, deviceIds: ['d'], primary: false });
    await rpc(t, 'd', notify.url);
    await ack(t, 'd', await callIn(t, 'd'), 'complete');
    return t;
  }

  it("also posts to the device's groups' URLs when enabled, each URL once", async () => {
    const notify = await listener();
    const other = await listener();
    const t = await withGroups({ callbacksToGroupUrls: true }, notify, other);
    await notify.waitFor(2);
    expect(statuses(await other.waitFor(2))).toEqual(['device-connected', 'complete']);
    await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'delivery');
    expect(notify.received).toHaveLength(2);
    expect(other.received.map((r) => r.path)).toEqual(['/cb', '/cb']);
  });

  it('posts to the request URL only by default, as the manual says', async () => {
    const notify = await listener();
    const other = await listener();
    const t = await withGroups({}, notify, other);
    await notify.waitFor(2);
    await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'delivery');
    expect(other.received).toHaveLength(0);
  });
});

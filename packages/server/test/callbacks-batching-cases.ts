// The callback outbox's commits, as cases run on each store: rows the
// subscriber stores go to the sender leased, without a claim; a transaction's
// callbacks go out back to back without a commit between them, a group's
// member callbacks side by side; the rows delivered meanwhile are marked done
// together.
import { ManualClock, type SqlDriver } from '@fleetkit/core';
import type { Delivery } from '@fleetkit/txqueue';
import { afterEach, describe, expect, it } from 'vitest';
import { callbackStats } from '../src/callbacks/outbox.ts';
import { queueName } from '../src/context.ts';
import { addMembers, insertGroup } from '../src/store/groups.ts';
import { eventually, type Listener, listen } from './callback-listener.ts';
import { OutboxSpy } from './callbacks-spy.ts';
import { startServer, type TestServer } from './harness.ts';

const ACCOUNT = 'acme';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

/** A store of the test's own, and how to dispose of it. */
export interface TestStore {
  readonly driver: SqlDriver;
  close(): Promise<void>;
}

/** Opens a store, disposed of after the test's server closed. */
async function fresh(store: () => Promise<TestStore>): Promise<SqlDriver> {
  const opened = await store();
  open.push(opened);
  return opened.driver;
}

/** A server on `driver` whose clock only moves when told: no poll ever claims. */
async function server(driver: SqlDriver): Promise<TestServer> {
  const t = await startServer({ driver, clock: new ManualClock() });
  open.push(t);
  return t;
}

/** A backend that holds its answer to the first callback until `answerFirst()`; the others get 204 at once. */
async function heldFirst(): Promise<Listener & { answerFirst(): void }> {
  let answer = (): void => {};
  const first = new Promise<Response>((resolve) => {
    answer = () => resolve(new Response(null, { status: 204 }));
  });
  const l = await listen((_request, index) => (index === 0 ? first : new Response(null, { status: 204 })));
  open.push(l);
  return Object.assign(l, { answerFirst: answer });
}

async function ack(t: TestServer, device: string, delivery: Delivery, status: 'progress' | 'complete', n: number) {
  await t.server.context.queue.ack(queueName(ACCOUNT, device), {
    transactionId: delivery.transactionId,
    attempt: delivery.attempt,
    status,
    ...(status === 'progress' ? { progress: { n } } : { result: { n } }),
  });
}

async function stored(t: TestServer, count: number): Promise<void> {
  await eventually(async () => {
    const [row] = await t.server.context.db.query<{ n: number }>('SELECT count(*) AS n FROM srv_callbacks');
    return Number(row?.n) === count;
  }, `${count} callback rows`);
}

/** The cases on stores `store` opens (a fresh one per test). */
export function batchingCases(name: string, store: () => Promise<TestStore>): void {
  describe(name, () => {
    it("sends a transaction's callbacks back to back while the first is not yet marked done, then marks them together", async () => {
      const spy = new OutboxSpy(await fresh(store));
      const t = await server(spy.driver);
      const backend = await heldFirst();
      const { queue } = t.server.context;
      const device = queueName(ACCOUNT, 'dev-1');
      await queue.enqueue({ target: { device }, kind: 'rpc', tag: 'test:echo', payload: {}, notify: backend.url });
      const [delivery] = await queue.callIn(device);
      // device-connected is out; its reply waits while the device reports 5 steps and completes
      await backend.waitFor(1);
      for (let n = 1; n <= 5; n++) await ack(t, 'dev-1', delivery!, 'progress', n);
      await ack(t, 'dev-1', delivery!, 'complete', 6);
      await stored(t, 7);
      spy.holdDoneMarks();
      backend.answerFirst();
      // every later callback goes out although no done mark can be written
      const received = await backend.waitFor(7);
      expect(received.map((r) => r.body.params['rpc-status'])).toEqual([
        'device-connected',
        ...Array(5).fill('accepted'),
        'complete',
      ]);
      expect(received.slice(1, 6).map((r) => r.body.params.n)).toEqual([1, 2, 3, 4, 5]);
      const [done] = await t.server.context.db.query<{ n: number }>(
        "SELECT count(*) AS n FROM srv_callbacks WHERE state = 'done'",
      );
      expect(Number(done?.n)).toBe(0);
      spy.release();
      await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'every row marked done');
      // each row stored by the subscriber came leased: no claim took any of them
      expect(spy.writes).toMatchObject({ inserts: 7, claims: 0 });
      // the held mark, the rows delivered meanwhile, at most one reply still on its way then
      expect(spy.writes.doneMarks).toBeLessThanOrEqual(3);
      expect(backend.received).toHaveLength(7);
    });

    it("sends a group's member callbacks side by side, and the group's final one only once they are all stored as done", async () => {
      const spy = new OutboxSpy(await fresh(store));
      const t = await server(spy.driver);
      const backend = await heldFirst();
      const { db, queue, clock } = t.server.context;
      const members = Array.from({ length: 8 }, (_, i) => `member-${i}`);
      await insertGroup(db, ACCOUNT, { groupId: 'fleet', notificationUrl: undefined, createdAt: clock.now() });
      await addMembers(db, ACCOUNT, { groupId: 'fleet', deviceIds: members, primary: false });
      await queue.enqueue({
        target: { group: queueName(ACCOUNT, 'fleet') },
        kind: 'rpc',
        tag: 'test:echo',
        payload: {},
        notify: backend.url,
        memberEvents: true,
      });
      for (const [i, member] of members.entries()) {
        const [delivery] = await queue.callIn(queueName(ACCOUNT, member));
        await ack(t, member, delivery!, 'complete', i);
        if (i === 0) await backend.waitFor(1);
      }
      await stored(t, members.length + 1);
      // the first member's reply is held: the other members still go out, the group's final does not
      const seven = (await backend.waitFor(members.length)).map((r) => r.body.params);
      expect(new Set(seven.map((p) => p['device-id']))).toEqual(new Set(members));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(backend.received).toHaveLength(members.length);
      backend.answerFirst();
      const received = (await backend.waitFor(members.length + 1)).map((r) => r.body.params);
      expect(received.at(-1)).toMatchObject({ 'device-id': 'fleet', final: true });
      expect(received.slice(0, -1).every((p) => p.final === false)).toBe(true);
      await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'every row marked done');
      // every member stored leased, without a claim; the final one taken by a claim once they were done
      expect(spy.writes).toMatchObject({ inserts: members.length + 1, claims: 1 });
      expect(backend.received).toHaveLength(members.length + 1);
    });

    it("keeps a transaction's order when its first callback fails with the next one already leased", async () => {
      const clock = new ManualClock();
      const spy = new OutboxSpy(await fresh(store));
      const t = await startServer({
        driver: spy.driver,
        clock,
        settings: { callbackRetryMs: 1_000, callbackRetryMaxMs: 1_000 },
      });
      open.push(t);
      let answer = (): void => {};
      const first = new Promise<Response>((resolve) => {
        answer = () => resolve(new Response(null, { status: 503 }));
      });
      const backend = await listen((_request, index) => (index === 0 ? first : new Response(null, { status: 204 })));
      open.push(backend);
      const { queue } = t.server.context;
      const device = queueName(ACCOUNT, 'dev-2');
      await queue.enqueue({ target: { device }, kind: 'rpc', tag: 'test:echo', payload: {}, notify: backend.url });
      const [delivery] = await queue.callIn(device);
      await backend.waitFor(1);
      await ack(t, 'dev-2', delivery!, 'complete', 1);
      await stored(t, 2);
      // the complete row is leased behind device-connected, which now fails
      answer();
      await eventually(async () => (await callbackStats(t.server.context)).failing === 1, 'the failure stored');
      await eventually(async () => {
        const rows = await t.server.context.db.query<{ n: number }>(
          'SELECT count(*) AS n FROM srv_callbacks WHERE lease_owner IS NULL',
        );
        return Number(rows[0]?.n) === 2;
      }, 'both rows handed back');
      expect(backend.received).toHaveLength(1);
      // the retry time, again until it is seen: the sender may be computing its sleep as the clock moves
      await eventually(() => {
        clock.advance(1_000);
        return backend.received.length >= 3;
      }, 'the retry and the complete callback');
      const received = await backend.waitFor(3);
      expect(received.map((r) => r.body.params['rpc-status'])).toEqual([
        'device-connected',
        'device-connected',
        'complete',
      ]);
      expect(received[1]!.headers.get('x-fleetkit-callback-id')).toBe(
        received[0]!.headers.get('x-fleetkit-callback-id'),
      );
      await eventually(async () => (await callbackStats(t.server.context)).pending === 0, 'delivery');
      expect(backend.received).toHaveLength(3);
    });
  });
}

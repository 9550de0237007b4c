// The one engine suite every storage passes (memory, SQLite, PostgreSQL):
// each store's test file is a few lines calling describeTxQueueEngine.
import { ManualClock, memoryLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { openTxQueue, type TxEvent } from '../index.ts';
import { describeEventTests } from './event-suite.ts';
import { HOUR, harness, rpc, type StoreHandle } from './harness.ts';
import { describeWorkTests } from './work-suite.ts';

export type { StoreHandle } from './harness.ts';

export function describeTxQueueEngine(name: string, store: () => Promise<StoreHandle>): void {
  describe(`txqueue engine: ${name}`, () => {
    const suite = harness(store);
    const { setup, opened } = suite;

    it('assigns ids per device that start at 1 and increase', async () => {
      const { queue } = await setup();
      const ids = [];
      for (const d of ['a', 'b', 'a', 'a', 'b']) ids.push((await queue.enqueue(rpc(d))).transaction.id);
      expect(ids).toEqual([1, 1, 2, 3, 2]);
    });

    it('returns the same transaction for a repeated caller id with an equal payload, in any key order', async () => {
      const { queue } = await setup();
      const first = await queue.enqueue({ ...rpc('a', { x: 1, y: [1, 2] }), clientId: 'req-7' });
      const again = await queue.enqueue({ ...rpc('a', { y: [1, 2], x: 1 }), clientId: 'req-7' });
      expect([again.created, again.transaction.id, again.transaction.clientId]).toEqual([
        false,
        first.transaction.id,
        'req-7',
      ]);
      expect(await queue.list({ device: 'a' })).toHaveLength(1);
    });

    it('rejects a repeated caller id with a different payload and stores nothing', async () => {
      const { queue } = await setup();
      await queue.enqueue({ ...rpc('a', { x: 1 }), clientId: 'req-7' });
      await expect(queue.enqueue({ ...rpc('a', { x: 2 }), clientId: 'req-7' })).rejects.toMatchObject({
        code: 'idempotency-conflict',
      });
      expect(await queue.list({ device: 'a' })).toHaveLength(1);
    });

    it('hands a device its pending transactions in id order, once per lease', async () => {
      const { queue, clock } = await setup();
      for (let i = 0; i < 3; i++) await queue.enqueue(rpc('a', { i }));
      const first = await queue.callIn('a');
      expect(first.map((d) => [d.transactionId, d.attempt, d.payload])).toEqual([
        [1, 1, { i: 0 }],
        [2, 1, { i: 1 }],
        [3, 1, { i: 2 }],
      ]);
      expect(await queue.callIn('a')).toEqual([]);
      clock.advance(60_000);
      expect((await queue.callIn('a')).map((d) => d.attempt)).toEqual([2, 2, 2]);
    });

    it('counts open transactions by state, and no finished one', async () => {
      const { queue } = await setup();
      expect(await queue.openCounts()).toEqual({});
      for (let i = 0; i < 3; i++) await queue.enqueue(rpc('a', { i }));
      await queue.enqueue(rpc('b'));
      const [first] = await queue.callIn('a', { limit: 1 });
      expect(await queue.openCounts()).toEqual({ queued: 3, delivered: 1 });
      await queue.ack('a', { transactionId: first!.transactionId, attempt: first!.attempt, status: 'complete' });
      expect(await queue.openCounts()).toEqual({ queued: 3 });
    });

    it('completes on a complete ack and treats an identical repeat as a duplicate', async () => {
      const { queue, settle } = await setup();
      await queue.enqueue(rpc('a'));
      const [d] = await queue.callIn('a');
      const ack = {
        transactionId: d!.transactionId,
        attempt: d!.attempt,
        status: 'complete' as const,
        result: { ok: 1 },
      };
      expect((await queue.ack('a', ack)).outcome).toBe('applied');
      expect((await queue.ack('a', ack)).outcome).toBe('duplicate');
      expect(await settle()).toEqual([
        { on: 'a', type: 'accepted', transactionId: 1, status: 'accepted', final: false },
        { on: 'a', type: 'delivered', transactionId: 1, status: 'device-connected', final: false },
        { on: 'a', type: 'final', transactionId: 1, status: 'complete', final: true },
      ]);
    });

    it('gives every event the caller id, kind, tag, notification target and, when final, the result', async () => {
      const clock = new ManualClock();
      const queue = await openTxQueue({ storage: await suite.store(), clock, logger: memoryLogger() });
      opened.push(queue);
      const seen: TxEvent[] = [];
      queue.subscribe((e) => void seen.push(e));
      // strings that JSON must escape, as SQL-built event bodies splice them in (outbox.ts eventBodySql)
      const clientId = 'c-1 "q" \\ \n\t\u0001 é 😀';
      const notify = 'https://cb.example/1?q="x"\\';
      const tag = 'exodemo:beep "t" \\ \u0002 ü';
      // with a caller id: the general path; without: PostgreSQL's one-statement path
      await queue.enqueue({
        target: { device: 'a' },
        kind: 'package',
        payload: {},
        timeoutMs: HOUR,
        notify,
        clientId,
        tag,
      });
      await queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      await queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: HOUR, tag });
      for (const d of await queue.callIn('a'))
        await queue.ack('a', {
          transactionId: d.transactionId,
          attempt: d.attempt,
          status: 'complete',
          result: { note: null, n: [1] },
        });
      await queue.idle();
      const at = clock.now();
      const common = { target: { device: 'a' }, at, statusString: expect.any(String) };
      // order is guaranteed per transaction, so compare transaction by transaction
      const byTx = [...seen].sort((x, y) => x.transactionId - y.transactionId);
      expect(byTx.map(({ seq: _seq, ...e }) => e)).toEqual([
        {
          ...common,
          type: 'accepted',
          transactionId: 1,
          clientId,
          kind: 'package',
          tag,
          notify,
          state: 'queued',
          status: 'accepted',
          final: false,
        },
        {
          ...common,
          type: 'delivered',
          transactionId: 1,
          clientId,
          kind: 'package',
          tag,
          notify,
          state: 'delivered',
          status: 'device-connected',
          final: false,
        },
        {
          ...common,
          type: 'final',
          transactionId: 1,
          clientId,
          kind: 'package',
          tag,
          notify,
          state: 'complete',
          status: 'complete',
          final: true,
          result: { note: null, n: [1] },
        },
        {
          ...common,
          type: 'accepted',
          transactionId: 2,
          kind: 'rpc',
          state: 'queued',
          status: 'accepted',
          final: false,
        },
        {
          ...common,
          type: 'delivered',
          transactionId: 2,
          kind: 'rpc',
          state: 'delivered',
          status: 'device-connected',
          final: false,
        },
        {
          ...common,
          type: 'final',
          transactionId: 2,
          kind: 'rpc',
          state: 'complete',
          status: 'complete',
          final: true,
          result: { note: null, n: [1] },
        },
        {
          ...common,
          type: 'accepted',
          transactionId: 3,
          kind: 'rpc',
          tag,
          state: 'queued',
          status: 'accepted',
          final: false,
        },
        {
          ...common,
          type: 'delivered',
          transactionId: 3,
          kind: 'rpc',
          tag,
          state: 'delivered',
          status: 'device-connected',
          final: false,
        },
        {
          ...common,
          type: 'final',
          transactionId: 3,
          kind: 'rpc',
          tag,
          state: 'complete',
          status: 'complete',
          final: true,
          result: { note: null, n: [1] },
        },
      ]);
      // one key order on every store and path (outbox.ts eventBody); the result is stored as canonical JSON
      const order = (e: TxEvent) =>
        [...Object.keys(e), ...('result' in e ? Object.keys(e.result as object) : [])].join(',');
      const head = 'seq,target,transactionId,type';
      expect(byTx.map(order)).toEqual([
        `${head},clientId,kind,tag,state,status,statusString,final,notify,at`,
        `${head},clientId,kind,tag,state,status,statusString,final,notify,at`,
        `${head},clientId,kind,tag,state,status,statusString,final,notify,at,result,n,note`,
        `${head},kind,state,status,statusString,final,at`,
        `${head},kind,state,status,statusString,final,at`,
        `${head},kind,state,status,statusString,final,at,result,n,note`,
        `${head},kind,tag,state,status,statusString,final,at`,
        `${head},kind,tag,state,status,statusString,final,at`,
        `${head},kind,tag,state,status,statusString,final,at,result,n,note`,
      ]);
    });

    it('rejects an ack of an earlier delivery attempt without applying it', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      clock.advance(60_000);
      const [again] = await queue.callIn('a');
      const stale = await queue.ack('a', { transactionId: 1, attempt: 1, status: 'complete' });
      expect([stale.outcome, 'reason' in stale && stale.reason, again!.attempt]).toEqual([
        'rejected',
        'stale-attempt',
        2,
      ]);
      expect((await queue.get({ device: 'a' }, 1))!.state).toBe('delivered');
    });

    it('rejects acks for transactions never delivered, unknown, or of another device', async () => {
      const { queue, logger } = await setup();
      await queue.enqueue(rpc('a'));
      await queue.enqueue(rpc('b'));
      const reasons = [];
      for (const [device, id, attempt] of [
        ['a', 1, 1],
        ['a', 9, 1],
        ['c', 1, 1],
      ] as const) {
        const r = await queue.ack(device, { transactionId: id, attempt, status: 'complete' });
        reasons.push(r.outcome === 'rejected' ? r.reason : r.outcome);
      }
      expect(reasons).toEqual(['not-delivered', 'unknown-transaction', 'unknown-transaction']);
      expect(logger.records.filter((r) => r.message === 'ack rejected')).toHaveLength(3);
      expect((await queue.get({ device: 'a' }, 1))!.state).toBe('queued');
    });

    it('times out a transaction the device never acks, emits time-out once and rejects the late ack', async () => {
      const { queue, clock, settle } = await setup();
      await queue.enqueue(rpc('a', {}, 5000));
      await queue.callIn('a');
      clock.advance(5000);
      await settle();
      const late = await queue.ack('a', { transactionId: 1, attempt: 1, status: 'complete' });
      expect(late).toMatchObject({ outcome: 'rejected', reason: 'timed-out' });
      expect((await settle()).filter((e) => e.final)).toEqual([
        { on: 'a', type: 'final', transactionId: 1, status: 'time-out', final: true },
      ]);
    });

    it('times out at call-in even before the timer fired, so the queue never wedges', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue(rpc('a', {}, 1000));
      await queue.enqueue(rpc('a', {}, HOUR));
      clock.setWall(clock.now() + 2000);
      expect((await queue.callIn('a')).map((d) => d.transactionId)).toEqual([2]);
      expect((await queue.get({ device: 'a' }, 1))!.status).toBe('time-out');
    });

    it('times out at call-in an overdue transaction whose delivery is still leased, when nothing is handed out', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue(rpc('a', {}, 1000));
      expect((await queue.callIn('a')).map((d) => d.transactionId)).toEqual([1]);
      clock.setWall(clock.now() + 2000);
      expect(await queue.callIn('a')).toEqual([]);
      expect((await queue.get({ device: 'a' }, 1))!.status).toBe('time-out');
    });

    it('records progress reports, emits them and ignores an identical repeat', async () => {
      const { queue, settle } = await setup();
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      const p = { transactionId: 1, attempt: 1, status: 'progress' as const, progress: { cnt: 3, of: 10 } };
      expect((await queue.ack('a', p)).outcome).toBe('applied');
      expect((await queue.ack('a', p)).outcome).toBe('duplicate');
      const tx = await queue.get({ device: 'a' }, 1);
      expect([tx!.state, tx!.progress]).toEqual(['in-progress', { cnt: 3, of: 10 }]);
      expect((await settle()).filter((e) => e.type === 'progress')).toHaveLength(1);
    });

    it('cancels a queued transaction at once and never hands it out', async () => {
      const { queue, settle } = await setup();
      await queue.enqueue(rpc('a'));
      expect((await queue.cancel({ device: 'a' }, 1)).state).toBe('cancelled');
      expect(await queue.callIn('a')).toEqual([]);
      expect((await settle()).at(-1)).toEqual({
        on: 'a',
        type: 'final',
        transactionId: 1,
        status: 'cancelled',
        final: true,
      });
    });

    it('asks the device to cancel a delivered transaction and finishes on its confirmation', async () => {
      const { queue, settle } = await setup();
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      expect((await queue.cancel({ device: 'a' }, 1)).state).toBe('cancelling');
      const [d] = await queue.callIn('a');
      expect([d!.action, d!.attempt]).toEqual(['cancel', 1]);
      expect((await queue.ack('a', { transactionId: 1, attempt: 1, status: 'cancelled' })).outcome).toBe('applied');
      expect((await settle()).map((e) => e.type)).toEqual(['accepted', 'delivered', 'cancel-requested', 'final']);
    });

    it('lets a completion that raced a cancel stand', async () => {
      const { queue } = await setup();
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      await queue.cancel({ device: 'a' }, 1);
      const r = await queue.ack('a', { transactionId: 1, attempt: 1, status: 'complete' });
      expect(r.outcome === 'applied' && r.transaction.state).toBe('complete');
    });

    it('ends an unconfirmed cancel with time-out at its own deadline', async () => {
      const { queue, clock, settle } = await setup({ cancelTimeoutMs: 10_000 });
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      await queue.cancel({ device: 'a' }, 1);
      clock.advance(10_000);
      await settle();
      const tx = await queue.get({ device: 'a' }, 1);
      expect([tx!.state, tx!.status, tx!.result]).toEqual(['timed-out', 'time-out', { cancel: 'unconfirmed' }]);
    });

    it('serves one device while another holds undelivered and unacknowledged work', async () => {
      const { queue } = await setup();
      for (let i = 0; i < 200; i++) await queue.enqueue(rpc('slow'));
      await queue.callIn('slow', { limit: 50 });
      await queue.enqueue(rpc('fast'));
      const [d] = await queue.callIn('fast');
      expect(d!.transactionId).toBe(1);
    });

    it('fans a group transaction out to its members and completes it when all have (Fig. 10)', async () => {
      const { queue, settle } = await setup({}, { g: ['d2', 'd3'] });
      const { transaction: parent } = await queue.enqueue({
        target: { group: 'g' },
        kind: 'config',
        payload: { v: 1 },
        timeoutMs: HOUR,
      });
      for (const d of ['d2', 'd3']) {
        const [x] = await queue.callIn(d);
        expect(x!.parent).toEqual({ group: 'g', id: parent.id });
        await queue.ack(d, { transactionId: x!.transactionId, attempt: x!.attempt, status: 'complete' });
      }
      const done = await queue.get({ group: 'g' }, parent.id);
      expect([done!.state, done!.counts]).toEqual([
        'complete',
        { total: 2, finished: 2, complete: 2, failed: 0, timedOut: 0, cancelled: 0 },
      ]);
      const groupEvents = (await settle()).filter((e) => e.on === 'group g');
      expect(groupEvents.map((e) => e.type)).toEqual(['accepted', 'progress', 'final']);
      expect((await settle()).some((e) => e.on === 'd2')).toBe(false);
    });

    it('reports a group as device-error when a member fails, with per-device results', async () => {
      const { queue } = await setup({}, { g: ['d1', 'd2'] });
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      await queue.callIn('d1');
      await queue.callIn('d2');
      await queue.ack('d1', { transactionId: 1, attempt: 1, status: 'complete' });
      await queue.ack('d2', { transactionId: 1, attempt: 1, status: 'value-error' });
      expect((await queue.get({ group: 'g' }, 1))!.status).toBe('device-error');
      const subs = await queue.subTransactions('g', 1);
      expect(subs.map((s) => [s.target, s.status])).toEqual([
        [{ device: 'd1' }, 'complete'],
        [{ device: 'd2' }, 'value-error'],
      ]);
    });

    it('times a group out when its members do not answer', async () => {
      const { queue, clock, settle } = await setup({}, { g: ['d1', 'd2'] });
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 5000 });
      clock.advance(5000);
      const finals = (await settle()).filter((e) => e.final);
      expect(finals).toEqual([{ on: 'group g', type: 'final', transactionId: 1, status: 'time-out', final: true }]);
    });

    it('completes a transaction to an empty group at once', async () => {
      const { queue } = await setup({}, { g: [] });
      const { transaction } = await queue.enqueue({
        target: { group: 'g' },
        kind: 'rpc',
        payload: {},
        timeoutMs: HOUR,
      });
      expect([transaction.state, transaction.final]).toEqual(['complete', true]);
    });

    it('cancels every member of a cancelled group transaction', async () => {
      const { queue } = await setup({}, { g: ['d1', 'd2'] });
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      await queue.callIn('d1');
      await queue.cancel({ group: 'g' }, 1);
      expect((await queue.get({ group: 'g' }, 1))!.state).toBe('cancelling');
      await queue.ack('d1', { transactionId: 1, attempt: 1, status: 'cancelled' });
      expect((await queue.get({ group: 'g' }, 1))!.state).toBe('cancelled');
    });

    it('gives a device that joins later the open group transactions, and cancels those of one that leaves', async () => {
      const { queue } = await setup({}, { g: ['d1', 'd2'] });
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: { p: 1 }, timeoutMs: HOUR });
      expect(await queue.memberJoined('g', 'd3')).toBe(1);
      expect(await queue.memberJoined('g', 'd3')).toBe(0);
      await queue.memberLeft('g', 'd2');
      for (const d of ['d1', 'd3']) {
        const [x] = await queue.callIn(d);
        expect(x!.payload).toEqual({ p: 1 });
        await queue.ack(d, { transactionId: x!.transactionId, attempt: 1, status: 'complete' });
      }
      const g = await queue.get({ group: 'g' }, 1);
      expect([g!.status, g!.counts]).toEqual([
        'complete',
        { total: 3, finished: 3, complete: 2, failed: 0, timedOut: 0, cancelled: 1 },
      ]);
    });

    it('deletes finished transactions once past the retention, keeps open ones, and never reuses an id', async () => {
      const { queue, clock, settle } = await setup({ retainFinishedMs: 10_000 });
      for (let i = 0; i < 3; i++) await queue.enqueue(rpc('a'));
      const delivered = await queue.callIn('a');
      for (const d of [delivered[0]!, delivered[2]!])
        await queue.ack('a', { transactionId: d.transactionId, attempt: d.attempt, status: 'complete' });
      await queue.enqueue({ ...rpc('a'), clientId: 'req-1' });
      await queue.cancel({ device: 'a' }, 4);
      // a maintenance pass a tick started may be purging beside the explicit sweep (skipping
      // each other's locked rows): settle lets it commit before the list is read
      clock.advance(9_999);
      await settle();
      await queue.sweep();
      expect((await queue.list({ device: 'a' })).map((t) => t.id)).toEqual([1, 2, 3, 4]);
      clock.advance(1);
      await settle();
      await queue.sweep();
      // 1, 3 (the newest) and the cancelled 4 are gone; 2 is open
      expect((await queue.list({ device: 'a' })).map((t) => [t.id, t.state])).toEqual([[2, 'delivered']]);
      expect((await queue.enqueue(rpc('a'))).transaction.id).toBe(5);
      // a caller id names nothing once its transaction is gone
      expect(await queue.enqueue({ ...rpc('a'), clientId: 'req-1' })).toMatchObject({
        created: true,
        transaction: { id: 6 },
      });
      // the maintenance timer purges by itself (its ticks come at most 1.25 s apart)
      await queue.cancel({ device: 'a' }, 5);
      clock.advance(12_000);
      await settle();
      expect((await queue.list({ device: 'a' })).map((t) => t.id)).toEqual([2, 6]);
    });

    it('deletes a finished group transaction with its sub-transactions, and keeps those of an open group', async () => {
      const { queue, clock } = await setup({}, { g: ['d1', 'd2'], h: ['d1', 'd2'] });
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      await queue.enqueue({ target: { group: 'h' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      for (const d of ['d1', 'd2']) {
        const got = await queue.callIn(d);
        // all of g, and d1's part of h: h stays open
        for (const x of got)
          if (x.parent!.group === 'g' || d === 'd1')
            await queue.ack(d, { transactionId: x.transactionId, attempt: x.attempt, status: 'complete' });
      }
      expect((await queue.get({ group: 'g' }, 1))!.state).toBe('complete');
      clock.advance(1);
      expect(await queue.purge(clock.now())).toBe(3);
      expect(await queue.get({ group: 'g' }, 1)).toBeUndefined();
      expect(await queue.subTransactions('g', 1)).toEqual([]);
      expect((await queue.subTransactions('h', 1)).map((s) => [s.target, s.state])).toEqual([
        [{ device: 'd1' }, 'complete'],
        [{ device: 'd2' }, 'delivered'],
      ]);
      // d1's sub-transaction of g (id 1) and of h (id 2) leave ids 1 and 2 used for d1
      expect((await queue.enqueue(rpc('d1'))).transaction.id).toBe(3);
    });

    it('numbers a fan-out to a device past the purged newest transaction of that device', async () => {
      const { queue, clock } = await setup({}, { g: ['x', 'y'] });
      await queue.enqueue(rpc('x'));
      const [d] = await queue.callIn('x');
      await queue.ack('x', { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
      expect(await queue.purge(clock.now())).toBe(1);
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      expect((await queue.subTransactions('g', 1)).map((s) => [s.target, s.id])).toEqual([
        [{ device: 'x' }, 2],
        [{ device: 'y' }, 1],
      ]);
    });

    it('stages updates per package and pushes them as one transaction in staging order', async () => {
      const { queue } = await setup();
      expect(await queue.stage({ device: '1' }, 'exosense-1.1', { ip_addr: '10.0.0.1' })).toEqual({ staged: 1 });
      expect(await queue.stage({ device: '1' }, 'weather_app-1.0', { location: 'Bro' })).toEqual({ staged: 2 });
      const { transaction } = await queue.push({ device: '1' }, { timeoutMs: HOUR });
      expect([transaction.kind, transaction.payload]).toEqual([
        'config',
        {
          updates: [
            { package: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } },
            { package: 'weather_app-1.0', values: { location: 'Bro' } },
          ],
        },
      ]);
      expect(await queue.staged({ device: '1' })).toEqual([]);
      await expect(queue.push({ device: '1' })).rejects.toMatchObject({ code: 'nothing-staged' });
    });

    it('keeps queued, delivered and group state across a restart', async () => {
      const { queue, clock, restart, settle } = await setup({}, { g: ['d1'] });
      await queue.enqueue(rpc('a', { k: 1 }, 5000));
      await queue.enqueue(rpc('a', { k: 2 }));
      await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      await queue.callIn('a', { limit: 1 });
      await settle();
      const q2 = await restart();
      expect((await q2.callIn('a')).map((d) => [d.transactionId, d.attempt])).toEqual([[2, 1]]);
      expect((await q2.ack('a', { transactionId: 1, attempt: 1, status: 'progress' })).outcome).toBe('applied');
      const [sub] = await q2.callIn('d1');
      await q2.ack('d1', { transactionId: sub!.transactionId, attempt: 1, status: 'complete' });
      expect((await q2.get({ group: 'g' }, 1))!.state).toBe('complete');
      clock.advance(5000);
      await q2.idle();
      expect((await q2.get({ device: 'a' }, 1))!.status).toBe('time-out');
    });

    it('numbers events past every delivered one, after the outbox empties and across a restart', async () => {
      const { queue, clock, restart } = await setup({ eventRetryMs: 1000 });
      const seqs: number[] = [];
      let fail = true;
      const record = (e: TxEvent): void => {
        if (fail) {
          fail = false;
          throw new Error('callback endpoint down');
        }
        seqs.push(e.seq);
      };
      queue.subscribe(record);
      await queue.enqueue(rpc('a'));
      await queue.idle();
      // the newest event is delivered and deleted while an older one waits for its retry
      await queue.enqueue(rpc('b'));
      await queue.idle();
      await queue.enqueue(rpc('c'));
      await queue.idle();
      clock.advance(1000);
      await queue.sweep();
      expect(seqs).toHaveLength(3);
      const q2 = await restart();
      q2.subscribe(record);
      await q2.enqueue(rpc('d'));
      await q2.idle();
      expect(seqs).toHaveLength(4);
      expect(new Set(seqs).size).toBe(4);
      expect(seqs[3]).toBeGreaterThan(Math.max(...seqs.slice(0, 3)));
      expect(seqs[1]).toBeGreaterThan(seqs[0]!);
    });

    it('wakes a long-polling call-in when a transaction arrives', async () => {
      const { queue } = await setup();
      const waiting = queue.callIn('a', { waitMs: 30_000 });
      await queue.enqueue(rpc('a'));
      expect((await waiting).map((d) => d.transactionId)).toEqual([1]);
    });

    it("retries an event whose handler failed and holds back that transaction's later events", async () => {
      const { queue, clock } = await setup({ eventRetryMs: 1000 });
      const seen: string[] = [];
      let fail = true;
      queue.subscribe((e) => {
        if (e.type === 'accepted' && fail) {
          fail = false;
          throw new Error('callback endpoint down');
        }
        seen.push(`${e.type}:${e.seq}`);
      });
      await queue.enqueue(rpc('a'));
      await queue.callIn('a');
      await queue.idle();
      expect(seen).toEqual([]);
      clock.advance(1000);
      await queue.sweep();
      expect(seen.map((s) => s.split(':')[0])).toEqual(['accepted', 'delivered']);
    });

    it('rejects bad input with the path, the expectation and what it got, and stores nothing', async () => {
      const { queue } = await setup();
      const bad = [
        queue.enqueue({ target: { device: '' }, kind: 'rpc', payload: {} }),
        queue.enqueue({ target: { device: 'a' }, kind: 'reboot' as 'rpc', payload: {} }),
        queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: { n: Number.NaN } }),
        queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: -1 }),
        queue.ack('a', { transactionId: 1, attempt: 1, status: 'done' as 'complete' }),
        // PostgreSQL text cannot hold NUL; UTF-8 turns an unpaired surrogate into U+FFFD
        queue.enqueue({ target: { device: 'a\u0000b' }, kind: 'rpc', payload: {} }),
        queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, clientId: 'c\ud800' }),
        queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, notify: '\udc00x' }),
      ];
      const errors = await Promise.all(
        bad.map((p) =>
          p.then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      expect(errors.map((e) => (e as { details: { path: string } }).details.path)).toEqual([
        'target.device',
        'kind',
        'payload.n',
        'timeoutMs',
        'ack.status',
        'target.device',
        'clientId',
        'notify',
      ]);
      expect(errors.every((e) => (e as { code: string }).code === 'invalid-argument')).toBe(true);
      expect(await queue.list({ device: 'a' })).toEqual([]);
    });

    it('refuses a group target without a group resolver', async () => {
      const queue = await openTxQueue({ storage: await suite.store(), clock: new ManualClock() });
      opened.push(queue);
      await expect(queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {} })).rejects.toMatchObject({
        code: 'no-group-resolver',
      });
    });

    describeEventTests(suite);
    describeWorkTests(suite);
  });
}

// Group commit on PostgreSQL (src/_internal/batch.ts): concurrent enqueues
// and final acks go as multi-row statements; each caller still gets exactly
// what its own statement would have given it.
import { silentLogger } from '@fleetkit/core';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';
import { freshPostgres } from '../test/postgres-store.ts';
import { PlanGate } from './dialects/postgres/plan-gate.ts';
import { openTxQueue, type TxQueue } from './queue.ts';
import type { TxEvent } from './types.ts';

const HOUR = 3_600_000;

/** A caller id and notification target that JSON must escape: the batched statements splice them into event bodies. */
const escaped = (tag: string) => ({
  clientId: `c "${tag}" \\ \n\u0001 é 😀`,
  notify: `https://cb.example/${tag}?q="\\"`,
});
/** An event's keys in order (outbox.ts eventBody), a final one's result after them. */
const EVENT_KEYS = [
  'seq',
  'target',
  'transactionId',
  'type',
  'clientId',
  'kind',
  'state',
  'status',
  'statusString',
  'final',
  'notify',
  'at',
];

/** A queue on a fresh schema with every event it emits recorded; closed afterwards. */
async function withQueue(url: string, test: (queue: TxQueue, events: TxEvent[]) => Promise<void>): Promise<void> {
  const store = await freshPostgres(url);
  const queue = await openTxQueue({ storage: store.driver, logger: silentLogger });
  const events: TxEvent[] = [];
  queue.subscribe((e) => {
    events.push(e);
  });
  try {
    await test(queue, events);
  } finally {
    await queue.close();
    await store.dispose();
  }
}

describeWithPostgres('txqueue group commit on PostgreSQL', (url) => {
  it('numbers concurrent enqueues per device from 1 in call order, each with its own row and accepted event', () =>
    withQueue(url, async (queue, events) => {
      const devices = ['b', 'a', 'c', 'a', 'b', 'a', 'c', 'a', 'b', 'a', 'd', 'a'];
      const results = await Promise.all(
        devices.map((device, i) =>
          queue.enqueue({ target: { device }, kind: 'rpc', payload: { i }, timeoutMs: HOUR, notify: `cb-${i}` }),
        ),
      );
      const seen = new Map<string, number>();
      results.forEach((r, i) => {
        const device = devices[i]!;
        const expected = (seen.get(device) ?? 0) + 1;
        seen.set(device, expected);
        expect(r.created).toBe(true);
        expect(r.transaction).toMatchObject({
          target: { device },
          id: expected,
          payload: { i },
          state: 'queued',
          status: 'accepted',
          attempt: 0,
          notify: `cb-${i}`,
        });
      });
      for (const r of results) expect(await queue.get(r.transaction.target, r.transaction.id)).toEqual(r.transaction);
      await queue.idle();
      const accepted = events.filter((e) => e.type === 'accepted');
      expect(accepted).toHaveLength(devices.length);
      expect(
        new Set(accepted.map((e) => `${'device' in e.target ? e.target.device : ''}#${e.transactionId}`)).size,
      ).toBe(devices.length);
      const next = await queue.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      expect(next.transaction.id).toBe(7);
    }));

  it('applies concurrent final acks once each, and reports a concurrent repeat as duplicate and an attempt never handed out as rejected', () =>
    withQueue(url, async (queue, events) => {
      const devices = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const device of devices)
        await queue.enqueue({
          target: { device },
          kind: 'rpc',
          payload: { device },
          timeoutMs: HOUR,
          ...escaped(device),
        });
      await queue.enqueue({ target: { device: 'held' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
      const [held] = await queue.callIn('held');
      const deliveries = await Promise.all(
        devices.map(async (device) => ({ device, d: (await queue.callIn(device))[0]! })),
      );
      const acks = deliveries.map(({ device, d }, i) =>
        queue.ack(device, {
          transactionId: d.transactionId,
          attempt: d.attempt,
          status: i % 2 === 0 ? 'complete' : 'device-error',
          result: { i },
        }),
      );
      const { device, d } = deliveries[0]!;
      const repeat = queue.ack(device, {
        transactionId: d.transactionId,
        attempt: d.attempt,
        status: 'complete',
        result: { i: 0 },
      });
      const stale = queue.ack('held', {
        transactionId: held!.transactionId,
        attempt: held!.attempt + 1,
        status: 'complete',
      });
      const outcomes = await Promise.all(acks);
      outcomes.forEach((o, i) => {
        expect(o.outcome).toBe('applied');
        expect(o.transaction).toMatchObject({
          state: i % 2 === 0 ? 'complete' : 'failed',
          status: i % 2 === 0 ? 'complete' : 'device-error',
          result: { i },
          final: true,
        });
      });
      expect((await repeat).outcome).toBe('duplicate');
      expect(await stale).toMatchObject({ outcome: 'rejected', reason: 'not-delivered' });
      for (const [i, o] of outcomes.entries())
        expect(await queue.get({ device: devices[i]! }, 1)).toEqual(o.transaction);
      await queue.idle();
      const finals = events.filter((e) => e.type === 'final');
      expect(finals.map((e) => ('device' in e.target ? e.target.device : '')).sort()).toEqual(devices);
      for (const e of finals) {
        const device = 'device' in e.target ? e.target.device : '';
        expect(e).toMatchObject({ final: true, result: { i: devices.indexOf(device) }, ...escaped(device) });
        expect(Object.keys(e)).toEqual([...EVENT_KEYS, 'result']);
      }
    }));

  it('hands concurrent call-ins of several devices their own transactions, never one attempt to two call-ins of a device', () =>
    withQueue(url, async (queue, events) => {
      const devices = ['a', 'b', 'c', 'd', 'e'];
      for (const device of devices) {
        for (let i = 1; i <= 2; i++)
          await queue.enqueue({
            target: { device },
            kind: 'rpc',
            payload: { device, i },
            timeoutMs: HOUR,
            ...escaped(`${device}${i}`),
          });
      }
      const got = await Promise.all(
        devices.flatMap((device) => [queue.callIn(device, { limit: 1 }), queue.callIn(device, { limit: 1 })]),
      );
      devices.forEach((device, n) => {
        const both = [...got[2 * n]!, ...got[2 * n + 1]!];
        expect(both.map((d) => d.transactionId).sort()).toEqual([1, 2]);
        for (const d of both)
          expect(d).toMatchObject({
            attempt: 1,
            action: 'execute',
            kind: 'rpc',
            payload: { device, i: d.transactionId },
          });
      });
      expect(await Promise.all(devices.map((device) => queue.callIn(device)))).toEqual(devices.map(() => []));
      await queue.idle();
      const delivered = events.filter((e) => e.type === 'delivered');
      expect(delivered).toHaveLength(devices.length * 2);
      expect(
        new Set(delivered.map((e) => `${'device' in e.target ? e.target.device : ''}#${e.transactionId}`)).size,
      ).toBe(devices.length * 2);
      for (const e of delivered) {
        expect(e).toMatchObject(escaped(`${'device' in e.target ? e.target.device : ''}${e.transactionId}`));
        expect(Object.keys(e)).toEqual(EVENT_KEYS);
      }
    }));

  it('prepares the batched statements once txq_tx reaches 1 MiB, and they give the same outcomes then', async () => {
    const store = await freshPostgres(url);
    const q0 = await openTxQueue({ storage: store.driver, logger: silentLogger });
    await q0.close();
    const gate = new PlanGate();
    await gate.refresh(store.driver);
    expect(gate.prepared).toBe(false);
    await store.driver.exec(`INSERT INTO txq_tx (target, id, kind, payload, state, status, deadline, created_at, updated_at, finished_at)
      SELECT 'd:filler', i, 'rpc', repeat('x', 400), 'complete', 'complete', 0, 0, 0, 0 FROM generate_series(1, 4000) i`);
    await gate.refresh(store.driver);
    expect(gate.prepared).toBe(true);
    const queue = await openTxQueue({ storage: store.driver, logger: silentLogger });
    try {
      const devices = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const device of devices)
        await queue.enqueue({ target: { device }, kind: 'rpc', payload: { device }, timeoutMs: HOUR });
      for (let round = 0; round < 7; round++) {
        // more than five runs of each batched statement: past PostgreSQL's custom plans, on its generic one
        const got = await Promise.all(devices.map((device) => queue.callIn(device, { limit: 1 })));
        const acks = await Promise.all(
          got.map((ds, i) =>
            queue.ack(devices[i]!, {
              transactionId: ds[0]!.transactionId,
              attempt: ds[0]!.attempt,
              status: 'complete',
            }),
          ),
        );
        expect(acks.map((a) => a.outcome)).toEqual(devices.map(() => 'applied'));
        await Promise.all(
          devices.map((device) =>
            queue.enqueue({ target: { device }, kind: 'rpc', payload: { device, round }, timeoutMs: HOUR }),
          ),
        );
      }
      expect((await queue.list({ device: 'a' })).map((t) => t.state)).toEqual([
        ...Array.from({ length: 7 }, () => 'complete'),
        'queued',
      ]);
    } finally {
      await queue.close();
      await store.dispose();
    }
  });
});

// Manual §7.3, Fig. 10 steps 1–20: a configuration push to device group 1
// (devices 2 and 3) fans out to sub-transactions and completes with both.
import { ManualClock } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCallback } from './callback.ts';
import { openTxQueue, type TxQueue } from './queue.ts';
import type { Delivery, EnqueueResult, Transaction, TxEvent } from './types.ts';

describe('Fig. 10: a group transaction fans out and completes when every device has', () => {
  const group = { group: '1' };
  const events: TxEvent[] = [];
  let queue: TxQueue;
  let pushed: EnqueueResult;
  let subs: Transaction[];
  let on2: Delivery[];
  let on3: Delivery[];

  beforeAll(async () => {
    queue = await openTxQueue({ clock: new ManualClock(), groups: { members: (g) => (g === '1' ? ['2', '3'] : []) } });
    // earlier traffic, so the per-device ids visibly differ (222 / 333 in the figure)
    await queue.enqueue({ target: { device: '3' }, kind: 'rpc', payload: {} });
    await queue.cancel({ device: '3' }, 1);
    await queue.stage(group, 'exosense-1.1', { ip_addr: '10.0.0.9' });
    await queue.idle();
    queue.subscribe((e) => {
      if ('group' in e.target) events.push(e);
    });
  });
  afterAll(() => queue.close());

  it('1. accepts a push of the staged configuration to the group', async () => {
    pushed = await queue.push(group, { timeoutMs: 86_400_000 });
    expect(pushed.created).toBe(true);
  });

  it('2. queues all staged updates as one group transaction', () => {
    expect(pushed.transaction.payload).toEqual({
      updates: [{ package: 'exosense-1.1', values: { ip_addr: '10.0.0.9' } }],
    });
  });

  it('3. cascades the transaction to the queue of device 2', async () => {
    subs = await queue.subTransactions('1', pushed.transaction.id);
    expect(subs[0]!.target).toEqual({ device: '2' });
  });

  it('4. stores it for device 2 under an id unique to device 2', () => {
    expect(subs[0]!.id).toBe(1);
  });

  it("5. records device 2's sub-transaction id in the group transaction", () => {
    expect(subs[0]!.parent).toEqual({ group: '1', id: pushed.transaction.id });
  });

  it('6. cascades the transaction to the queue of device 3', () => {
    expect(subs[1]!.target).toEqual({ device: '3' });
  });

  it('7. stores it for device 3 under an id unique to device 3', () => {
    expect(subs[1]!.id).toBe(2);
  });

  it("8. records device 3's sub-transaction id in the group transaction", () => {
    expect(subs[1]!.parent).toEqual({ group: '1', id: pushed.transaction.id });
  });

  it('9. stores the group transaction, open until both sub-transactions complete', () => {
    expect([pushed.transaction.state, pushed.transaction.counts?.total]).toEqual(['queued', 2]);
  });

  it('10. confirms only the group transaction id; sub-transactions stay hidden', async () => {
    await queue.idle();
    expect(events.map((e) => [e.target, e.transactionId])).toEqual([[group, pushed.transaction.id]]);
  });

  it('11. reports the group transaction to the backend as accepted', () => {
    expect(toCallback(events[0]!)).toMatchObject({
      'transaction-id': pushed.transaction.id,
      'rpc-status': 'accepted',
      final: false,
    });
  });

  it('12. hands sub-transaction to device 2 when it connects', async () => {
    on2 = await queue.callIn('2');
    expect(on2).toMatchObject([{ transactionId: subs[0]!.id, payload: pushed.transaction.payload }]);
  });

  it("13. accepts device 2's confirmation", async () => {
    expect(
      (await queue.ack('2', { transactionId: on2[0]!.transactionId, attempt: on2[0]!.attempt, status: 'complete' }))
        .outcome,
    ).toBe('applied');
  });

  it('14. marks device 2 done, leaving device 3 to go', async () => {
    expect((await queue.get(group, pushed.transaction.id))!.counts).toMatchObject({
      total: 2,
      finished: 1,
      complete: 1,
    });
  });

  it('15. hands sub-transaction to device 3 when it connects', async () => {
    on3 = await queue.callIn('3');
    expect(on3).toMatchObject([{ transactionId: subs[1]!.id, payload: pushed.transaction.payload }]);
  });

  it("16. accepts device 3's confirmation", async () => {
    expect(
      (await queue.ack('3', { transactionId: on3[0]!.transactionId, attempt: on3[0]!.attempt, status: 'complete' }))
        .outcome,
    ).toBe('applied');
  });

  it('17. marks device 3 done, leaving none', async () => {
    expect((await queue.subTransactions('1', pushed.transaction.id)).map((s) => s.state)).toEqual([
      'complete',
      'complete',
    ]);
  });

  it('18. marks the group transaction complete', async () => {
    expect((await queue.get(group, pushed.transaction.id))!.state).toBe('complete');
  });

  it("19. emits the group transaction's final event", async () => {
    await queue.idle();
    expect(events.filter((e) => e.final).map((e) => [e.type, e.transactionId, e.status])).toEqual([
      ['final', pushed.transaction.id, 'complete'],
    ]);
  });

  it('20. gives the backend a final complete callback for the group transaction', () => {
    expect(toCallback(events.at(-1)!)).toEqual({
      'transaction-id': pushed.transaction.id,
      'group-id': '1',
      'rpc-status': 'complete',
      'rpc-status-string': 'The operation has completed successfully.',
      final: true,
    });
  });
});

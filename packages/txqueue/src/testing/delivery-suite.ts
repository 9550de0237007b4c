// The engine suite's tests of call-ins and acks: what a device is handed,
// which acks apply, and the acks it rejects.
import { expect } from 'vitest';
import { type Harness, rpc, type SuiteTest } from './harness.ts';

export function describeDeliveryTests({ setup }: Harness, it: SuiteTest): void {
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

  it('serves one device while another holds undelivered and unacknowledged work', async () => {
    const { queue } = await setup();
    for (let i = 0; i < 200; i++) await queue.enqueue(rpc('slow'));
    await queue.callIn('slow', { limit: 50 });
    await queue.enqueue(rpc('fast'));
    const [d] = await queue.callIn('fast');
    expect(d!.transactionId).toBe(1);
  });

  it('wakes a long-polling call-in when a transaction arrives', async () => {
    const { queue } = await setup();
    const waiting = queue.callIn('a', { waitMs: 30_000 });
    await queue.enqueue(rpc('a'));
    expect((await waiting).map((d) => d.transactionId)).toEqual([1]);
  });
}

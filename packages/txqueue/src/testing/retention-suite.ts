// The engine suite's tests of deleting finished transactions: what goes,
// what stays, and ids never reused after a purge.
import { expect } from 'vitest';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeRetentionTests({ setup }: Harness, it: SuiteTest): void {
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
}

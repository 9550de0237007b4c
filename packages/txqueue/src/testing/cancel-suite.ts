// The engine suite's tests of the cancel protocol: at once when queued, by
// the device's confirmation when delivered, or time-out without one.
import { expect } from 'vitest';
import { type Harness, rpc, type SuiteTest } from './harness.ts';

export function describeCancelTests({ setup }: Harness, it: SuiteTest): void {
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
}

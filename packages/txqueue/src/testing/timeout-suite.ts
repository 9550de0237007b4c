// The engine suite's tests of time-outs: at the deadline, and at a call-in
// before the timer fired.
import { expect } from 'vitest';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeTimeoutTests({ setup }: Harness, it: SuiteTest): void {
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
}

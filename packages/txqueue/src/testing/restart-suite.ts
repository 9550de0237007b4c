// The engine suite's tests of a restart: open state and event numbering
// carry over to the new engine.
import { expect } from 'vitest';
import type { TxEvent } from '../index.ts';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeRestartTests({ setup }: Harness, it: SuiteTest): void {
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
}

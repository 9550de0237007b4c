// The engine suite's tests of group transactions: fan-out, the group's
// outcome from its members', and members joining and leaving.
import { expect } from 'vitest';
import { type Harness, HOUR, type SuiteTest } from './harness.ts';

export function describeGroupTests({ setup }: Harness, it: SuiteTest): void {
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
}

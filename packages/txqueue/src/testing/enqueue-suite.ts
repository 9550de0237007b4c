// The engine suite's tests of queuing: ids, caller ids, staged updates, and
// the input it refuses.
import { ManualClock } from '@fleetkit/core';
import { expect } from 'vitest';
import { openTxQueue } from '../index.ts';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeEnqueueTests({ setup, store, opened }: Harness, it: SuiteTest): void {
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
    const queue = await openTxQueue({ storage: await store(), clock: new ManualClock() });
    opened.push(queue);
    await expect(queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {} })).rejects.toMatchObject({
      code: 'no-group-resolver',
    });
  });
}

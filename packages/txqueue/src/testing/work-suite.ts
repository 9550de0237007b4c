// The engine suite's tests of the work hook: a push transport hears when a
// device has something to fetch, instead of polling for it.
import { expect } from 'vitest';
import type { Delivery } from '../index.ts';
import { type Harness, HOUR, rpc, type SuiteTest } from './harness.ts';

export function describeWorkTests({ setup }: Harness, it: SuiteTest): void {
  it('tells the work hook of new transactions, sub-transactions of a fan-out or a join, and cancels to hand out', async () => {
    const { queue } = await setup({}, { g: ['d1', 'd2'] });
    const woken: string[] = [];
    queue.onWork((device) => void woken.push(device));
    await queue.enqueue(rpc('a'));
    await queue.enqueue({ ...rpc('b'), clientId: 'c-1' });
    await queue.stage({ device: 'c' }, 'exosense-1.1', { ip_addr: '10.0.0.1' });
    await queue.push({ device: 'c' }, { timeoutMs: HOUR });
    await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR });
    await queue.memberJoined('g', 'd3');
    expect(woken).toEqual(['a', 'b', 'c', 'd1', 'd2', 'd3']);
    woken.length = 0;
    await queue.callIn('a');
    // a delivered transaction's cancel goes to the device; a queued one ends at once, with nothing to fetch
    await queue.cancel({ device: 'a' }, 1);
    await queue.cancel({ device: 'b' }, 1);
    await queue.cancel({ group: 'g' }, 1);
    await queue.idle();
    expect(woken).toEqual(['a']);
    expect((await queue.callIn('a')).map((d) => d.action)).toEqual(['cancel']);
  });

  it('tells the work hook when a delivery is held past redeliverAfterMs without a final ack', async () => {
    const { queue, clock } = await setup();
    const woken: string[] = [];
    const off = queue.onWork((device) => void woken.push(device));
    for (const device of ['a', 'b', 'c']) await queue.enqueue(rpc(device));
    woken.length = 0;
    for (const device of ['a', 'b', 'c']) await queue.callIn(device);
    await queue.ack('b', { transactionId: 1, attempt: 1, status: 'complete' });
    // a progress report renews c's hold
    clock.advance(30_000);
    await queue.ack('c', { transactionId: 1, attempt: 1, status: 'progress', progress: { step: 1 } });
    clock.advance(30_000);
    await queue.idle();
    expect(woken).toEqual(['a']);
    expect((await queue.callIn('a')).map((d) => d.attempt)).toEqual([2]);
    clock.advance(30_000);
    await queue.idle();
    expect(woken).toEqual(['a', 'c']);
    off();
    await queue.enqueue(rpc('a'));
    expect(woken).toEqual(['a', 'c']);
  });

  it('lets a push transport deliver from the work hook alone, device by device', async () => {
    const { queue } = await setup({}, { g: ['d1', 'd2'] });
    // the devices this process holds connections to, and what it pushed down each
    const sockets = new Map<string, Delivery[]>([
      ['d1', []],
      ['d2', []],
    ]);
    queue.onWork(async (device) => {
      const socket = sockets.get(device);
      if (socket) socket.push(...(await queue.callIn(device)));
    });
    for (const device of sockets.keys()) await queue.watch(device);
    await queue.enqueue({ ...rpc('d1'), tag: 'exodemo:beep' });
    await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: { all: true }, timeoutMs: HOUR });
    await queue.enqueue(rpc('elsewhere'));
    await queue.idle();
    expect(
      [...sockets].map(([device, got]) => [device, got.map((d) => [d.transactionId, d.tag ?? d.payload])]),
    ).toEqual([
      [
        'd1',
        [
          [1, 'exodemo:beep'],
          [2, { all: true }],
        ],
      ],
      ['d2', [[1, { all: true }]]],
    ]);
  });
}

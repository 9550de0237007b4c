// Manual §7.2, Fig. 9 steps 1–18: configuration updates to device "1" staged,
// pushed as one transaction, delivered at call-in and acknowledged.
import { ManualClock } from '@fleetkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCallback } from './callback.ts';
import { openTxQueue, type TxQueue } from './queue.ts';
import type { Delivery, EnqueueResult, TxEvent } from './types.ts';

describe('Fig. 9: a device transaction from staged configuration to the final callback', () => {
  const device = { device: '1' };
  const events: TxEvent[] = [];
  let queue: TxQueue;
  let first: { staged: number };
  let second: { staged: number };
  let pushed: EnqueueResult;
  let delivered: Delivery[];

  beforeAll(async () => {
    queue = await openTxQueue({ clock: new ManualClock() });
    queue.subscribe((e) => {
      events.push(e);
    });
  });
  afterAll(() => queue.close());

  it('1. accepts the first configuration update for package exosense-1.1', async () => {
    first = await queue.stage(device, 'exosense-1.1', { ip_addr: '10.0.0.1' });
    expect(first.staged).toBeGreaterThan(0);
  });

  it('2. holds the first update for the device without sending it', async () => {
    expect(await queue.staged(device)).toMatchObject([{ package: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } }]);
  });

  it('3. confirms the first update to the caller', () => {
    expect(first).toEqual({ staged: 1 });
  });

  it('4. accepts the second configuration update for package weather_app-1.0', async () => {
    second = await queue.stage(device, 'weather_app-1.0', { location: 'Bro' });
    expect(second.staged).toBeGreaterThan(1);
  });

  it('5. holds both updates, in order', async () => {
    expect((await queue.staged(device)).map((s) => s.package)).toEqual(['exosense-1.1', 'weather_app-1.0']);
  });

  it('6. confirms the second update to the caller', () => {
    expect(second).toEqual({ staged: 2 });
  });

  it('7. accepts the push request', async () => {
    pushed = await queue.push(device, {
      timeoutMs: 86_400_000,
      notify: 'https://backend.example/cb',
      tag: 'exodm:push-config-set',
    });
    expect(pushed.created).toBe(true);
  });

  it('8. queues both updates as one transaction', async () => {
    expect((await queue.list(device)).map((t) => t.payload)).toEqual([
      {
        updates: [
          { package: 'exosense-1.1', values: { ip_addr: '10.0.0.1' } },
          { package: 'weather_app-1.0', values: { location: 'Bro' } },
        ],
      },
    ]);
  });

  it('9. assigns the transaction an id unique on the device', async () => {
    expect(await queue.get(device, pushed.transaction.id)).toMatchObject({
      target: device,
      id: pushed.transaction.id,
      state: 'queued',
    });
  });

  it('10. reports the queued transaction to the caller as accepted and not final', async () => {
    await queue.idle();
    expect(events.map(toCallback)).toEqual([
      {
        'transaction-id': pushed.transaction.id,
        'device-id': '1',
        'rpc-status': 'accepted',
        'rpc-status-string': 'Operation has been accepted and is in progress.',
        final: false,
      },
    ]);
  });

  it('11. lets the device call in', async () => {
    delivered = await queue.callIn('1');
    expect(delivered).toHaveLength(1);
  });

  it('12. answers the call-in from the device queue', async () => {
    expect(await queue.list(device, { open: true })).toMatchObject([{ state: 'delivered', attempt: 1 }]);
  });

  it('13. returns the transaction created in step 8', () => {
    expect(delivered[0]).toMatchObject({
      transactionId: pushed.transaction.id,
      tag: 'exodm:push-config-set',
      action: 'execute',
      payload: pushed.transaction.payload,
    });
  });

  it('14. reports the hand-over to the device', async () => {
    await queue.idle();
    expect(events.at(-1)).toMatchObject({ type: 'delivered', status: 'device-connected', final: false });
  });

  it('15. accepts the device acknowledgement', async () => {
    const outcome = await queue.ack('1', {
      transactionId: delivered[0]!.transactionId,
      attempt: delivered[0]!.attempt,
      status: 'complete',
    });
    expect(outcome.outcome).toBe('applied');
  });

  it('16. marks the transaction complete and removes it from the queue', async () => {
    expect(await queue.callIn('1')).toEqual([]);
  });

  it('17. forwards the acknowledgement as a final event', async () => {
    await queue.idle();
    expect(events.at(-1)).toMatchObject({
      type: 'final',
      transactionId: pushed.transaction.id,
      status: 'complete',
      notify: 'https://backend.example/cb',
      tag: 'exodm:push-config-set',
    });
  });

  it('18. gives the backend a final complete callback', () => {
    expect(toCallback(events.at(-1)!)).toEqual({
      'transaction-id': pushed.transaction.id,
      'device-id': '1',
      'rpc-status': 'complete',
      'rpc-status-string': 'The operation has completed successfully.',
      final: true,
    });
  });
});

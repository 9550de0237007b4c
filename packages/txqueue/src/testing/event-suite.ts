// The engine suite's tests of what events and deliveries carry: tags,
// group members' outcomes, and the retry of a failing subscriber.
import { ManualClock, silentLogger } from '@fleetkit/core';
import { expect } from 'vitest';
import { toCallback } from '../callback.ts';
import { openTxQueue, type TxEvent } from '../index.ts';
import { type Harness, HOUR, observed, rpc, type SuiteTest } from './harness.ts';

/** The statement that leases outbox events to a dispatcher (a claim), in every dialect. */
const CLAIM = /UPDATE txq_events SET lease_until = \$1\b/;

export function describeEventTests({ setup, store, opened }: Harness, it: SuiteTest): void {
  it('carries the tag to the transaction, its deliveries and, for a group, every sub-transaction', async () => {
    const { queue } = await setup({}, { g: ['d1', 'd2'] });
    const tag = 'exodemo:beep';
    await queue.enqueue({ ...rpc('a'), tag });
    await queue.enqueue({ ...rpc('a'), tag, clientId: 'c-1' });
    await queue.stage({ device: 'a' }, 'exosense-1.1', { ip_addr: '10.0.0.1' });
    const pushed = await queue.push({ device: 'a' }, { timeoutMs: HOUR, tag: 'exodm:push-config-set' });
    const group = await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: HOUR, tag });
    expect([pushed.transaction.tag, group.transaction.tag]).toEqual(['exodm:push-config-set', tag]);
    expect((await queue.callIn('a')).map((d) => [d.transactionId, d.tag])).toEqual([
      [1, tag],
      [2, tag],
      [3, 'exodm:push-config-set'],
    ]);
    expect((await queue.callIn('d2')).map((d) => [d.parent, d.tag])).toEqual([[{ group: 'g', id: 1 }, tag]]);
    expect((await queue.subTransactions('g', 1)).map((s) => s.tag)).toEqual([tag, tag]);
    expect((await queue.get({ device: 'a' }, 1))!.tag).toBe(tag);
    // a caller id names one RPC: the same id with another tag is a conflict
    await expect(queue.enqueue({ ...rpc('a'), tag: 'exodemo:other', clientId: 'c-1' })).rejects.toMatchObject({
      code: 'idempotency-conflict',
    });
    expect((await queue.enqueue({ ...rpc('a'), tag, clientId: 'c-1' })).created).toBe(false);
  });

  it('emits a member event per finished member before the group event it leads to, when asked (§5.8)', async () => {
    const { queue, clock } = await setup({}, { g: ['d1', 'd2', 'd3', 'd4'] });
    const seen: TxEvent[] = [];
    queue.subscribe((e) => void seen.push(e));
    const tag = 'exodemo:beep';
    const { transaction } = await queue.enqueue({
      target: { group: 'g' },
      kind: 'rpc',
      payload: {},
      timeoutMs: 5000,
      tag,
      notify: 'https://cb.example',
      memberEvents: true,
    });
    expect(transaction.memberEvents).toBe(true);
    for (const device of ['d1', 'd2']) await queue.callIn(device);
    await queue.ack('d1', { transactionId: 1, attempt: 1, status: 'complete', result: { beeped: true } });
    await queue.ack('d2', { transactionId: 1, attempt: 1, status: 'value-error' });
    await queue.memberLeft('g', 'd4');
    clock.advance(5000);
    await queue.idle();
    const common = { target: { group: 'g' }, transactionId: 1, tag, notify: 'https://cb.example' };
    expect(seen.map((e) => [e.type, e.member?.device, e.status, e.final])).toEqual([
      ['accepted', undefined, 'accepted', false],
      ['member', 'd1', 'complete', false],
      ['progress', undefined, 'accepted', false],
      ['member', 'd2', 'value-error', false],
      ['progress', undefined, 'accepted', false],
      ['member', 'd4', 'cancelled', false],
      ['progress', undefined, 'accepted', false],
      ['member', 'd3', 'time-out', false],
      ['final', undefined, 'device-error', true],
    ]);
    expect(seen[1]).toMatchObject({
      ...common,
      state: 'complete',
      result: { beeped: true },
      member: { device: 'd1', transactionId: 1 },
    });
    expect(seen[7]).toMatchObject({ ...common, state: 'timed-out', member: { device: 'd3', transactionId: 1 } });
    expect(toCallback(seen[3]!)).toEqual({
      'transaction-id': 1,
      'group-id': 'g',
      'device-id': 'd2',
      'rpc-status': 'value-error',
      'rpc-status-string': 'The RPC had illegal values in one or more of its elements.',
      final: false,
    });
    expect(toCallback(seen.at(-1)!)).toMatchObject({ 'transaction-id': 1, 'group-id': 'g', final: true });
    expect(toCallback(seen.at(-1)!)).not.toHaveProperty('device-id');
  });

  it('names the device in a device transaction callback', async () => {
    const { queue } = await setup();
    const seen: TxEvent[] = [];
    queue.subscribe((e) => void seen.push(e));
    await queue.enqueue({ ...rpc('dev-7'), tag: 'exodemo:beep' });
    await queue.idle();
    expect(toCallback(seen[0]!)).toEqual({
      'transaction-id': 1,
      'device-id': 'dev-7',
      'rpc-status': 'accepted',
      'rpc-status-string': 'Operation has been accepted and is in progress.',
      final: false,
    });
  });

  it('retries a failing event at doubling intervals up to the cap, reports it in the backlog and keeps the order', async () => {
    const { queue, clock } = await setup({ eventRetryMs: 1000, eventRetryMaxMs: 4000 });
    let down = true;
    const tried: number[] = [];
    const seen: string[] = [];
    const start = clock.now();
    queue.subscribe((e) => {
      if (e.type === 'accepted' && e.transactionId === 1 && 'device' in e.target && e.target.device === 'a')
        tried.push(clock.now() - start);
      if (down) throw new Error('callback endpoint down');
      seen.push(`${e.type} ${'device' in e.target ? e.target.device : ''}`);
    });
    await queue.enqueue(rpc('a'));
    await queue.callIn('a');
    await queue.enqueue(rpc('b'));
    await queue.idle();
    expect(tried).toEqual([0]);
    const backlog = await queue.eventBacklog();
    expect([backlog.pending, backlog.failingTotal]).toEqual([3, 2]);
    // b's accepted failed too; a's delivered waits behind a's accepted, untried
    expect(backlog.failing).toEqual([
      {
        seq: expect.any(Number),
        target: { device: 'a' },
        transactionId: 1,
        type: 'accepted',
        attempts: 1,
        lastError: 'Error: callback endpoint down',
        nextAttemptAt: start + 1000,
      },
      expect.objectContaining({ target: { device: 'b' }, attempts: 1 }),
    ]);
    for (const step of [999, 1, 1999, 1, 4000, 4000]) {
      clock.advance(step);
      await queue.sweep();
    }
    // 1000 after the first failure, then 2000, then 4000 (the cap), and 4000 again
    expect(tried).toEqual([0, 1000, 3000, 7000, 11000]);
    const [first] = (await queue.eventBacklog({ limit: 1 })).failing;
    expect([first!.attempts, first!.nextAttemptAt]).toEqual([5, start + 15_000]);
    expect(seen).toEqual([]);
    down = false;
    clock.advance(4000);
    await queue.sweep();
    // a's delivered comes right after a's accepted (claimed with it), all in seq order
    expect(seen).toEqual(['accepted a', 'delivered a', 'accepted b']);
    expect(await queue.eventBacklog()).toEqual({ pending: 0, failingTotal: 0, failing: [] });
  });

  it("claims a big group's member events many at a time, and hands each out once, in order (§5.8)", async () => {
    const claims: string[] = [];
    const storage = observed(await store(), (sql) => {
      if (CLAIM.test(sql)) claims.push(sql);
    });
    const clock = new ManualClock();
    const members = Array.from({ length: 600 }, (_, i) => `m${i}`);
    const queue = await openTxQueue({ storage, clock, logger: silentLogger, groups: { members: () => members } });
    opened.push(queue);
    await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 5000, memberEvents: true });
    // every member times out in one sweep: 600 member events wait behind the group's accepted one
    clock.advance(5000);
    await queue.sweep();
    await queue.idle();
    const seen: TxEvent[] = [];
    queue.subscribe((event) => void seen.push(event));
    await queue.idle();
    // (on PostgreSQL the maintenance pass may sweep beside queue.sweep(): a progress event between their member events)
    expect([seen[0]?.type, seen.at(-1)?.type]).toEqual(['accepted', 'final']);
    const devices = seen.filter((event) => event.type === 'member').map((event) => event.member?.device);
    expect(devices.sort()).toEqual([...members].sort());
    const seqs = seen.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // 602 events of one transaction or more: claimed one at a time, that was 603 claims or more
    expect(claims.length).toBeLessThanOrEqual(5);
  });

  it('gives back the later events claimed with a failing one, which follow it after its retry; other transactions go on', async () => {
    const { queue, clock } = await setup({ eventRetryMs: 1000 }, { g: ['d1', 'd2', 'd3', 'd4', 'd5'] });
    const seen: TxEvent[] = [];
    let members = 0;
    queue.subscribe((event) => {
      // the third member event fails once
      if (event.type === 'member' && ++members === 3) throw new Error('callback endpoint down');
      seen.push(event);
    });
    await queue.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 5000, memberEvents: true });
    clock.advance(5000);
    await queue.sweep();
    await queue.enqueue(rpc('other'));
    await queue.idle();
    const label = (event: TxEvent): string =>
      `${event.type} ${'device' in event.target ? event.target.device : event.target.group}`;
    // the group's events after the failed one wait; the other device's do not
    expect(seen.map(label)).toEqual(['accepted g', 'member g', 'member g', 'accepted other']);
    expect(await queue.eventBacklog()).toMatchObject({ pending: 4, failingTotal: 1 });
    // after the retry, within the claim's lease: nothing still holds them
    clock.advance(1000);
    await queue.sweep();
    expect(seen.slice(4).map(label)).toEqual(['member g', 'member g', 'member g', 'final g']);
    const group = seen.filter((event) => 'group' in event.target);
    expect(group.map((event) => event.seq)).toEqual(group.map((event) => event.seq).sort((a, b) => a - b));
    expect(group.map((event) => event.member?.device).sort()).toEqual([
      'd1',
      'd2',
      'd3',
      'd4',
      'd5',
      undefined,
      undefined,
    ]);
    expect(await queue.eventBacklog()).toEqual({ pending: 0, failingTotal: 0, failing: [] });
  });
}

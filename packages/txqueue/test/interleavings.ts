// The model behind the property tests: random interleavings of enqueue,
// call-in, ack (valid, duplicate, late, stale, foreign), cancel, clock
// advance, wall-clock jumps, restart and purge (retention), and the
// invariants checked along the way and after.
import { ManualClock, type SqlDriver, silentLogger } from '@fleetkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { openTxQueue, type TxQueue } from '../src/queue.ts';
import type { AckStatus, Delivery, Target, Transaction, TxEvent } from '../src/types.ts';

const devices = ['a', 'b', 'c'] as const;
const groups: Record<string, string[]> = { g: ['a', 'b'], h: ['b', 'c'] };

export type Op =
  | { op: 'enqueue'; to: string; timeout: number }
  | { op: 'callIn'; device: string }
  | { op: 'ack'; pick: number; status: AckStatus; variant: 'current' | 'repeat' | 'stale' | 'foreign' }
  | { op: 'cancel'; pick: number }
  | { op: 'advance'; ms: number }
  | { op: 'jump'; ms: number }
  | { op: 'restart' }
  | { op: 'purge'; ms: number };

/** One random operation. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('enqueue' as const),
      to: fc.constantFrom('a', 'b', 'c', 'g', 'h'),
      timeout: fc.constantFrom(5_000, 40_000, 3_600_000),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('callIn' as const), device: fc.constantFrom(...devices) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('ack' as const),
      pick: fc.nat(50),
      status: fc.constantFrom<AckStatus>('complete', 'complete', 'progress', 'device-error', 'cancelled'),
      variant: fc.constantFrom('current', 'current', 'repeat', 'stale', 'foreign'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(50) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(0, 1_000, 10_000, 35_000) }),
  },
  // wall time moves but no timer fires yet: call-in and ack must time out lazily
  { weight: 1, arbitrary: fc.record({ op: fc.constant('jump' as const), ms: fc.constantFrom(10_000, 35_000) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('purge' as const), ms: fc.constantFrom(0, 5_000, 30_000) }) },
);

const key = (t: Target, id: number): string => `${'device' in t ? `d:${t.device}` : `g:${t.group}`}#${id}`;

/** Replays `ops` on a fresh store and checks every invariant; the caller opens and closes the store. */
export async function runInterleaving(ops: readonly Op[], db: SqlDriver): Promise<void> {
  const clock = new ManualClock();
  const events: TxEvent[] = [];
  const open = async (): Promise<TxQueue> => {
    const queue = await openTxQueue({
      storage: db,
      clock,
      logger: silentLogger,
      groups: { members: (g) => groups[g] ?? [] },
      redeliverAfterMs: 30_000,
      cancelTimeoutMs: 20_000,
    });
    queue.subscribe((e) => {
      events.push(e);
    });
    return queue;
  };
  let queue = await open();
  const accepted = new Map<string, Transaction>();
  const deliveries: { device: string; d: Delivery }[] = [];
  let lastAck: { device: string; input: Parameters<TxQueue['ack']>[1] } | undefined;
  // purged transactions; and what each device id named, so an id handed out twice fails
  const gone = new Set<string>();
  const named = new Map<string, string>();
  const name = (device: string, id: number, what: string): void => {
    const k = `d:${device}#${id}`;
    expect(named.get(k) ?? what).toBe(what);
    named.set(k, what);
  };
  try {
    for (const o of ops) {
      if (o.op === 'enqueue') {
        const target: Target = o.to.length === 1 && o.to <= 'c' ? { device: o.to } : { group: o.to };
        const { transaction } = await queue.enqueue({
          target,
          kind: 'rpc',
          payload: { n: accepted.size },
          timeoutMs: o.timeout,
          // group h reports its members' outcomes, g does not
          memberEvents: o.to === 'h',
        });
        // a new id, never one a purged transaction had
        expect(accepted.has(key(target, transaction.id))).toBe(false);
        if ('device' in target) name(target.device, transaction.id, 'own');
        accepted.set(key(target, transaction.id), transaction);
      } else if (o.op === 'callIn') {
        for (const d of await queue.callIn(o.device)) {
          name(o.device, d.transactionId, d.parent ? `g:${d.parent.group}#${d.parent.id}` : 'own');
          deliveries.push({ device: o.device, d });
        }
      } else if (o.op === 'ack' && deliveries.length > 0) {
        const { device, d } = deliveries[o.pick % deliveries.length]!;
        let input = { transactionId: d.transactionId, attempt: d.attempt, status: o.status };
        let to = device;
        if (o.variant === 'repeat' && lastAck) ({ device: to, input } = lastAck);
        if (o.variant === 'stale') input = { ...input, attempt: d.attempt - 1 };
        if (o.variant === 'foreign') to = devices.find((x) => x !== device)!;
        const before = await queue.get({ device: to }, input.transactionId);
        const outcome = await queue.ack(to, input);
        if (outcome.outcome === 'applied') {
          // never applied to a final, stale, undelivered or overdue transaction
          expect(before).toBeDefined();
          expect(before!.final).toBe(false);
          expect(before!.attempt).toBe(input.attempt);
          expect(before!.deadline).toBeGreaterThan(clock.now());
        }
        if (o.variant === 'stale' && before && before.attempt === d.attempt) expect(outcome.outcome).toBe('rejected');
        lastAck = { device: to, input };
      } else if (o.op === 'cancel' && accepted.size > 0) {
        const [k, t] = [...accepted][o.pick % accepted.size]!;
        // a purged transaction is not there to cancel
        if (gone.has(k)) await expect(queue.cancel(t.target, t.id)).rejects.toMatchObject({ code: 'not-found' });
        else await queue.cancel(t.target, t.id);
      } else if (o.op === 'advance') {
        clock.advance(o.ms);
        await queue.idle();
      } else if (o.op === 'jump') {
        clock.setWall(clock.now() + o.ms);
      } else if (o.op === 'restart') {
        await queue.close();
        queue = await open();
      } else if (o.op === 'purge') {
        // exactly the stand-alone and group transactions finished by then go
        const before = clock.now() - o.ms;
        const was = new Map<string, Transaction | undefined>();
        for (const [k, t] of accepted) if (!gone.has(k)) was.set(k, await queue.get(t.target, t.id));
        await queue.purge(before);
        for (const [k, t] of was) {
          const due = t !== undefined && t.finishedAt !== undefined && t.finishedAt <= before;
          expect((await queue.get(t!.target, t!.id)) === undefined).toBe(due);
          if (due) gone.add(k);
        }
      }
    }
    // let every deadline pass, then check the whole store
    clock.advance(4_000_000);
    await queue.idle();
    await queue.sweep();
    await queue.idle();
    const all = [...(await db.query<{ target: string; id: number }>('SELECT target, id FROM txq_tx'))];
    const stored = new Map<string, Transaction>();
    for (const r of all) {
      const target: Target = r.target.startsWith('g:') ? { group: r.target.slice(2) } : { device: r.target.slice(2) };
      stored.set(key(target, Number(r.id)), (await queue.get(target, Number(r.id)))!);
    }
    // no transaction lost (but the purged), and none purged still there
    for (const [k, t] of accepted) {
      if (gone.has(k)) expect(stored.has(k)).toBe(false);
      else expect(stored.get(k)).toMatchObject({ kind: t.kind, payload: t.payload });
    }
    // a purged transaction had its final event, once
    for (const k of gone) expect(events.filter((e) => e.final && key(e.target, e.transactionId) === k)).toHaveLength(1);
    // every final event exactly once, matching the stored outcome; none for sub-transactions
    const finals = new Map<string, TxEvent[]>();
    for (const e of events.filter((e) => e.final))
      finals.set(key(e.target, e.transactionId), [...(finals.get(key(e.target, e.transactionId)) ?? []), e]);
    for (const [k, t] of stored) {
      expect(t.final).toBe(true);
      if (t.parent) {
        expect(finals.get(k)).toBeUndefined();
      } else {
        expect(finals.get(k)?.map((e) => e.status)).toEqual([t.status]);
      }
    }
    // member events: one per member of a group that asked for them, with the member's outcome, before the group's final
    for (const [k, t] of stored) {
      if (!t.counts) continue;
      const own = events.filter((e) => key(e.target, e.transactionId) === k);
      const reported = own
        .filter((e) => e.type === 'member')
        .map((e) => `${e.member!.device}#${e.member!.transactionId}:${e.status}`);
      const kids = [...stored.values()].filter((c) => c.parent && key({ group: c.parent.group }, c.parent.id) === k);
      const outcomes = kids.map((c) => `${'device' in c.target ? c.target.device : ''}#${c.id}:${c.status}`);
      expect(reported.sort()).toEqual(t.memberEvents ? outcomes.sort() : []);
      expect(own.at(-1)?.type).toBe('final');
    }
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM txq_events'))[0]!.n).toBe(0);
    // group parents consistent with their children
    for (const t of stored.values()) {
      if (!t.counts) continue;
      const kids = [...stored.values()].filter(
        (c) => c.parent && 'group' in t.target && c.parent.group === t.target.group && c.parent.id === t.id,
      );
      expect(t.counts).toEqual({
        total: kids.length,
        finished: kids.filter((c) => c.final).length,
        complete: kids.filter((c) => c.state === 'complete').length,
        failed: kids.filter((c) => c.state === 'failed').length,
        timedOut: kids.filter((c) => c.state === 'timed-out').length,
        cancelled: kids.filter((c) => c.state === 'cancelled').length,
      });
    }
    // every transaction is final now: purge them all; a device's next id is still past every id it had
    await queue.purge(clock.now());
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM txq_tx'))[0]!.n).toBe(0);
    for (const device of devices) {
      // every id known to have been the device's: stored at the end, enqueued, or delivered
      const had = [...stored.keys(), ...accepted.keys(), ...named.keys()]
        .filter((k) => k.startsWith(`d:${device}#`))
        .map((k) => Number(k.split('#')[1]));
      const { transaction } = await queue.enqueue({ target: { device }, kind: 'rpc', payload: {}, timeoutMs: 5_000 });
      expect(transaction.id).toBeGreaterThan(Math.max(0, ...had));
    }
  } finally {
    await queue.close();
  }
}

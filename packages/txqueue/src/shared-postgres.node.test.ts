// Several engine processes on one PostgreSQL: simulated by engines with
// their own connection pools, racing on the same devices.
import { ManualClock, silentLogger } from '@fleetkit/core';
import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { expect, it, vi } from 'vitest';
import { freshPostgres } from '../test/postgres-store.ts';
import { openTxQueue, type TxQueue } from './queue.ts';
import type { Delivery, TxEvent, TxQueueOptions } from './types.ts';

/** Opens the pools (one per simulated process) and queues of a test. */
interface Opener {
  pool(max?: number): PostgresDriver;
  queue(options: TxQueueOptions): Promise<TxQueue>;
}

/** A fresh database; the queues, then the pools, a test opened are closed and the database dropped afterwards. */
async function withEngines(url: string, test: (open: Opener) => Promise<void>): Promise<void> {
  const store = await freshPostgres(url);
  const pools: PostgresDriver[] = [];
  const queues: TxQueue[] = [];
  const open: Opener = {
    pool: (max = 4) => {
      const p = openPostgres({ connectionString: store.url, max });
      pools.push(p);
      return p;
    },
    queue: async (options) => {
      const queue = await openTxQueue({ logger: silentLogger, ...options });
      queues.push(queue);
      return queue;
    },
  };
  try {
    await test(open);
  } finally {
    for (const queue of queues) await queue.close();
    for (const p of pools) await p.close();
    await store.dispose();
  }
}

/** Waits until the device's `txq_counter` row has `column` set; fails after 20 s. */
async function counterSet(driver: PostgresDriver, device: string, column: 'next' | 'listen_until'): Promise<void> {
  await vi.waitFor(
    async () => {
      const [row] = await driver.query<Record<string, unknown>>(`SELECT ${column} FROM txq_counter WHERE target = $1`, [
        `d:${device}`,
      ]);
      expect(row?.[column] ?? null, `txq_counter.${column} of ${device}`).not.toBeNull();
    },
    { timeout: 20_000, interval: 10 },
  );
}

/** The driver, counting the NOTIFYs sent through it. */
function countingNotifies(driver: PostgresDriver): { readonly driver: PostgresDriver; readonly sent: () => number } {
  let n = 0;
  const query: PostgresDriver['query'] = (sql, params) => {
    if (sql.includes('pg_notify')) n++;
    return driver.query(sql, params);
  };
  return { driver: { ...driver, query }, sent: () => n };
}

const ENGINES = 3;
const DEVICES = 6;
const PER_DEVICE = 15;

describeWithPostgres('txqueue shared by several engines on PostgreSQL', (url) => {
  it('never hands one delivery attempt to two call-ins, completes each transaction once and emits each final event once', () =>
    withEngines(url, async (open) => {
      const engines: TxQueue[] = [];
      for (let i = 0; i < ENGINES; i++)
        engines.push(await open.queue({ storage: open.pool(6), redeliverAfterMs: 60_000 }));
      const events: TxEvent[] = [];
      for (const queue of engines) queue.subscribe((e) => void events.push(e));
      const devices = Array.from({ length: DEVICES }, (_, i) => `dev-${i}`);
      // enqueue from every engine at once
      await Promise.all(
        devices.flatMap((device) =>
          Array.from({ length: PER_DEVICE }, (_, i) =>
            engines[i % ENGINES]!.enqueue({ target: { device }, kind: 'rpc', payload: { i }, timeoutMs: 600_000 }),
          ),
        ),
      );
      // every engine calls in for every device concurrently until all are done
      const handed: (Delivery & { device: string })[] = [];
      const applied: string[] = [];
      await Promise.all(
        engines.flatMap((queue) =>
          devices.map(async (device) => {
            for (let round = 0; round < 40; round++) {
              const got = await queue.callIn(device, { limit: 4 });
              for (const d of got) {
                handed.push({ ...d, device });
                const r = await queue.ack(device, {
                  transactionId: d.transactionId,
                  attempt: d.attempt,
                  status: 'complete',
                });
                if (r.outcome === 'applied') applied.push(`${device}#${d.transactionId}`);
              }
              if (got.length === 0 && (await queue.list({ device }, { open: true })).length === 0) return;
            }
          }),
        ),
      );
      await Promise.all(engines.map((queue) => queue.idle()));
      const attempts = handed.map((d) => `${d.device}#${d.transactionId}@${d.attempt}`);
      expect(new Set(attempts).size).toBe(attempts.length);
      expect(applied.length).toBe(DEVICES * PER_DEVICE);
      expect(new Set(applied).size).toBe(applied.length);
      const finals = events
        .filter((e) => e.final)
        .map((e) => `${'device' in e.target ? e.target.device : ''}#${e.transactionId}`);
      expect(finals.sort()).toEqual([...applied].sort());
      // ids per device are 1..PER_DEVICE whichever engine enqueued
      for (const device of devices)
        expect((await engines[0]!.list({ device })).map((t) => t.id)).toEqual(
          Array.from({ length: PER_DEVICE }, (_, i) => i + 1),
        );
    }));

  it("hands each event once when several engines dispatch at once, a big group's in seq order", () =>
    withEngines(url, async (open) => {
      const clock = new ManualClock();
      const members = Array.from({ length: 400 }, (_, i) => `m${i}`);
      const options = { clock, groups: { members: () => members } };
      const engines = [
        await open.queue({ storage: open.pool(), ...options }),
        await open.queue({ storage: open.pool(), ...options }),
        await open.queue({ storage: open.pool(), ...options }),
      ];
      const first = engines[0]!;
      await first.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 5000, memberEvents: true });
      for (let i = 0; i < 60; i++)
        await first.enqueue({ target: { device: `d${i}` }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      // every member times out in one sweep: 400 member events and the final one queue behind the accepted one
      clock.advance(5000);
      await first.sweep();
      const delivered: TxEvent[] = [];
      for (const queue of engines)
        queue.subscribe(async (event) => {
          delivered.push(event);
          // let the other engines claim meanwhile
          await new Promise((resolve) => setTimeout(resolve, 0));
        });
      await Promise.all(engines.map((queue) => queue.idle()));
      expect(await first.eventBacklog()).toMatchObject({ pending: 0 });
      const seqs = delivered.map((event) => event.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(delivered.filter((event) => 'device' in event.target)).toHaveLength(60);
      // the maintenance pass may sweep beside first.sweep(): a progress event comes between their member events
      const group = delivered.filter((event) => 'group' in event.target);
      expect(group.filter((event) => event.type === 'member')).toHaveLength(400);
      expect([group[0]?.type, group.at(-1)?.type]).toEqual(['accepted', 'final']);
      const groupSeqs = group.map((event) => event.seq);
      expect(groupSeqs).toEqual([...groupSeqs].sort((a, b) => a - b));
    }));

  it('wakes a long-polling call-in in one engine when another engine enqueues (LISTEN/NOTIFY)', () =>
    withEngines(url, async (open) => {
      // a manual clock that never moves: without the NOTIFY the wait would never end
      const waiting = await open.queue({ storage: open.pool(), clock: new ManualClock() });
      const sender = await open.queue({ storage: open.pool() });
      const poll = waiting.callIn('sleepy', { waitMs: 3_600_000 });
      await sender.enqueue({ target: { device: 'sleepy' }, kind: 'rpc', payload: { wake: true }, timeoutMs: 600_000 });
      expect((await poll).map((d) => d.payload)).toEqual([{ wake: true }]);
    }));

  it('sends no NOTIFY for an enqueue to a device no call-in waits on, in any engine', () =>
    withEngines(url, async (open) => {
      const counted = countingNotifies(open.pool());
      const queue = await open.queue({ storage: counted.driver });
      for (let i = 0; i < 5; i++)
        await queue.enqueue({ target: { device: 'quiet' }, kind: 'rpc', payload: { i }, timeoutMs: 600_000 });
      await queue.idle();
      expect(counted.sent()).toBe(0);
      expect(await queue.callIn('quiet')).toHaveLength(5);
    }));

  it('NOTIFYs the other engines for an enqueue to a device whose call-in is already waiting', () =>
    withEngines(url, async (open) => {
      const a = open.pool();
      const b = open.pool();
      const counted = countingNotifies(b);
      const waiting = await open.queue({ storage: a, clock: new ManualClock() });
      const sender = await open.queue({ storage: counted.driver });
      const poll = waiting.callIn('sleepy', { waitMs: 3_600_000 });
      // the wait is registered (and its first look done) before the enqueue
      await counterSet(b, 'sleepy', 'listen_until');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sender.enqueue({ target: { device: 'sleepy' }, kind: 'rpc', payload: { wake: 1 }, timeoutMs: 600_000 });
      expect((await poll).map((d) => d.payload)).toEqual([{ wake: 1 }]);
      await sender.idle();
      expect(counted.sent()).toBe(1);
    }));

  it('wakes the work hook of an engine watching a device when another engine enqueues, fans out, cancels or lets a hold run out', () =>
    withEngines(url, async (open) => {
      const clock = new ManualClock();
      const sender = await open.queue({
        storage: open.pool(),
        clock,
        groups: { members: () => ['x', 'z'] },
        redeliverAfterMs: 60_000,
      });
      // a manual clock that never moves: only a NOTIFY can wake this engine's hook
      const pusher = await open.queue({ storage: open.pool(), clock: new ManualClock() });
      const woken: string[] = [];
      let heard = (): void => {};
      pusher.onWork((device) => {
        woken.push(device);
        heard();
      });
      const hear = async (n: number): Promise<void> => {
        while (woken.length < n) await new Promise<void>((resolve) => (heard = resolve));
      };
      await pusher.watch('x');
      await sender.enqueue({ target: { device: 'x' }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      await hear(1);
      await sender.enqueue({ target: { group: 'g' }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      await hear(2);
      expect((await sender.callIn('x')).map((d) => d.transactionId)).toEqual([1, 2]);
      await sender.cancel({ device: 'x' }, 1);
      await hear(3);
      // the sub-transaction's hold runs out in the engine that handed it out
      clock.advance(60_000);
      await hear(4);
      // z is not watched: its fan-out woke the sender alone
      expect(woken).toEqual(['x', 'x', 'x', 'x']);
    }));

  it('wakes its own work hook once for a watched device, not again when its own NOTIFY comes back', () =>
    withEngines(url, async (open) => {
      const queue = await open.queue({ storage: open.pool() });
      const other = await open.queue({ storage: open.pool() });
      const woken: string[] = [];
      let heard = (): void => {};
      queue.onWork((device) => {
        woken.push(device);
        heard();
      });
      await queue.watch('x');
      await queue.watch('y');
      await queue.enqueue({ target: { device: 'x' }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      await queue.idle();
      // NOTIFYs reach a listener in commit order: y's comes after x's own came back
      await other.enqueue({ target: { device: 'y' }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      while (!woken.includes('y')) await new Promise<void>((resolve) => (heard = resolve));
      expect(woken).toEqual(['x', 'y']);
    }));

  it('renews the registration of a watched device in the maintenance pass, until it is unwatched', () =>
    withEngines(url, async (open) => {
      const pool = open.pool();
      const clock = new ManualClock();
      const queue = await open.queue({ storage: pool, clock });
      const listenUntil = async (): Promise<number> => {
        const [row] = await pool.query<{ n: number }>("SELECT listen_until AS n FROM txq_counter WHERE target = 'd:x'");
        return Number(row!.n);
      };
      const unwatch = await queue.watch('x');
      expect(await listenUntil()).toBeGreaterThan(0);
      // as if the registration had lapsed
      await pool.run("UPDATE txq_counter SET listen_until = 0 WHERE target = 'd:x'");
      clock.advance(30_000);
      await queue.idle();
      expect(await listenUntil()).toBeGreaterThan(0);
      unwatch();
      await pool.run("UPDATE txq_counter SET listen_until = 0 WHERE target = 'd:x'");
      clock.advance(30_000);
      await queue.idle();
      expect(await listenUntil()).toBe(0);
    }));

  it('numbers a device from 1 when a waiting call-in created its counter row first', () =>
    withEngines(url, async (open) => {
      const a = open.pool();
      const queue = await open.queue({ storage: a });
      const poll = queue.callIn('fresh', { waitMs: 60_000 });
      await counterSet(a, 'fresh', 'next');
      const { transaction } = await queue.enqueue({
        target: { device: 'fresh' },
        kind: 'rpc',
        payload: {},
        timeoutMs: 600_000,
      });
      expect(transaction.id).toBe(1);
      expect((await poll).map((d) => d.transactionId)).toEqual([1]);
    }));
});

// Several engine processes on one PostgreSQL: simulated by engines with
// their own connection pools, racing on the same devices.
import { ManualClock, silentLogger } from '@fleetkit/core';
import { openPostgres, type PostgresDriver } from '@fleetkit/core/postgres';
import { describeWithPostgres } from '@fleetkit/core/testing';
import { expect, it } from 'vitest';
import { freshPostgres } from '../test/postgres-store.ts';
import { openTxQueue, type TxQueue } from './queue.ts';
import type { Delivery, TxEvent } from './types.ts';

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
  it('never hands one delivery attempt to two call-ins, completes each transaction once and emits each final event once', async () => {
    const store = await freshPostgres(url);
    const drivers = Array.from({ length: ENGINES }, () => openPostgres({ connectionString: store.url, max: 6 }));
    const engines: TxQueue[] = [];
    for (const storage of drivers) engines.push(await openTxQueue({ storage, logger: silentLogger, redeliverAfterMs: 60_000 }));
    const events: TxEvent[] = [];
    for (const q of engines) q.subscribe((e) => void events.push(e));
    try {
      const devices = Array.from({ length: DEVICES }, (_, i) => `dev-${i}`);
      // enqueue from every engine at once
      await Promise.all(devices.flatMap((device) => Array.from({ length: PER_DEVICE }, (_, i) => engines[i % ENGINES]!.enqueue({ target: { device }, kind: 'rpc', payload: { i }, timeoutMs: 600_000 }))));
      // every engine calls in for every device concurrently until all are done
      const handed: (Delivery & { device: string })[] = [];
      const applied: string[] = [];
      await Promise.all(
        engines.flatMap((q) =>
          devices.map(async (device) => {
            for (let round = 0; round < 40; round++) {
              const got = await q.callIn(device, { limit: 4 });
              for (const d of got) {
                handed.push({ ...d, device });
                const r = await q.ack(device, { transactionId: d.transactionId, attempt: d.attempt, status: 'complete' });
                if (r.outcome === 'applied') applied.push(`${device}#${d.transactionId}`);
              }
              if (got.length === 0 && (await q.list({ device }, { open: true })).length === 0) return;
            }
          }),
        ),
      );
      await Promise.all(engines.map((q) => q.idle()));
      const attempts = handed.map((d) => `${d.device}#${d.transactionId}@${d.attempt}`);
      expect(new Set(attempts).size).toBe(attempts.length);
      expect(applied.length).toBe(DEVICES * PER_DEVICE);
      expect(new Set(applied).size).toBe(applied.length);
      const finals = events.filter((e) => e.final).map((e) => `${'device' in e.target ? e.target.device : ''}#${e.transactionId}`);
      expect(finals.sort()).toEqual([...applied].sort());
      // ids per device are 1..PER_DEVICE whichever engine enqueued
      for (const device of devices) expect((await engines[0]!.list({ device })).map((t) => t.id)).toEqual(Array.from({ length: PER_DEVICE }, (_, i) => i + 1));
    } finally {
      for (const q of engines) await q.close();
      for (const d of drivers) await d.close();
      await store.dispose();
    }
  });

  it('wakes a long-polling call-in in one engine when another engine enqueues (LISTEN/NOTIFY)', async () => {
    const store = await freshPostgres(url);
    const a = openPostgres({ connectionString: store.url, max: 4 });
    const b = openPostgres({ connectionString: store.url, max: 4 });
    // a manual clock that never moves: without the NOTIFY the wait would never end
    const waiting = await openTxQueue({ storage: a, clock: new ManualClock(), logger: silentLogger });
    const sender = await openTxQueue({ storage: b, logger: silentLogger });
    try {
      const poll = waiting.callIn('sleepy', { waitMs: 3_600_000 });
      await sender.enqueue({ target: { device: 'sleepy' }, kind: 'rpc', payload: { wake: true }, timeoutMs: 600_000 });
      expect((await poll).map((d) => d.payload)).toEqual([{ wake: true }]);
    } finally {
      await waiting.close();
      await sender.close();
      await a.close();
      await b.close();
      await store.dispose();
    }
  });

  it('sends no NOTIFY for an enqueue to a device no call-in waits on, in any engine', async () => {
    const store = await freshPostgres(url);
    const a = openPostgres({ connectionString: store.url, max: 4 });
    const counted = countingNotifies(a);
    const q = await openTxQueue({ storage: counted.driver, logger: silentLogger });
    try {
      for (let i = 0; i < 5; i++) await q.enqueue({ target: { device: 'quiet' }, kind: 'rpc', payload: { i }, timeoutMs: 600_000 });
      await q.idle();
      expect(counted.sent()).toBe(0);
      expect(await q.callIn('quiet')).toHaveLength(5);
    } finally {
      await q.close();
      await a.close();
      await store.dispose();
    }
  });

  it('NOTIFYs the other engines for an enqueue to a device whose call-in is already waiting', async () => {
    const store = await freshPostgres(url);
    const a = openPostgres({ connectionString: store.url, max: 4 });
    const b = openPostgres({ connectionString: store.url, max: 4 });
    const counted = countingNotifies(b);
    const waiting = await openTxQueue({ storage: a, clock: new ManualClock(), logger: silentLogger });
    const sender = await openTxQueue({ storage: counted.driver, logger: silentLogger });
    try {
      const poll = waiting.callIn('sleepy', { waitMs: 3_600_000 });
      // the wait is registered (and its first look done) before the enqueue
      for (let i = 0; i < 200; i++) {
        const [row] = await b.query<{ listen_until: number | null }>("SELECT listen_until FROM txq_counter WHERE target = 'd:sleepy'");
        if (row?.listen_until != null) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sender.enqueue({ target: { device: 'sleepy' }, kind: 'rpc', payload: { wake: 1 }, timeoutMs: 600_000 });
      expect((await poll).map((d) => d.payload)).toEqual([{ wake: 1 }]);
      await sender.idle();
      expect(counted.sent()).toBe(1);
    } finally {
      await waiting.close();
      await sender.close();
      await a.close();
      await b.close();
      await store.dispose();
    }
  });

  it('numbers a device from 1 when a waiting call-in created its counter row first', async () => {
    const store = await freshPostgres(url);
    const a = openPostgres({ connectionString: store.url, max: 4 });
    const q = await openTxQueue({ storage: a, logger: silentLogger });
    try {
      const ac = new AbortController();
      const poll = q.callIn('fresh', { waitMs: 60_000, signal: ac.signal });
      for (let i = 0; i < 200; i++) {
        const [row] = await a.query<{ next: number }>("SELECT next FROM txq_counter WHERE target = 'd:fresh'");
        if (row) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { transaction } = await q.enqueue({ target: { device: 'fresh' }, kind: 'rpc', payload: {}, timeoutMs: 600_000 });
      expect(transaction.id).toBe(1);
      expect((await poll).map((d) => d.transactionId)).toEqual([1]);
    } finally {
      await q.close();
      await a.close();
      await store.dispose();
    }
  });
});

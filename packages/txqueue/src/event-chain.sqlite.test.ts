import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '@fleetkit/core';
import { openSqlite } from '@fleetkit/core/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openTxQueue } from './index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('txqueue event chain on SQLite', () => {
  it('keeps the order of the events a database written before the chain still holds, and of the ones written after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-chain-'));
    dirs.push(dir);
    const path = join(dir, 'queue.db');
    const clock = new ManualClock();
    const first = openSqlite({ path });
    const q1 = await openTxQueue({ storage: first, clock, logger: silentLogger });
    await q1.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: 3_600_000 });
    const [d] = await q1.callIn('a');
    await q1.close();
    // the schema before the chain: the per-transaction index, no chain columns, no trigger
    await first.exec(`DROP TRIGGER txq_events_chain; ALTER TABLE txq_events DROP COLUMN prev; ALTER TABLE txq_tx DROP COLUMN last_event;
      CREATE INDEX txq_events_tx ON txq_events (target, tx_id, seq)`);
    await first.close();

    const storage = openSqlite({ path });
    const queue = await openTxQueue({ storage, clock, logger: silentLogger, eventRetryMs: 1000 });
    expect(await storage.query("SELECT name FROM sqlite_master WHERE name = 'txq_events_tx'")).toEqual([]);
    const seen: string[] = [];
    let fail = true;
    queue.subscribe((e) => {
      if (e.type === 'accepted' && fail) {
        fail = false;
        throw new Error('callback endpoint down');
      }
      seen.push(e.type);
    });
    await queue.idle();
    await queue.ack('a', { transactionId: d!.transactionId, attempt: d!.attempt, status: 'complete' });
    await queue.idle();
    // 'delivered' (written before) and 'final' (written after) wait for the retried 'accepted'
    expect(seen).toEqual([]);
    clock.advance(1000);
    await queue.sweep();
    expect(seen).toEqual(['accepted', 'delivered', 'final']);
    await queue.close();
    await storage.close();
  });

  it('dispatches at once, after a restart, the events a killed engine had claimed and never finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-claims-'));
    dirs.push(dir);
    const path = join(dir, 'queue.db');
    // one clock that never moves: a claim that only ended with its lease would never be seen again
    const clock = new ManualClock();
    const killed = openSqlite({ path });
    const before = await openTxQueue({ storage: killed, clock, logger: silentLogger });
    let unblock!: () => void;
    const stuck = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const claimed: number[] = [];
    before.subscribe(async (event) => {
      claimed.push(event.seq);
      await stuck;
    });
    await before.enqueue({ target: { device: 'a' }, kind: 'rpc', payload: {}, timeoutMs: 3_600_000 });
    while (claimed.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const storage = openSqlite({ path });
    const after = await openTxQueue({ storage, clock, logger: silentLogger });
    const seen: string[] = [];
    after.subscribe((event) => {
      seen.push(event.type);
    });
    await after.sweep();
    await after.idle();
    expect(seen).toEqual(['accepted']);
    unblock();
    await after.close();
    await storage.close();
    await before.close();
    await killed.close();
  });
});

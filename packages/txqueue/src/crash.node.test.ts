import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlDriver } from '@fleetkit/core';
import { openPostgres } from '@fleetkit/core/postgres';
import { openSqlite } from '@fleetkit/core/sqlite';
import { describeWithPostgres, runUntilKilled } from '@fleetkit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../test/postgres-store.ts';

const worker = fileURLToPath(new URL('../test/fixtures/crash-worker.ts', import.meta.url));
const ROUNDS = 8;

interface Facts {
  readonly accepted: string[];
  readonly completed: string[];
}

/** Runs the worker until it has printed a random number of facts, kills it with SIGKILL, returns the facts. */
async function runAndKill(args: string[]): Promise<Facts> {
  const lines = await runUntilKilled({ script: worker, args, afterLines: 10 + Math.floor(Math.random() * 200) });
  const facts: Facts = { accepted: [], completed: [] };
  for (const line of lines) {
    const [tag, who, id] = line.split(' ');
    if (tag === 'A') facts.accepted.push(`${who}#${id}`);
    if (tag === 'C') facts.completed.push(`d:${who}#${id}`);
  }
  return facts;
}

type Row = {
  target: string;
  id: number;
  state: string;
  status: string;
  finished_at: number | null;
  parent_target: string | null;
  parent_id: number | null;
  total: number | null;
  finished: number | null;
  n_complete: number | null;
};

const statusOf: Record<string, readonly string[]> = {
  queued: ['accepted'],
  delivered: ['accepted'],
  'in-progress': ['accepted'],
  cancelling: ['accepted'],
  complete: ['complete'],
  failed: ['device-error', 'format-error', 'value-error', 'device-unknown'],
  'timed-out': ['time-out'],
  cancelled: ['cancelled'],
};

/** Every acknowledged fact is stored, every row is in a valid state, outbox and groups agree with the rows. */
async function expectConsistent(db: SqlDriver, facts: Facts, store: CrashStore): Promise<void> {
  const [rows, events] = await db.transaction(async (tx) => {
    if (store.snapshot !== undefined) await tx.run(store.snapshot);
    return [
      await tx.query<Row>('SELECT * FROM txq_tx'),
      await tx.query<{ target: string; tx_id: number; body: string }>('SELECT target, tx_id, body FROM txq_events'),
    ] as const;
  });
  const byKey = new Map(rows.map((r) => [`${r.target}#${Number(r.id)}`, r]));
  expect(facts.accepted.filter((k) => !byKey.has(k))).toEqual([]);
  expect(facts.completed.filter((k) => byKey.get(k)?.state !== 'complete')).toEqual([]);
  for (const r of rows) {
    expect(statusOf[r.state]).toContain(r.status);
    expect(r.finished_at === null).toBe(['queued', 'delivered', 'in-progress', 'cancelling'].includes(r.state));
  }
  // the worker has no subscriber, so the outbox holds every event ever written:
  // one accepted event per stand-alone transaction, one final event per final one
  const kinds = new Map<string, string[]>();
  for (const e of events) {
    const k = `${e.target}#${Number(e.tx_id)}`;
    kinds.set(k, [...(kinds.get(k) ?? []), (JSON.parse(e.body) as { type: string }).type]);
  }
  for (const r of rows.filter((x) => x.parent_target === null)) {
    const types = kinds.get(`${r.target}#${Number(r.id)}`) ?? [];
    expect(types.filter((t) => t === 'accepted')).toHaveLength(1);
    expect(types.filter((t) => t === 'final')).toHaveLength(r.finished_at === null ? 0 : 1);
  }
  for (const p of rows.filter((x) => x.total !== null)) {
    const kids = rows.filter((c) => c.parent_target === p.target && Number(c.parent_id) === Number(p.id));
    expect([Number(p.total), Number(p.finished), Number(p.n_complete)]).toEqual([
      kids.length,
      kids.filter((c) => c.finished_at !== null).length,
      kids.filter((c) => c.state === 'complete').length,
    ]);
    expect(p.finished_at !== null).toBe(kids.every((c) => c.finished_at !== null));
  }
}

/** A store the worker is killed on: how to open it, where the worker finds it (a path or a URL). */
interface CrashStore {
  open(): SqlDriver;
  readonly where: string;
  /** Begins the read of both tables as one snapshot, where a transaction is not one already. */
  readonly snapshot?: string;
}

async function rounds(store: CrashStore): Promise<void> {
  const all: Facts = { accepted: [], completed: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const facts = await runAndKill([store.where, String(round + 1)]);
    all.accepted.push(...facts.accepted);
    all.completed.push(...facts.completed);
    const db = store.open();
    try {
      await expectConsistent(db, all, store);
    } finally {
      await db.close();
    }
  }
  expect(all.accepted.length).toBeGreaterThan(ROUNDS);
}

describe('txqueue under kill -9: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-txq-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every accepted transaction and every applied completion, in a valid state, over many kills', async () => {
    const path = join(dir, 'queue.db');
    await rounds({ open: () => openSqlite({ path }), where: path });
  }, 300_000);
});

describeWithPostgres('txqueue under kill -9: PostgreSQL', (url) => {
  it('keeps every accepted transaction and every applied completion, in a valid state, over many kills', async () => {
    const store = await freshPostgres(url);
    try {
      await rounds({
        open: () => openPostgres({ connectionString: store.url }),
        where: store.url,
        // the killed worker's last statement may still commit on the server while we read
        snapshot: 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
      });
    } finally {
      await store.dispose();
    }
  }, 300_000);
});

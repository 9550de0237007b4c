import type { Clock, Logger, SqlDriver } from '@fleetkit/core';
import type { Dialect, EventRow } from '../dialects/dialect.ts';
import type { EventBacklog, FailingEvent, TxEvent, TxEventHandler, TxEventType } from '../types.ts';
import { Coalescer } from './coalesce.ts';
import type { Context } from './context.ts';
import { parseTargetKey } from './keys.ts';

/** The most events one claim takes. */
const BATCH = 256;
/** How long a claimed batch stays with this process before another may take it (crash recovery). */
const LEASE_MS = 60_000;
/** The longest error text kept with a failing event. */
const ERROR_CHARS = 1000;

/** When an event that failed `attempts` times (1 or more) is tried again: `retryMs` doubling, at most `maxMs`. */
export function retryDelay(attempts: number, retryMs: number, maxMs: number): number {
  // past 2^30 the doubling is beyond any cap a checked option allows
  return Math.min(maxMs, retryMs * 2 ** Math.min(attempts - 1, 30));
}

/**
 * Hands outbox events to the subscribers of this process. A batch is claimed
 * with a lease (on PostgreSQL with `SKIP LOCKED`, so processes split the
 * work); an event is deleted once every handler resolved, and one whose
 * handler rejected comes back after `retryMs`, twice as long after each
 * further failure, at most `retryMaxMs` (counted and kept with the event, so
 * every process and a restart back off alike). An event is claimable once
 * the earlier events of its transaction are gone or claimed with it, so a
 * transaction's events arrive in order even when several processes
 * dispatch, and a long run of them (a big group's member events) goes in
 * few claims. When one fails, the later events of its transaction in the
 * batch are given back unhanded, to wait for its retry.
 */
export class Dispatcher {
  readonly #storage: SqlDriver;
  readonly #dialect: Dialect;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #retryMs: number;
  readonly #retryMaxMs: number;
  readonly #handlers = new Set<TxEventHandler>();
  /** Handlers that already succeeded for an event being retried. */
  readonly #done = new Map<number, Set<TxEventHandler>>();
  readonly #pumps = new Coalescer();

  constructor(context: Context, retry: { readonly ms: number; readonly maxMs: number }) {
    this.#storage = context.storage;
    this.#dialect = context.dialect;
    this.#clock = context.clock;
    this.#logger = context.logger;
    this.#retryMs = retry.ms;
    this.#retryMaxMs = retry.maxMs;
  }

  subscribe(handler: TxEventHandler): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  /** Whether a handler is subscribed: without one, nothing is dispatched. */
  get active(): boolean {
    return this.#handlers.size > 0;
  }

  /** Dispatches until the outbox has nothing claimable; concurrent calls coalesce. */
  pump(): Promise<void> {
    if (this.#handlers.size === 0) return Promise.resolve();
    return this.#pumps.run(async () => {
      while ((await this.#batch()) > 0);
    });
  }

  async #batch(): Promise<number> {
    const now = this.#clock.now();
    const rows = await this.#dialect.claimEvents(this.#storage, { now, leaseUntil: now + LEASE_MS, limit: BATCH });
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    /** Transactions whose event failed in this batch: their later events wait for its retry. */
    const held = new Set<string>();
    for (const [index, row] of rows.entries()) {
      const transaction = `${row.target}#${row.tx_id}`;
      if (held.has(transaction)) continue;
      const seq = Number(row.seq);
      const event = {
        seq,
        target: parseTargetKey(row.target),
        transactionId: Number(row.tx_id),
        ...JSON.parse(row.body),
      } as TxEvent;
      const error = await this.#deliver(seq, event);
      if (error === undefined) {
        await this.#storage.run('DELETE FROM txq_events WHERE seq = $1', [seq]);
        continue;
      }
      held.add(transaction);
      await this.#giveBack(rows, index);
      const attempts = Number(row.attempts) + 1;
      const next = this.#clock.now() + retryDelay(attempts, this.#retryMs, this.#retryMaxMs);
      this.#logger.warn('event handler failed; the event will be retried', {
        seq,
        type: event.type,
        attempts,
        nextAttemptAt: next,
        cause: error,
      });
      await this.#storage.run('UPDATE txq_events SET lease_until = $2, attempts = $3, last_error = $4 WHERE seq = $1', [
        seq,
        next,
        attempts,
        error,
      ]);
    }
    return rows.length;
  }

  /**
   * Ends the claim on the events of the batch that come after the failed
   * one (`rows[failed]`) in its transaction: they wait unclaimed behind it,
   * as they would had they not been claimed with it.
   */
  async #giveBack(rows: readonly EventRow[], failed: number): Promise<void> {
    const { target, tx_id } = rows[failed]!;
    const later = rows
      .slice(failed + 1)
      .filter((row) => row.target === target && Number(row.tx_id) === Number(tx_id))
      .map((row) => Number(row.seq));
    if (later.length === 0) return;
    await this.#storage.run(
      `UPDATE txq_events SET lease_until = 0 WHERE seq IN (SELECT CAST(j.value AS BIGINT) FROM ${this.#dialect.jsonStrings('$1')})`,
      [JSON.stringify(later)],
    );
  }

  /** Hands an event to every handler that has not had it yet; returns the first failure's text, if any. */
  async #deliver(seq: number, event: TxEvent): Promise<string | undefined> {
    const done = this.#done.get(seq) ?? new Set<TxEventHandler>();
    let error: string | undefined;
    for (const handler of [...this.#handlers]) {
      if (done.has(handler)) continue;
      try {
        await handler(event);
        done.add(handler);
      } catch (cause) {
        error ??= String(cause).slice(0, ERROR_CHARS);
      }
    }
    if (error === undefined) this.#done.delete(seq);
    else this.#done.set(seq, done);
    return error;
  }
}

/**
 * The outbox's backlog: how many events wait (in every process's share),
 * how many of them failed, and the oldest `limit` failing ones. Both read the
 * whole outbox, which holds only undelivered events; no index is kept for
 * them (it would be one more write per event).
 */
export async function eventBacklog(storage: SqlDriver, limit: number): Promise<EventBacklog> {
  const [counts] = await storage.query<{ pending: number; failing: number | null }>(
    'SELECT count(*) AS pending, sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing FROM txq_events',
  );
  const rows = await storage.query<EventRow & { last_error: string | null; lease_until: number }>(
    `SELECT seq, target, tx_id, body, attempts, last_error, lease_until FROM txq_events WHERE attempts > 0
     ORDER BY seq LIMIT ${Math.trunc(limit)}`,
  );
  const failing = rows.map(
    (row): FailingEvent => ({
      seq: Number(row.seq),
      target: parseTargetKey(row.target),
      transactionId: Number(row.tx_id),
      type: (JSON.parse(row.body) as { type: TxEventType }).type,
      attempts: Number(row.attempts),
      lastError: row.last_error ?? '',
      nextAttemptAt: Number(row.lease_until),
    }),
  );
  return { pending: Number(counts?.pending ?? 0), failingTotal: Number(counts?.failing ?? 0), failing };
}

import type { Clock, Logger, SqlDriver } from '@fleetkit/core';
import { Coalescer } from './coalesce.ts';
import type { TxEvent, TxEventHandler } from '../types.ts';
import { parseTargetKey } from './keys.ts';

const BATCH = 256;
/** How long a claimed batch stays with this process before another may take it (crash recovery). */
const LEASE_MS = 60_000;

type EventRow = {
  readonly seq: number;
  readonly target: string;
  readonly tx_id: number;
  readonly body: string;
};

/**
 * Hands outbox events to the subscribers of this process. A batch is claimed
 * with a lease (on PostgreSQL with `SKIP LOCKED`, so processes split the
 * work); an event is deleted once every handler resolved, and one whose
 * handler rejected comes back after `retryMs`. Only the oldest open event
 * of each transaction is claimable, so a transaction's events arrive in
 * order even when several processes dispatch.
 */
export class Dispatcher {
  readonly #db: SqlDriver;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #retryMs: number;
  readonly #handlers = new Set<TxEventHandler>();
  /** Handlers that already succeeded for an event being retried. */
  readonly #done = new Map<number, Set<TxEventHandler>>();
  readonly #pumps = new Coalescer();

  constructor(db: SqlDriver, clock: Clock, logger: Logger, retryMs: number) {
    this.#db = db;
    this.#clock = clock;
    this.#logger = logger;
    this.#retryMs = retryMs;
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
    const pg = this.#db.dialect === 'postgres';
    const lock = pg ? ' FOR UPDATE SKIP LOCKED' : '';
    // the transaction's earlier event: by its index on PostgreSQL, by the chain on SQLite (schema.ts)
    const earlier = pg ? 'p.target = e.target AND p.tx_id = e.tx_id AND p.seq < e.seq' : 'p.seq = e.prev';
    // LIMIT as a literal: SQLite re-prepares a statement whose LIMIT parameter is bound again
    const rows = await this.#db.query<EventRow>(
      `WITH pick AS MATERIALIZED (SELECT e.seq FROM txq_events e WHERE e.lease_until <= $2
           AND NOT EXISTS (SELECT 1 FROM txq_events p WHERE ${earlier})
         ORDER BY e.seq LIMIT ${BATCH}${lock})
       UPDATE txq_events SET lease_until = $1 WHERE seq IN (SELECT seq FROM pick)
       RETURNING seq, target, tx_id, body`,
      [now + LEASE_MS, now],
    );
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    for (const row of rows) {
      const seq = Number(row.seq);
      const event = {
        seq,
        target: parseTargetKey(row.target),
        transactionId: Number(row.tx_id),
        ...JSON.parse(row.body),
      } as TxEvent;
      if (await this.#deliver(seq, event)) {
        await this.#db.run('DELETE FROM txq_events WHERE seq = $1', [seq]);
      } else {
        await this.#db.run('UPDATE txq_events SET lease_until = $2 WHERE seq = $1', [
          seq,
          this.#clock.now() + this.#retryMs,
        ]);
      }
    }
    return rows.length;
  }

  async #deliver(seq: number, event: TxEvent): Promise<boolean> {
    const done = this.#done.get(seq) ?? new Set<TxEventHandler>();
    let ok = true;
    for (const handler of [...this.#handlers]) {
      if (done.has(handler)) continue;
      try {
        await handler(event);
        done.add(handler);
      } catch (cause) {
        ok = false;
        this.#logger.warn('event handler failed; the event will be retried', {
          seq,
          type: event.type,
          cause: String(cause),
        });
      }
    }
    if (ok) this.#done.delete(seq);
    else this.#done.set(seq, done);
    return ok;
  }
}

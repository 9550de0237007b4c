import type { SqlDriver } from '@fleetkit/core';
import type { Waiters } from './waiters.ts';

/** The NOTIFY channel that wakes long-polling call-ins in every process sharing PostgreSQL. */
const CHANNEL = 'fleetkit_txqueue';
/** Added to a registration's end: the waiter's timer started a little before the server read its clock. */
const REGISTER_SLACK_MS = 1000;
/** The server's clock in epoch ms: registrations and enqueues compare on it. */
export const SERVER_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

interface PgWake {
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
}

function pgWake(db: SqlDriver): PgWake | undefined {
  const d = db as SqlDriver & Partial<PgWake>;
  return d.dialect === 'postgres' && typeof d.listen === 'function' && typeof d.notify === 'function'
    ? (d as unknown as PgWake)
    : undefined;
}

/**
 * Wakes long-polling call-ins: in this process directly, in the others
 * through LISTEN/NOTIFY. The NOTIFY goes after COMMIT, never inside the data
 * transaction: a notifying transaction holds PostgreSQL's global notify lock
 * through its WAL flush, which would serialise every enqueue of every
 * process (docs/decisions/txqueue-002-delivery-commit.md). One NOTIFY is in
 * flight at a time; keys gather meanwhile.
 *
 * A device enqueue (the common case) NOTIFYs only when some process may be
 * long-polling that device: a call-in about to wait first records until when
 * in the device's counter row ({@link Wakeups.register}, committed before it
 * looks for work), and the enqueue statement reads that column back from the
 * counter row it locks anyway. The row lock orders the two: either the
 * registration committed first and the enqueue sees it, or the registration
 * waited for the enqueue's commit and the call-in's look that follows finds
 * the new transaction (docs/decisions/txqueue-003-round-trips.md).
 */
export class Wakeups {
  readonly #db: SqlDriver;
  readonly #pg: PgWake | undefined;
  readonly #waiters: Waiters;
  readonly #pending = new Set<string>();
  #sending = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(db: SqlDriver, waiters: Waiters) {
    this.#db = db;
    this.#pg = pgWake(db);
    this.#waiters = waiters;
  }

  async listen(): Promise<void> {
    this.#unlisten = await this.#pg?.listen(CHANNEL, (payload) => {
      for (const key of payload.split('\n')) this.#local(key);
    });
  }

  /**
   * Records in the target's counter row that a call-in may wait on it for
   * `ms` more, so enqueues NOTIFY for it. The end is on the server's clock,
   * which every process sharing it reads alike (an engine's own clock may be
   * a test's manual one). Committed without a WAL flush: it is a hint, and
   * its visibility, not its durability, is what orders it against enqueues.
   */
  async register(key: string, ms: number): Promise<void> {
    if (!this.#pg) return;
    await this.#db.query(
      `INSERT INTO txq_counter (target, next, listen_until)
       SELECT $1, 0, ${SERVER_NOW_MS} + $2::bigint FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg
       ON CONFLICT (target) DO UPDATE SET listen_until = greatest(coalesce(txq_counter.listen_until, 0), excluded.listen_until)`,
      [key, Math.ceil(ms) + REGISTER_SLACK_MS],
    );
  }

  /** Wakes the waiters of `keys` in this process only (no other process waits on them). */
  here(keys: Iterable<string>): void {
    for (const key of keys) this.#local(key);
  }

  /** Wakes the waiters of `keys` (`'*'`: all) here, and returns the NOTIFY work for the others, if any. */
  wake(keys: Iterable<string>): Promise<void> | undefined {
    for (const key of keys) {
      this.#local(key);
      if (this.#pg) this.#pending.add(key);
    }
    if (!this.#pg || this.#sending || this.#pending.size === 0) return undefined;
    return this.#send();
  }

  async close(): Promise<void> {
    await this.#unlisten?.();
  }

  #local(key: string): void {
    if (key === '*') this.#waiters.wakeAll();
    else this.#waiters.wake(key);
  }

  async #send(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#pending.size > 0) {
        const keys = [...this.#pending];
        this.#pending.clear();
        const joined = keys.join('\n');
        const payload = keys.includes('*') || joined.length > 7000 ? '*' : joined;
        // a wake-up is a hint (a waiter polls once more when its wait ends): no
        // WAL flush for it; set_config(…, true) is SET LOCAL in one round trip
        await this.#db.query("SELECT pg_notify($1, $2), set_config('synchronous_commit', 'off', true)", [
          CHANNEL,
          payload,
        ]);
      }
    } finally {
      this.#sending = false;
    }
  }
}

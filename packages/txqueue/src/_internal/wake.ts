import type { Clock, SqlDriver } from '@fleetkit/core';

/** The NOTIFY channel that wakes long-polling call-ins in every process sharing PostgreSQL. */
const CHANNEL = 'fleetkit_txqueue';
/** A NOTIFY payload stays under PostgreSQL's 8000 bytes: longer key lists go as several. */
const PAYLOAD_BYTES = 7000;
/** How long a watch registration lasts; the maintenance pass renews it after half of that. */
const WATCH_MS = 60_000;
/** Added to a registration's end: the waiter's timer started a little before the server read its clock. */
const REGISTER_SLACK_MS = 1000;
/** The server's clock in epoch ms: registrations and enqueues compare on it. */
export const SERVER_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

interface PgWake {
  listen(
    channel: string,
    handler: (payload: string) => void,
    events?: { onRestored?(): void },
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
}

function pgWake(db: SqlDriver): PgWake | undefined {
  const d = db as SqlDriver & Partial<PgWake>;
  return d.dialect === 'postgres' && typeof d.listen === 'function' && typeof d.notify === 'function'
    ? (d as unknown as PgWake)
    : undefined;
}

/**
 * Wakes long-polling call-ins and work hooks: in this process directly, in
 * the others through LISTEN/NOTIFY. The NOTIFY goes after COMMIT, never
 * inside the data transaction: a notifying transaction holds PostgreSQL's
 * global notify lock through its WAL flush, which would serialise every
 * enqueue of every process (docs/decisions/txqueue-002-delivery-commit.md).
 * One NOTIFY statement is in flight at a time; keys gather meanwhile.
 *
 * A device enqueue (the common case) NOTIFYs only when some process may be
 * listening on that device: a call-in about to wait, or a watch
 * ({@link Wakeups.watch}), first records until when in the device's counter
 * row ({@link Wakeups.register}, committed before it looks for work), and the
 * enqueue statement reads that column back from the counter row it locks
 * anyway. The row lock orders the two: either the registration committed
 * first and the enqueue sees it, or the registration waited for the
 * enqueue's commit and the look that follows finds the new transaction
 * (docs/decisions/txqueue-003-round-trips.md).
 */
export class Wakeups {
  readonly #db: SqlDriver;
  readonly #clock: Clock;
  readonly #pg: PgWake | undefined;
  readonly #local: (key: string) => void;
  readonly #waiting: () => Iterable<string>;
  /**
   * Names this engine's NOTIFYs, so it skips its own when they come back:
   * it woke those keys already. An identity, not a draw from the injected
   * Random: two engines given one seeded Random must still differ.
   */
  readonly #self = crypto.randomUUID();
  readonly #pending = new Set<string>();
  /** Watched device keys of this process, with how many watches each has. */
  readonly #watched = new Map<string, number>();
  /** When the watches were last renewed (the clock's monotonic ms). */
  #renewedAt = Number.NEGATIVE_INFINITY;
  #sending = false;
  #unlisten: (() => Promise<void>) | undefined;

  /**
   * `local` wakes a key in this process (its waiters and work hooks);
   * `waiting` lists the keys its long polls wait on now.
   */
  constructor(db: SqlDriver, clock: Clock, local: (key: string) => void, waiting: () => Iterable<string>) {
    this.#db = db;
    this.#clock = clock;
    this.#pg = pgWake(db);
    this.#local = local;
    this.#waiting = waiting;
  }

  async listen(): Promise<void> {
    this.#unlisten = await this.#pg?.listen(
      CHANNEL,
      (payload) => {
        const keys = payload.split('\n');
        if (keys[0] === this.#self) return;
        for (const key of keys.slice(1)) this.#local(key);
      },
      // NOTIFYs sent while the LISTEN connection was down are lost: every
      // waiter and watched device looks again, as if each had been notified
      { onRestored: () => this.#wakeAllHere() },
    );
  }

  #wakeAllHere(): void {
    for (const key of new Set([...this.#waiting(), ...this.#watched.keys()])) this.#local(key);
  }

  /**
   * Records in the targets' counter rows that a call-in or a watch may wait
   * on them for `ms` more, so enqueues NOTIFY for them. The end is on the
   * server's clock, which every process sharing it reads alike (an engine's
   * own clock may be a test's manual one). Committed without a WAL flush: it
   * is a hint, and its visibility, not its durability, is what orders it
   * against enqueues. Rows are locked in the order fan-outs lock them (the
   * keys sorted here, not by the database's collation), so the two cannot
   * deadlock.
   */
  async register(keys: readonly string[], ms: number): Promise<void> {
    if (!this.#pg || keys.length === 0) return;
    await this.#db.query(
      `INSERT INTO txq_counter (target, next, listen_until)
       SELECT k.value, 0, ${SERVER_NOW_MS} + $2::bigint
       FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg,
         jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS k(value, n)
       ORDER BY k.n
       ON CONFLICT (target) DO UPDATE SET listen_until = greatest(coalesce(txq_counter.listen_until, 0), excluded.listen_until)`,
      [JSON.stringify([...keys].sort()), Math.ceil(ms) + REGISTER_SLACK_MS],
    );
  }

  /**
   * Watches a device key until the returned function is called: enqueues in
   * other processes NOTIFY for it. Registered before it resolves, so a
   * call-in made after it sees every transaction no NOTIFY will report.
   */
  async watch(key: string): Promise<() => void> {
    if (!this.#pg) return () => {};
    this.#watched.set(key, (this.#watched.get(key) ?? 0) + 1);
    try {
      await this.register([key], WATCH_MS);
    } catch (error) {
      this.#unwatch(key);
      throw error;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#unwatch(key);
    };
  }

  /** Renews the watch registrations of this process once half their time has passed (the maintenance pass). */
  async renewWatches(): Promise<void> {
    const now = this.#clock.monotonic();
    if (this.#watched.size === 0 || now - this.#renewedAt < WATCH_MS / 2) return;
    this.#renewedAt = now;
    await this.register([...this.#watched.keys()], WATCH_MS);
  }

  /** Wakes `keys` in this process only (no other process waits on them). */
  here(keys: Iterable<string>): void {
    for (const key of keys) this.#local(key);
  }

  /** Wakes `keys` here, and returns the NOTIFY work for the others, if any. */
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

  #unwatch(key: string): void {
    const n = (this.#watched.get(key) ?? 1) - 1;
    if (n > 0) this.#watched.set(key, n);
    else this.#watched.delete(key);
  }

  async #send(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#pending.size > 0) {
        const payloads = this.#payloads([...this.#pending]);
        this.#pending.clear();
        // a wake-up is a hint (a waiter polls once more when its wait ends): no
        // WAL flush for it; set_config(…, true) is SET LOCAL in the same statement
        await this.#db.query(
          `SELECT pg_notify($1, p.value) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg,
             jsonb_array_elements_text($2::jsonb) AS p`,
          [CHANNEL, JSON.stringify(payloads)],
        );
      }
    } finally {
      this.#sending = false;
    }
  }

  /** The keys as NOTIFY payloads: this engine's id, then keys, one a line, each payload under the size limit. */
  #payloads(keys: readonly string[]): string[] {
    const out: string[] = [];
    const encoder = new TextEncoder();
    let payload = this.#self;
    let bytes = payload.length;
    for (const key of keys) {
      const size = encoder.encode(key).length + 1;
      if (bytes + size > PAYLOAD_BYTES) {
        out.push(payload);
        payload = this.#self;
        bytes = payload.length;
      }
      payload += `\n${key}`;
      bytes += size;
    }
    out.push(payload);
    return out;
  }
}

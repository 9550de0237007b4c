import type { SqlDriver } from '@fleetkit/core';
import type { Notifier } from '../dialect.ts';
import { SERVER_NOW_MS } from './server-clock.ts';

/** The NOTIFY channel that wakes long-polling call-ins in every process sharing PostgreSQL. */
const CHANNEL = 'fleetkit_txqueue';
/** A NOTIFY payload stays under PostgreSQL's 8000 bytes: longer key lists go as several. */
const PAYLOAD_BYTES = 7000;
/** Added to a registration's end: the waiter's timer started a little before the server read its clock. */
const REGISTER_SLACK_MS = 1000;

/** What the PostgreSQL driver offers beside the SQL port (core's `PostgresDriver`). */
interface ListenNotify {
  listen(
    channel: string,
    handler: (payload: string) => void,
    events?: { onRestored?(): void },
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
}

/** The LISTEN/NOTIFY wake-ups of one engine, when the driver can LISTEN. */
export function postgresNotifier(storage: SqlDriver): Notifier | undefined {
  const driver = storage as SqlDriver & Partial<ListenNotify>;
  return typeof driver.listen === 'function' && typeof driver.notify === 'function'
    ? new PostgresNotifier(storage, driver as SqlDriver & ListenNotify)
    : undefined;
}

/**
 * Wake-ups through LISTEN/NOTIFY. The NOTIFY goes after COMMIT, never
 * inside the data transaction: a notifying transaction holds PostgreSQL's
 * global notify lock through its WAL flush, which would serialise every
 * enqueue of every process (docs/decisions/txqueue-002-delivery-commit.md).
 *
 * A device enqueue (the common case) NOTIFYs only when some process may be
 * listening on that device: a call-in about to wait, or a watch, first
 * records until when in the device's counter row ({@link register},
 * committed before it looks for work), and the enqueue statement reads that
 * column back from the counter row it locks anyway (fast.ts). The row lock
 * orders the two: either the registration committed first and the enqueue
 * sees it, or the registration waited for the enqueue's commit and the look
 * that follows finds the new transaction
 * (docs/decisions/txqueue-003-round-trips.md).
 */
class PostgresNotifier implements Notifier {
  readonly #storage: SqlDriver;
  readonly #driver: ListenNotify;
  /**
   * Names this engine's NOTIFYs, so it skips its own when they come back:
   * it woke those keys already. An identity, not a draw from the injected
   * Random: two engines given one seeded Random must still differ.
   */
  readonly #self = crypto.randomUUID();

  constructor(storage: SqlDriver, driver: ListenNotify) {
    this.#storage = storage;
    this.#driver = driver;
  }

  listen(wake: (keys: readonly string[]) => void, restored: () => void): Promise<() => Promise<void>> {
    return this.#driver.listen(
      CHANNEL,
      (payload) => {
        const keys = payload.split('\n');
        if (keys[0] !== this.#self) wake(keys.slice(1));
      },
      { onRestored: restored },
    );
  }

  /**
   * The end is on the server's clock, which every process sharing it reads
   * alike (an engine's own clock may be a test's manual one). Committed
   * without a WAL flush: it is a hint, and its visibility, not its
   * durability, is what orders it against enqueues. Rows are locked in the
   * order fan-outs lock them (the keys sorted here, not by the database's
   * collation), so the two cannot deadlock.
   */
  async register(keys: readonly string[], ms: number): Promise<void> {
    if (keys.length === 0) return;
    await this.#storage.query(
      `INSERT INTO txq_counter (target, next, listen_until)
       SELECT k.value, 0, ${SERVER_NOW_MS} + $2::bigint
       FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg,
         jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS k(value, n)
       ORDER BY k.n
       ON CONFLICT (target) DO UPDATE SET listen_until = greatest(coalesce(txq_counter.listen_until, 0), excluded.listen_until)`,
      [JSON.stringify([...keys].sort()), Math.ceil(ms) + REGISTER_SLACK_MS],
    );
  }

  async send(keys: readonly string[]): Promise<void> {
    // a wake-up is a hint (a waiter polls once more when its wait ends): no
    // WAL flush for it; set_config(…, true) is SET LOCAL in the same statement
    await this.#storage.query(
      `SELECT pg_notify($1, p.value) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg,
         jsonb_array_elements_text($2::jsonb) AS p`,
      [CHANNEL, JSON.stringify(this.#payloads(keys))],
    );
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

import type { SqlExecutor } from '@fleetkit/core';
import type { ServerContext } from '../context.ts';
import { addTables } from '../store/schema.ts';

// One row per (txqueue event, URL): the event's seq never repeats (txqueue
// never reuses one), so a redelivered event inserts nothing. `state` is
// pending, done or dead; a pending row is sent after the earlier pending
// rows of its transaction and URL (claim.ts).
addTables(
  `CREATE TABLE IF NOT EXISTS srv_callbacks (
    account TEXT NOT NULL,
    seq BIGINT NOT NULL,
    url TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    target TEXT NOT NULL,
    tx_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at BIGINT NOT NULL,
    leased_until BIGINT NOT NULL,
    lease_owner TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (account, seq, url)
  )`,
  `CREATE INDEX IF NOT EXISTS srv_callbacks_due ON srv_callbacks (next_at) WHERE state = 'pending'`,
  `CREATE INDEX IF NOT EXISTS srv_callbacks_order ON srv_callbacks (account, target, tx_id, url, seq) WHERE state = 'pending'`,
  `CREATE INDEX IF NOT EXISTS srv_callbacks_finished ON srv_callbacks (finished_at) WHERE state <> 'pending'`,
);

/** The callbacks of one txqueue event: the same notification to each URL. */
export interface NewCallbacks {
  readonly account: string;
  readonly seq: number;
  /** `device:<id>` or `group:<id>`: with `txId`, the transaction whose callbacks stay in order. */
  readonly target: string;
  readonly txId: number;
  readonly urls: readonly string[];
  /** The JSON-RPC notification text. */
  readonly body: string;
}

/** A row the sender holds, as claim.ts returns it (a type, not an interface: rows are `SqlRow`s). */
export type CallbackRow = {
  readonly id: string;
  readonly url: string;
  readonly body: string;
  readonly attempts: number;
  readonly created_at: number;
  readonly leased_until: number;
};

/** Stores an event's callbacks in one statement; rows that exist (a redelivered event) stay as they are. */
export async function insertCallbacks(server: ServerContext, callbacks: NewCallbacks): Promise<void> {
  const now = server.clock.now();
  const values: string[] = [];
  const params: (string | number)[] = [];
  for (const url of callbacks.urls) {
    const at = params.length;
    values.push(
      `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $${at + 7}, 'pending', 0, $${at + 8}, 0, $${at + 8})`,
    );
    params.push(
      callbacks.account,
      callbacks.seq,
      url,
      server.random.uuid(),
      callbacks.target,
      callbacks.txId,
      callbacks.body,
      now,
    );
  }
  await server.db.run(
    `INSERT INTO srv_callbacks (account, seq, url, id, target, tx_id, body, state, attempts, next_at, leased_until, created_at)
     VALUES ${values.join(', ')} ON CONFLICT (account, seq, url) DO NOTHING`,
    params,
  );
}

/** The row was delivered (a 2xx reply). */
export async function markDone(db: SqlExecutor, id: string, now: number): Promise<void> {
  await db.run(
    `UPDATE srv_callbacks SET state = 'done', finished_at = $2, leased_until = 0, lease_owner = NULL WHERE id = $1`,
    [id, now],
  );
}

/** The row is given up: its destination is refused, or it failed for longer than the sender keeps trying. */
export async function markDead(db: SqlExecutor, id: string, now: number, error: string): Promise<void> {
  await db.run(
    `UPDATE srv_callbacks SET state = 'dead', finished_at = $2, last_error = $3, leased_until = 0, lease_owner = NULL,
       attempts = attempts + 1 WHERE id = $1`,
    [id, now, error],
  );
}

/** An attempt failed: the row is tried again at `nextAt`. */
export async function markFailed(db: SqlExecutor, id: string, nextAt: number, error: string): Promise<void> {
  await db.run(
    `UPDATE srv_callbacks SET attempts = attempts + 1, next_at = $2, last_error = $3, leased_until = 0, lease_owner = NULL
     WHERE id = $1 AND state = 'pending'`,
    [id, nextAt, error],
  );
}

/** Hands rows back unsent (stopping, or their URL just failed): claimable again at `nextAt` at the earliest. */
export async function release(db: SqlExecutor, ids: readonly string[], nextAt: number): Promise<void> {
  if (ids.length === 0) return;
  const list = ids.map((_, i) => `$${i + 2}`).join(', ');
  await db.run(
    `UPDATE srv_callbacks SET leased_until = 0, lease_owner = NULL,
       next_at = CASE WHEN next_at < $1 THEN $1 ELSE next_at END
     WHERE state = 'pending' AND id IN (${list})`,
    [nextAt, ...ids],
  );
}

/** Extends this process's lease on a row before sending it; false when the row is no longer ours to send. */
export async function renewLease(db: SqlExecutor, id: string, owner: string, until: number): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE srv_callbacks SET leased_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'pending'`,
    [id, owner, until],
  );
  return changes > 0;
}

/**
 * Deletes finished rows: delivered ones after `doneBefore` (long enough that
 * an event txqueue redelivers still finds its row and adds nothing), dead
 * ones after `deadBefore` (they stay visible in the metrics until then).
 */
export async function purgeFinished(db: SqlExecutor, doneBefore: number, deadBefore: number): Promise<void> {
  await db.run(
    `DELETE FROM srv_callbacks WHERE state <> 'pending'
       AND finished_at <= CASE WHEN state = 'done' THEN $1 ELSE $2 END`,
    [doneBefore, deadBefore],
  );
}

/** The callback outbox as metrics see it (every process's rows). */
export interface CallbackStats {
  /** Rows waiting to be delivered: the backlog. */
  readonly pending: number;
  /** Of those, the rows that failed at least once. */
  readonly failing: number;
  /** Rows given up and still kept (7 days). */
  readonly dead: number;
  /** How long the oldest pending row has waited, in ms; 0 without one. */
  readonly oldestPendingMs: number;
}

/** Backlog, failures and the age of the oldest pending callback, for /metrics. */
export async function callbackStats(server: ServerContext): Promise<CallbackStats> {
  const [pending] = await server.db.query<{
    n: number | string;
    failing: number | string | null;
    oldest: number | string | null;
  }>(
    `SELECT count(*) AS n, sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing, min(created_at) AS oldest
     FROM srv_callbacks WHERE state = 'pending'`,
  );
  const [dead] = await server.db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM srv_callbacks WHERE state = 'dead'`,
  );
  const oldest = pending?.oldest == null ? undefined : Number(pending.oldest);
  return {
    pending: Number(pending?.n ?? 0),
    failing: Number(pending?.failing ?? 0),
    dead: Number(dead?.n ?? 0),
    oldestPendingMs: oldest === undefined ? 0 : Math.max(0, server.clock.now() - oldest),
  };
}

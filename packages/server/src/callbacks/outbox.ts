import type { SqlExecutor } from '@fleetkit/core';
import type { ServerContext } from '../context.ts';
import { idsIn } from '../store/json.ts';
import { addTables } from '../store/schema.ts';
import { type CallbackRow, doneSql, type LeasedRow, ROW_COLUMNS, toRow, waitsFor } from './rows.ts';

// One row per (txqueue event, URL): the event's seq never repeats (txqueue
// never reuses one), so a redelivered event inserts nothing. `state` is
// pending, done or dead; a pending row is sent after the rows it waits for
// (rows.ts `waitsFor`).
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
  /** rows.ts `callbackTarget`: with `txId`, the transaction whose callbacks stay in order. */
  readonly target: string;
  readonly txId: number;
  readonly urls: readonly string[];
  /** The JSON-RPC notification text. */
  readonly body: string;
}

/** A lease on the rows {@link insertCallbacks} stores, for the sender that will send them. */
export interface InsertLease {
  readonly owner: string;
  readonly until: number;
}

/** What {@link insertCallbacks} does besides storing. */
export interface InsertOptions {
  /** Store each row that waits for nothing (rows.ts `waitsFor`) leased to its owner, and return it. */
  readonly lease?: InsertLease;
  /** Ids of delivered rows to mark done in the same commit. */
  readonly done?: readonly string[];
}

/**
 * Stores an event's callbacks in one statement; rows that exist (a
 * redelivered event) stay as they are. With a lease, the sender takes the
 * rows returned without a claim of its own.
 */
export async function insertCallbacks(
  server: ServerContext,
  callbacks: NewCallbacks,
  options: InsertOptions = {},
): Promise<CallbackRow[]> {
  const { db } = server;
  const { lease, done = [] } = options;
  const now = server.clock.now();
  // $1 now, $2 lease until, $3 owner (as waitsFor reads them), then the event: seq, account, target, tx id, body
  const params: (string | number | null)[] = [
    now,
    lease?.until ?? 0,
    lease?.owner ?? null,
    callbacks.seq,
    callbacks.account,
    callbacks.target,
    callbacks.txId,
    callbacks.body,
  ];
  const values: string[] = [];
  for (const url of callbacks.urls) {
    const at = params.length;
    params.push(url, server.random.uuid());
    const row = { account: '$5', target: '$6', txId: '$7', url: `$${at + 1}`, seq: '$4' };
    const free = lease === undefined ? 'false' : `NOT ${waitsFor(row)}`;
    values.push(
      `($5, $4, $${at + 1}, $${at + 2}, $6, $7, $8, 'pending', 0, $1,
        CASE WHEN ${free} THEN CAST($2 AS BIGINT) ELSE 0 END, CASE WHEN ${free} THEN CAST($3 AS TEXT) END, $1)`,
    );
  }
  const insert = `INSERT INTO srv_callbacks (account, seq, url, id, target, tx_id, body, state, attempts, next_at,
       leased_until, lease_owner, created_at)
     VALUES ${values.join(', ')} ON CONFLICT (account, seq, url) DO NOTHING
     RETURNING ${ROW_COLUMNS}, lease_owner`;
  type Inserted = LeasedRow & { lease_owner: string | null };
  let rows: Inserted[];
  if (done.length === 0) {
    rows = await db.query<Inserted>(insert, params);
  } else if (db.dialect === 'postgres') {
    // one statement: the marked rows are this process's, never the rows inserted
    const at = params.length;
    rows = await db.query<Inserted>(`WITH done AS (${doneSql(db.dialect, `$${at + 1}`, `$${at + 2}`)}) ${insert}`, [
      ...params,
      now,
      JSON.stringify(done),
    ]);
  } else {
    rows = await db.transaction(async (tx) => {
      await tx.run(doneSql(tx.dialect, '$1', '$2'), [now, JSON.stringify(done)]);
      return tx.query<Inserted>(insert, params);
    });
  }
  return lease === undefined ? [] : rows.filter((row) => row.lease_owner === lease.owner).map(toRow);
}

/** The rows were delivered (a 2xx reply). */
export async function markDone(db: SqlExecutor, ids: readonly string[], now: number): Promise<void> {
  await db.run(doneSql(db.dialect, '$1', '$2'), [now, JSON.stringify(ids)]);
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

/**
 * Hands rows `owner` holds back unsent (stopping, their URL failed, or an
 * earlier row of their transaction did): claimable again at `nextAt` at the
 * earliest. A row whose lease another process took since stays its.
 */
export async function release(db: SqlExecutor, ids: readonly string[], nextAt: number, owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db.run(
    `UPDATE srv_callbacks SET leased_until = 0, lease_owner = NULL,
       next_at = CASE WHEN next_at < $1 THEN $1 ELSE next_at END
     WHERE state = 'pending' AND lease_owner = $2 AND id IN (${idsIn(db.dialect, '$3')})`,
    [nextAt, owner, JSON.stringify(ids)],
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
    // typed: PostgreSQL infers text for parameters that are only CASE results
    `DELETE FROM srv_callbacks WHERE state <> 'pending'
       AND finished_at <= CASE WHEN state = 'done' THEN CAST($1 AS BIGINT) ELSE CAST($2 AS BIGINT) END`,
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

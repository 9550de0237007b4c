import type { SqlExecutor } from '@fleetkit/core';
import type { CallbackRow } from './outbox.ts';

// A pending row waits for the earlier pending rows of its transaction and
// URL: at most one row per (transaction, URL) is ever out, so callbacks
// arrive in event order however many senders run.
const FIRST_OF_ITS_TRANSACTION = `NOT EXISTS (SELECT 1 FROM srv_callbacks p WHERE p.state = 'pending'
    AND p.account = c.account AND p.target = c.target AND p.tx_id = c.tx_id AND p.url = c.url AND p.seq < c.seq)`;

/**
 * The claim statement. PostgreSQL, shared by several server processes:
 * `FOR UPDATE SKIP LOCKED` lets each process take rows the others are not
 * taking at that moment, and the lease keeps them its own until it runs out.
 * SQLite has one writer and one server process: the statement is the same
 * without the row locks it does not have.
 */
function claimSql(dialect: SqlExecutor['dialect'], limit: number): string {
  const lock = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  // LIMIT as a literal: SQLite re-prepares a statement whose LIMIT is a bound parameter
  return `UPDATE srv_callbacks SET leased_until = $2, lease_owner = $3
    WHERE id IN (SELECT c.id FROM srv_callbacks c
      WHERE c.state = 'pending' AND c.next_at <= $1 AND c.leased_until <= $1 AND ${FIRST_OF_ITS_TRANSACTION}
      ORDER BY c.next_at, c.seq LIMIT ${limit}${lock})
    RETURNING id, url, body, attempts, created_at, leased_until`;
}

/** Takes up to `limit` due rows for `owner` until `leaseUntil`, oldest due first. */
export async function claimCallbacks(
  db: SqlExecutor,
  claim: { readonly now: number; readonly leaseUntil: number; readonly owner: string; readonly limit: number },
): Promise<CallbackRow[]> {
  const rows = await db.query<CallbackRow>(claimSql(db.dialect, claim.limit), [
    claim.now,
    claim.leaseUntil,
    claim.owner,
  ]);
  return rows.map((row) => ({
    ...row,
    attempts: Number(row.attempts),
    created_at: Number(row.created_at),
    leased_until: Number(row.leased_until),
  }));
}

/**
 * The earliest due time of a pending, unleased row, read along the due
 * index. It may be a row that waits behind an earlier one of its
 * transaction (already due, yet not claimable): the sender then sleeps its
 * longest sleep, and the earlier row finishing wakes it.
 */
export async function nextDue(db: SqlExecutor, now: number): Promise<number | undefined> {
  const [row] = await db.query<{ at: number | string | null }>(
    `SELECT min(next_at) AS at FROM srv_callbacks WHERE state = 'pending' AND leased_until <= $1`,
    [now],
  );
  return row?.at == null ? undefined : Number(row.at);
}

/**
 * At start on SQLite, which one server process owns: leases a stopped or
 * killed process left are void, and every pending row is due now, so what
 * was waiting goes out at once after a restart. On PostgreSQL other live
 * processes may hold those leases and keep the rows' backoff: nothing changes.
 */
export async function resumeAfterRestart(db: SqlExecutor, now: number): Promise<void> {
  if (db.dialect !== 'sqlite') return;
  await db.run(
    `UPDATE srv_callbacks SET leased_until = 0, lease_owner = NULL, next_at = CASE WHEN next_at > $1 THEN $1 ELSE next_at END
     WHERE state = 'pending'`,
    [now],
  );
}

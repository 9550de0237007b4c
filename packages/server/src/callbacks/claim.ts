import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { type CallbackRow, doneSql, type LeasedRow, ROW_COLUMNS, toRow, waitsFor } from './rows.ts';

/** The claimed row's own columns, for {@link waitsFor}. */
const CLAIMED = { account: 'c.account', target: 'c.target', txId: 'c.tx_id', url: 'c.url', seq: 'c.seq' };

/**
 * The claim statement. PostgreSQL, shared by several server processes:
 * `FOR UPDATE SKIP LOCKED` lets each process take rows the others are not
 * taking at that moment, and the lease keeps them its own until it runs out.
 * SQLite has one writer and one server process: the statement is the same
 * without the row locks it does not have. With `done`, PostgreSQL marks the
 * rows sent since the last claim in the same statement (a data-modifying
 * CTE): those rows are held by this process, and a row it holds (even
 * one whose lease ran out) is never claimed again by it.
 */
function claimSql(dialect: SqlExecutor['dialect'], limit: number, done: boolean): string {
  const lock = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const mark = done ? `WITH done AS (${doneSql(dialect, '$4', '$5')}) ` : '';
  // LIMIT as a literal: SQLite re-prepares a statement whose LIMIT is a bound parameter
  return `${mark}UPDATE srv_callbacks SET leased_until = $2, lease_owner = $3
    WHERE id IN (SELECT c.id FROM srv_callbacks c
      WHERE c.state = 'pending' AND c.next_at <= $1 AND c.leased_until <= $1
        AND (c.lease_owner IS NULL OR c.lease_owner <> $3) AND NOT ${waitsFor(CLAIMED)}
      ORDER BY c.next_at, c.seq LIMIT ${limit}${lock})
    RETURNING ${ROW_COLUMNS}`;
}

/** A claim: what to take, and the rows sent since the last claim, to mark done with it. */
export interface Claim {
  readonly now: number;
  readonly leaseUntil: number;
  readonly owner: string;
  readonly limit: number;
  /** Ids of rows delivered (2xx) that this process holds; marked done in the claim's commit. */
  readonly done: readonly string[];
}

/**
 * Takes up to `limit` due rows for `owner` until `leaseUntil`, oldest due
 * first, and marks `done` delivered: one commit for both (one statement on
 * PostgreSQL, one transaction on SQLite).
 */
export async function claimCallbacks(db: SqlDriver, claim: Claim): Promise<CallbackRow[]> {
  const params = [claim.now, claim.leaseUntil, claim.owner];
  let rows: LeasedRow[];
  if (claim.done.length === 0) {
    rows = await db.query<LeasedRow>(claimSql(db.dialect, claim.limit, false), params);
  } else if (db.dialect === 'postgres') {
    rows = await db.query<LeasedRow>(claimSql(db.dialect, claim.limit, true), [
      ...params,
      claim.now,
      JSON.stringify(claim.done),
    ]);
  } else {
    rows = await db.transaction(async (tx) => {
      await tx.run(doneSql(tx.dialect, '$1', '$2'), [claim.now, JSON.stringify(claim.done)]);
      return tx.query<LeasedRow>(claimSql(tx.dialect, claim.limit, false), params);
    });
  }
  return rows.map(toRow).sort((a, b) => a.seq - b.seq);
}

/**
 * The earliest due time after `after` (the last claim's time) of a pending,
 * unleased row, read along the due index. A row due by then was there for
 * that claim to take: if it is still here it waits behind an earlier row of
 * its transaction, and masking a later due time with it would delay a retry.
 */
export async function nextDue(db: SqlExecutor, now: number, after: number): Promise<number | undefined> {
  const [row] = await db.query<{ at: number | string | null }>(
    `SELECT min(next_at) AS at FROM srv_callbacks WHERE state = 'pending' AND leased_until <= $1 AND next_at > $2`,
    [now, after],
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

import type { SqlExecutor } from '@fleetkit/core';
import { type Ctx, type Effects, skipLocked } from './context.ts';
import { afterFinal } from './finish.ts';
import type { TxRow } from './rows.ts';

const SET_TIMED_OUT = `UPDATE txq_tx SET state = 'timed-out', status = 'time-out', finished_at = $1, updated_at = $1, lease_until = NULL,
  result = CASE WHEN cancel_deadline IS NOT NULL AND cancel_deadline <= $1 AND deadline > $1 THEN '{"cancel":"unconfirmed"}' ELSE result END`;

/**
 * Times out due transactions of every target, oldest deadline first, at most
 * `limit` per call. On PostgreSQL `SKIP LOCKED` lets several processes sweep
 * at once without waiting on each other or on a device's call-in.
 */
export async function expireDue(tx: SqlExecutor, ctx: Ctx, fx: Effects, now: number, limit: number): Promise<number> {
  let n = 0;
  for (const column of ['deadline', 'cancel_deadline'] as const) {
    // PostgreSQL plans the join of the picked ctids as a nested loop of TID
    // lookups only when hash and merge joins are off: otherwise a plan made
    // when many rows looked due on a table of a few thousand rows hashes a
    // scan of the whole table, and a connection keeps its plan (test:
    // sweep-plan.postgres.node.test.ts). Off for this statement only (SET
    // LOCAL, restored before anything else is planned in the transaction).
    const saved = ctx.pg ? await tx.query<{ h: string; m: string }>(JOINS_OFF) : [];
    const rows = await tx.query<TxRow>(sweepSql(ctx, column, limit), [now]);
    if (saved[0]) await tx.run(JOINS_RESTORE, [saved[0].h, saved[0].m]);
    await afterFinal(tx, ctx, fx, rows, now);
    n = Math.max(n, rows.length);
  }
  return n;
}

export const JOINS_OFF = `SELECT current_setting('enable_hashjoin') AS h, current_setting('enable_mergejoin') AS m,
  set_config('enable_hashjoin', 'off', true) AS h_off, set_config('enable_mergejoin', 'off', true) AS m_off`;
const JOINS_RESTORE = `SELECT set_config('enable_hashjoin', $1, true), set_config('enable_mergejoin', $2, true)`;

/**
 * The sweep's statement for one deadline column. On PostgreSQL the update
 * joins the locked rows by ctid, planned as a nested loop of TID lookups
 * (as the call-in's, pg-fast.ts), with hash and merge joins off while it
 * is planned (expireDue). `ctid = ANY(ARRAY(…))` was not: prepared
 * while the table was empty, its generic plan read every open row of
 * `txq_tx` through the pending index and filtered them by ctid, once a
 * second for the connection's life (docs/decisions/txqueue-004-cpu-per-cycle.md).
 */
export function sweepSql(ctx: Pick<Ctx, 'pg'>, column: 'deadline' | 'cancel_deadline', limit: number): string {
  const due = `WITH due AS MATERIALIZED (SELECT ${ctx.pg ? 'ctid' : 'target, id'} FROM txq_tx
         WHERE finished_at IS NULL AND total IS NULL AND ${column} <= $1 ORDER BY ${column} LIMIT ${Math.trunc(limit)}${skipLocked(ctx)})`;
  return ctx.pg
    ? `${due} ${SET_TIMED_OUT.replace('UPDATE txq_tx SET', 'UPDATE txq_tx t SET')} FROM due WHERE t.ctid = due.ctid AND t.finished_at IS NULL RETURNING t.*`
    : `${due} ${SET_TIMED_OUT} WHERE (target, id) IN (SELECT target, id FROM due) AND finished_at IS NULL RETURNING *`;
}

/** Times out the due transactions of one device (call-in and ack check first). */
export async function expireDevice(tx: SqlExecutor, ctx: Ctx, fx: Effects, key: string, now: number): Promise<void> {
  const rows = await tx.query<TxRow>(
    `${SET_TIMED_OUT} WHERE target = $2 AND finished_at IS NULL AND (deadline <= $1 OR cancel_deadline <= $1) RETURNING *`,
    [now, key],
  );
  if (rows.length > 0) await afterFinal(tx, ctx, fx, rows, now);
}

/** Times out one transaction if it is due; returns whether it did. */
export async function expireOne(tx: SqlExecutor, ctx: Ctx, fx: Effects, row: TxRow, now: number): Promise<boolean> {
  const rows = await tx.query<TxRow>(
    `${SET_TIMED_OUT} WHERE target = $2 AND id = $3 AND finished_at IS NULL AND (deadline <= $1 OR cancel_deadline <= $1) RETURNING *`,
    [now, row.target, row.id],
  );
  await afterFinal(tx, ctx, fx, rows, now);
  return rows.length > 0;
}

/** The earliest open deadline, to arm the timer. */
export async function nextDeadline(ex: SqlExecutor): Promise<number | undefined> {
  const [a] = await ex.query<{ d: number | null }>(
    'SELECT MIN(deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND total IS NULL',
  );
  const [b] = await ex.query<{ d: number | null }>(
    'SELECT MIN(cancel_deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL',
  );
  const ds = [a?.d, b?.d].filter((d): d is number => d !== null && d !== undefined).map(Number);
  return ds.length === 0 ? undefined : Math.min(...ds);
}

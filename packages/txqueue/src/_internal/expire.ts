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
  for (const column of ['deadline', 'cancel_deadline']) {
    // PostgreSQL finds the locked rows by ctid (a TID scan, whatever the statistics)
    const [pick, match] = ctx.pg ? ['ctid', 'ctid = ANY(ARRAY(SELECT ctid FROM due))'] : ['target, id', '(target, id) IN (SELECT target, id FROM due)'];
    const rows = await tx.query<TxRow>(
      `WITH due AS MATERIALIZED (SELECT ${pick} FROM txq_tx
         WHERE finished_at IS NULL AND total IS NULL AND ${column} <= $1 ORDER BY ${column} LIMIT ${Math.trunc(limit)}${skipLocked(ctx)})
       ${SET_TIMED_OUT} WHERE ${match} AND finished_at IS NULL RETURNING *`,
      [now],
    );
    await afterFinal(tx, ctx, fx, rows, now);
    n = Math.max(n, rows.length);
  }
  return n;
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
  const [a] = await ex.query<{ d: number | null }>('SELECT MIN(deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND total IS NULL');
  const [b] = await ex.query<{ d: number | null }>('SELECT MIN(cancel_deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL');
  const ds = [a?.d, b?.d].filter((d): d is number => d !== null && d !== undefined).map(Number);
  return ds.length === 0 ? undefined : Math.min(...ds);
}

import type { SqlExecutor } from '@fleetkit/core';
import type { Operation } from './context.ts';
import { afterFinal } from './finish.ts';
import type { TxRow } from './rows.ts';

/** Ends open rows with time-out; an unconfirmed cancel whose own deadline passed first says so in the result. */
export const SET_TIMED_OUT = `UPDATE txq_tx SET state = 'timed-out', status = 'time-out', finished_at = $1, updated_at = $1, lease_until = NULL,
  result = CASE WHEN cancel_deadline IS NOT NULL AND cancel_deadline <= $1 AND deadline > $1 THEN '{"cancel":"unconfirmed"}' ELSE result END`;

/**
 * Times out due transactions of every target, oldest deadline first, at most
 * `limit` per deadline column (each dialect's `timeOutDue`: on PostgreSQL
 * several processes sweep at once without waiting on each other).
 */
export async function expireDue(operation: Operation, limit: number): Promise<number> {
  let most = 0;
  for (const column of ['deadline', 'cancel_deadline'] as const) {
    const rows = await operation.context.dialect.timeOutDue(operation.sql, column, limit, operation.now);
    await afterFinal(operation, rows);
    most = Math.max(most, rows.length);
  }
  return most;
}

/** Times out the due transactions of one device (call-in and ack check first). */
export async function expireDevice(operation: Operation, key: string): Promise<void> {
  const rows = await operation.sql.query<TxRow>(
    `${SET_TIMED_OUT} WHERE target = $2 AND finished_at IS NULL AND (deadline <= $1 OR cancel_deadline <= $1) RETURNING *`,
    [operation.now, key],
  );
  if (rows.length > 0) await afterFinal(operation, rows);
}

/** Times out one transaction if it is due; returns whether it did. */
export async function expireOne(operation: Operation, row: TxRow): Promise<boolean> {
  const rows = await operation.sql.query<TxRow>(
    `${SET_TIMED_OUT} WHERE target = $2 AND id = $3 AND finished_at IS NULL AND (deadline <= $1 OR cancel_deadline <= $1) RETURNING *`,
    [operation.now, row.target, row.id],
  );
  await afterFinal(operation, rows);
  return rows.length > 0;
}

/** The earliest open deadline, to arm the timer. */
export async function nextDeadline(executor: SqlExecutor): Promise<number | undefined> {
  const [deadline] = await executor.query<{ d: number | null }>(
    'SELECT MIN(deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND total IS NULL',
  );
  const [cancelDeadline] = await executor.query<{ d: number | null }>(
    'SELECT MIN(cancel_deadline) AS d FROM txq_tx WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL',
  );
  const due = [deadline?.d, cancelDeadline?.d].filter((d): d is number => d !== null && d !== undefined).map(Number);
  return due.length === 0 ? undefined : Math.min(...due);
}

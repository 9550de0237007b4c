import type { SqlValue } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { Operation } from './context.ts';
import { afterFinal, settleParent } from './finish.ts';
import { recordEvent } from './outbox.ts';
import { isFinal, type TxRow } from './rows.ts';

/**
 * Cancels a transaction: a queued one at once; a delivered one by asking the
 * device (the next call-in hands out `action: 'cancel'`) with its own
 * deadline, after which it ends `time-out`. A group transaction cancels
 * every open child and ends when they all have. Final ones are left as they are.
 */
export async function requestCancel(operation: Operation, key: string, id: number): Promise<TxRow> {
  const { sql } = operation;
  const [row] = await sql.query<TxRow>(
    `SELECT * FROM txq_tx WHERE target = $1 AND id = $2${operation.context.dialect.forUpdate}`,
    [key, id],
  );
  if (!row) {
    throw new TxQueueError(
      TxQueueErrorCode.NotFound,
      `Cannot cancel transaction ${id} of ${key.slice(2)}: it does not exist`,
      {
        details: { target: key.slice(2), transactionId: id },
      },
    );
  }
  if (isFinal(row) || row.state === 'cancelling') return row;
  if (row.total !== null) return cancelGroup(operation, row);
  await cancelRows(operation, 'target = $1 AND id = $2', [key, id]);
  const [after] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [key, id]);
  return after!;
}

async function cancelGroup(operation: Operation, parent: TxRow): Promise<TxRow> {
  const { sql } = operation;
  const [marked] = await sql.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelling', updated_at = $3 WHERE target = $1 AND id = $2 RETURNING *`,
    [parent.target, parent.id, operation.now],
  );
  await recordEvent(operation, marked!, 'cancel-requested', 'accepted');
  await cancelRows(operation, 'parent_target = $1 AND parent_id = $2', [parent.target, parent.id]);
  const [after] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [
    parent.target,
    parent.id,
  ]);
  // every child may have been final already (or there were none)
  if (after!.finished_at === null && Number(after!.finished) >= Number(after!.total)) {
    await settleParent(operation, after!);
    const [done] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [
      parent.target,
      parent.id,
    ]);
    return done!;
  }
  return after!;
}

/** Cancels the open rows matching `where` ($1, $2 bound to `params`). */
export async function cancelRows(
  operation: Operation,
  where: string,
  params: readonly [SqlValue, SqlValue],
): Promise<void> {
  const { sql, effects, now } = operation;
  const cancelled = await sql.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelled', status = 'cancelled', finished_at = $3, updated_at = $3, lease_until = NULL
     WHERE ${where} AND state = 'queued' AND finished_at IS NULL RETURNING *`,
    [...params, now],
  );
  await afterFinal(operation, cancelled);
  const cancelDeadline = now + operation.context.cancelTimeoutMs;
  const asked = await sql.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelling', cancel_deadline = $4, lease_until = NULL, updated_at = $3
     WHERE ${where} AND state IN ('delivered', 'in-progress') AND finished_at IS NULL RETURNING *`,
    [...params, now, cancelDeadline],
  );
  for (const row of asked) {
    if (row.parent_target === null) await recordEvent(operation, row, 'cancel-requested', 'accepted');
    effects.wake.add(row.target);
  }
  if (asked.length > 0) effects.deadline = Math.min(effects.deadline, cancelDeadline);
}

import type { SqlExecutor, SqlValue } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import { type Ctx, type Effects, forUpdate } from './context.ts';
import { afterFinal, settleParent } from './finish.ts';
import { recordEvent } from './outbox.ts';
import { isFinal, type TxRow } from './rows.ts';

/**
 * Cancels a transaction: a queued one at once; a delivered one by asking the
 * device (the next call-in hands out `action: 'cancel'`) with its own
 * deadline, after which it ends `time-out`. A group transaction cancels
 * every open child and ends when they all have. Final ones are left as they are.
 */
export async function requestCancel(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  key: string,
  id: number,
  now: number,
): Promise<TxRow> {
  const [row] = await tx.query<TxRow>(`SELECT * FROM txq_tx WHERE target = $1 AND id = $2${forUpdate(ctx)}`, [key, id]);
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
  if (row.total !== null) return cancelGroup(tx, ctx, fx, row, now);
  await cancelRows(tx, ctx, fx, 'target = $1 AND id = $2', [key, id], now);
  const [after] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [key, id]);
  return after!;
}

async function cancelGroup(tx: SqlExecutor, ctx: Ctx, fx: Effects, parent: TxRow, now: number): Promise<TxRow> {
  const [marked] = await tx.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelling', updated_at = $3 WHERE target = $1 AND id = $2 RETURNING *`,
    [parent.target, parent.id, now],
  );
  await recordEvent(tx, fx, marked!, 'cancel-requested', now, 'accepted');
  await cancelRows(tx, ctx, fx, 'parent_target = $1 AND parent_id = $2', [parent.target, parent.id], now);
  const [after] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [
    parent.target,
    parent.id,
  ]);
  // every child may have been final already (or there were none)
  if (after!.finished_at === null && Number(after!.finished) >= Number(after!.total)) {
    await settleParent(tx, fx, after!, now);
    const [done] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [
      parent.target,
      parent.id,
    ]);
    return done!;
  }
  return after!;
}

/** Cancels the open rows matching `where` ($1, $2 bound to `params`). */
export async function cancelRows(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  where: string,
  params: readonly [SqlValue, SqlValue],
  now: number,
): Promise<void> {
  const cancelled = await tx.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelled', status = 'cancelled', finished_at = $3, updated_at = $3, lease_until = NULL
     WHERE ${where} AND state = 'queued' AND finished_at IS NULL RETURNING *`,
    [...params, now],
  );
  await afterFinal(tx, ctx, fx, cancelled, now);
  const cancelDeadline = now + ctx.cancelTimeoutMs;
  const asked = await tx.query<TxRow>(
    `UPDATE txq_tx SET state = 'cancelling', cancel_deadline = $4, lease_until = NULL, updated_at = $3
     WHERE ${where} AND state IN ('delivered', 'in-progress') AND finished_at IS NULL RETURNING *`,
    [...params, now, cancelDeadline],
  );
  for (const row of asked) {
    if (row.parent_target === null) await recordEvent(tx, fx, row, 'cancel-requested', now, 'accepted');
    fx.wake.add(row.target);
  }
  if (asked.length > 0) fx.deadline = Math.min(fx.deadline, cancelDeadline);
}

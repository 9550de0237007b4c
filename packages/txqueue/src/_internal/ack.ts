import type { AckInput, AckRejection } from '../types.ts';
import type { Operation } from './context.ts';
import { expireOne } from './expire.ts';
import { afterFinal } from './finish.ts';
import { recordEvent } from './outbox.ts';
import { isFinal, plainRow, type TxRow } from './rows.ts';

/** An ack decision before the public `Transaction` view is attached. */
export type RawAckOutcome =
  | { readonly outcome: 'applied' | 'duplicate'; readonly row: TxRow }
  | { readonly outcome: 'rejected'; readonly reason: AckRejection; readonly row?: TxRow };

/**
 * Applies a device's ack (manual §7.2 steps 15–16). Checks run in an order
 * that never applies a late, stale or foreign ack: unknown id, then a final
 * transaction (an identical repeat is a duplicate), then the attempt fence,
 * then the deadline.
 */
export async function applyAck(operation: Operation, key: string, input: AckInput): Promise<RawAckOutcome> {
  const { sql, now } = operation;
  const [row] = await sql.query<TxRow>(
    `SELECT * FROM txq_tx WHERE target = $1 AND id = $2${operation.context.dialect.forUpdate}`,
    [key, input.transactionId],
  );
  if (!row) return { outcome: 'rejected', reason: 'unknown-transaction' };
  if (isFinal(row)) return finalOutcome(row, input);
  const attempt = Number(row.attempt);
  if (attempt === 0 || input.attempt > attempt) return { outcome: 'rejected', reason: 'not-delivered', row };
  if (input.attempt < attempt) return { outcome: 'rejected', reason: 'stale-attempt', row };
  const due = Number(row.deadline) <= now || (row.cancel_deadline !== null && Number(row.cancel_deadline) <= now);
  if (due && (await expireOne(operation, row))) {
    const [expired] = await sql.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [
      key,
      input.transactionId,
    ]);
    return { outcome: 'rejected', reason: 'timed-out', row: expired! };
  }
  if (input.status === 'progress') return progress(operation, row, input);
  if (input.status === 'cancelled' && row.state !== 'cancelling')
    return { outcome: 'rejected', reason: 'not-cancelling', row };
  const state = input.status === 'complete' ? 'complete' : input.status === 'cancelled' ? 'cancelled' : 'failed';
  // the row is locked (FOR UPDATE / SQLite's single writer): update it without RETURNING
  const done: TxRow = {
    ...plainRow(row),
    state,
    status: input.status,
    result: input.result === undefined ? null : JSON.stringify(input.result),
    finished_at: now,
    updated_at: now,
    lease_until: null,
  };
  await sql.run(
    'UPDATE txq_tx SET state = $3, status = $4, result = $5, finished_at = $6, updated_at = $6, lease_until = NULL WHERE target = $1 AND id = $2',
    [key, input.transactionId, done.state, done.status, done.result, now],
  );
  await afterFinal(operation, [done]);
  return { outcome: 'applied', row: done };
}

function finalOutcome(row: TxRow, input: AckInput): RawAckOutcome {
  const same =
    Number(row.attempt) === input.attempt &&
    ((row.state === 'complete' && input.status === 'complete') ||
      (row.state === 'cancelled' && input.status === 'cancelled') ||
      (row.state === 'failed' && row.status === input.status));
  if (same) return { outcome: 'duplicate', row };
  const reason: AckRejection =
    row.state === 'timed-out' ? 'timed-out' : row.state === 'cancelled' ? 'cancelled' : 'already-final';
  return { outcome: 'rejected', reason, row };
}

async function progress(operation: Operation, row: TxRow, input: AckInput): Promise<RawAckOutcome> {
  const { now } = operation;
  const detail = input.progress === undefined ? null : JSON.stringify(input.progress);
  // a progress report repeated word for word changes nothing: idempotent
  if (row.state !== 'delivered' && row.progress === detail) return { outcome: 'duplicate', row };
  const updated: TxRow = {
    ...plainRow(row),
    state: row.state === 'cancelling' ? row.state : 'in-progress',
    progress: detail,
    lease_until: now + operation.context.redeliverAfterMs,
    updated_at: now,
  };
  await operation.sql.run(
    'UPDATE txq_tx SET state = $3, progress = $4, lease_until = $5, updated_at = $6 WHERE target = $1 AND id = $2',
    [row.target, row.id, updated.state, detail, updated.lease_until, now],
  );
  if (updated.parent_target === null) await recordEvent(operation, updated, 'progress', 'accepted');
  return { outcome: 'applied', row: updated };
}

import type { StatusCode } from '../status.ts';
import type { Operation } from './context.ts';
import { recordEvent, recordMemberEvent } from './outbox.ts';
import { memberEvents, type TxRow } from './rows.ts';

/** The sub-transactions of one group transaction that have just finished. */
interface FinishedChildren {
  readonly target: string;
  readonly id: number;
  readonly rows: TxRow[];
}

/**
 * After rows reached a final state: a final event for each stand-alone
 * transaction; for sub-transactions, one counter update per parent, then,
 * if the parent asked for them, a `member` event per child (manual §5.8),
 * then the parent's `progress` event, or its `final` one when its last
 * child is final (manual §7.3 steps 14–18).
 */
export async function afterFinal(operation: Operation, rows: readonly TxRow[]): Promise<void> {
  const parents = new Map<string, FinishedChildren>();
  for (const row of rows) {
    if (row.parent_target === null) {
      await recordEvent(operation, row, 'final');
      continue;
    }
    const key = `${row.parent_target}#${row.parent_id}`;
    let children = parents.get(key);
    if (!children) {
      children = { target: row.parent_target, id: Number(row.parent_id), rows: [] };
      parents.set(key, children);
    }
    children.rows.push(row);
  }
  for (const children of parents.values()) await bumpParent(operation, children);
}

async function bumpParent(operation: Operation, children: FinishedChildren): Promise<void> {
  const count = (state: string): number => children.rows.filter((r) => r.state === state).length;
  const [parent] = await operation.sql.query<TxRow>(
    `UPDATE txq_tx SET finished = finished + $3, n_complete = n_complete + $4, n_timed_out = n_timed_out + $5,
       n_cancelled = n_cancelled + $6, updated_at = $7, state = CASE WHEN state = 'queued' THEN 'in-progress' ELSE state END
     WHERE target = $1 AND id = $2 AND finished_at IS NULL RETURNING *`,
    [
      children.target,
      children.id,
      children.rows.length,
      count('complete'),
      count('timed-out'),
      count('cancelled'),
      operation.now,
    ],
  );
  if (!parent) {
    operation.context.logger.error('sub-transaction finished under a final or missing group transaction', {
      target: children.target,
      id: children.id,
    });
    return;
  }
  if (memberEvents(parent)) for (const child of children.rows) await recordMemberEvent(operation, parent, child);
  await settleParent(operation, parent);
}

/** Finishes a group transaction whose children are all final; otherwise reports progress. */
export async function settleParent(operation: Operation, parent: TxRow): Promise<void> {
  const total = Number(parent.total);
  const finished = Number(parent.finished);
  if (finished < total) {
    await recordEvent(operation, parent, 'progress', 'accepted');
    return;
  }
  const [state, status] = aggregate(parent);
  const [done] = await operation.sql.query<TxRow>(
    `UPDATE txq_tx SET state = $3, status = $4, finished_at = $5, updated_at = $5
     WHERE target = $1 AND id = $2 AND finished_at IS NULL RETURNING *`,
    [parent.target, parent.id, state, status, operation.now],
  );
  if (done) await recordEvent(operation, done, 'final');
}

// The documented aggregate rule (README "Group transactions"): a cancel of
// the whole group ends it cancelled (unless every child completed); otherwise cancelled children (a member
// left, or the caller cancelled that device) do not count, and the rest
// decide: all complete → complete; all that did not complete timed out →
// time-out; else device-error, per-device outcome in `subTransactions()`.
function aggregate(parent: TxRow): [string, StatusCode] {
  const complete = Number(parent.n_complete);
  // a cancel that came after every device finished changes nothing
  if (complete === Number(parent.total)) return ['complete', 'complete'];
  if (parent.state === 'cancelling') return ['cancelled', 'cancelled'];
  const counted = Number(parent.total) - Number(parent.n_cancelled);
  if (complete === counted) return ['complete', 'complete'];
  if (Number(parent.n_timed_out) === counted - complete) return ['timed-out', 'time-out'];
  return ['failed', 'device-error'];
}

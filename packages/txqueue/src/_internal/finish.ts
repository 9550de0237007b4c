import type { SqlExecutor } from '@fleetkit/core';
import type { StatusCode } from '../status.ts';
import type { Ctx, Effects } from './context.ts';
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
export async function afterFinal(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  rows: readonly TxRow[],
  now: number,
): Promise<void> {
  const parents = new Map<string, FinishedChildren>();
  for (const row of rows) {
    if (row.parent_target === null) {
      await recordEvent(tx, fx, row, 'final', now);
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
  for (const children of parents.values()) await bumpParent(tx, ctx, fx, children, now);
}

async function bumpParent(tx: SqlExecutor, ctx: Ctx, fx: Effects, c: FinishedChildren, now: number): Promise<void> {
  const count = (state: string): number => c.rows.filter((r) => r.state === state).length;
  const [parent] = await tx.query<TxRow>(
    `UPDATE txq_tx SET finished = finished + $3, n_complete = n_complete + $4, n_timed_out = n_timed_out + $5,
       n_cancelled = n_cancelled + $6, updated_at = $7, state = CASE WHEN state = 'queued' THEN 'in-progress' ELSE state END
     WHERE target = $1 AND id = $2 AND finished_at IS NULL RETURNING *`,
    [c.target, c.id, c.rows.length, count('complete'), count('timed-out'), count('cancelled'), now],
  );
  if (!parent) {
    ctx.logger.error('sub-transaction finished under a final or missing group transaction', {
      target: c.target,
      id: c.id,
    });
    return;
  }
  if (memberEvents(parent)) for (const child of c.rows) await recordMemberEvent(tx, fx, parent, child, now);
  await settleParent(tx, fx, parent, now);
}

/** Finishes a group transaction whose children are all final; otherwise reports progress. */
export async function settleParent(tx: SqlExecutor, fx: Effects, parent: TxRow, now: number): Promise<void> {
  const total = Number(parent.total);
  const finished = Number(parent.finished);
  if (finished < total) {
    await recordEvent(tx, fx, parent, 'progress', now, 'accepted');
    return;
  }
  const [state, status] = aggregate(parent);
  const [done] = await tx.query<TxRow>(
    `UPDATE txq_tx SET state = $3, status = $4, finished_at = $5, updated_at = $5
     WHERE target = $1 AND id = $2 AND finished_at IS NULL RETURNING *`,
    [parent.target, parent.id, state, status, now],
  );
  if (done) await recordEvent(tx, fx, done, 'final', now);
}

// The documented aggregate rule (README "Group transactions"): a cancel of
// the whole group ends it cancelled (unless every child completed); otherwise cancelled children (a member
// left, or the caller cancelled that device) do not count, and the rest
// decide: all complete → complete; all that did not complete timed out →
// time-out; else device-error, per-device outcome in `subTransactions()`.
function aggregate(p: TxRow): [string, StatusCode] {
  const complete = Number(p.n_complete);
  // a cancel that came after every device finished changes nothing
  if (complete === Number(p.total)) return ['complete', 'complete'];
  if (p.state === 'cancelling') return ['cancelled', 'cancelled'];
  const counted = Number(p.total) - Number(p.n_cancelled);
  if (complete === counted) return ['complete', 'complete'];
  if (Number(p.n_timed_out) === counted - complete) return ['timed-out', 'time-out'];
  return ['failed', 'device-error'];
}

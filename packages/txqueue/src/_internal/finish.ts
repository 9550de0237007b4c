import type { SqlExecutor } from '@fleetkit/core';
import type { StatusCode } from '../status.ts';
import type { Ctx, Effects } from './context.ts';
import { recordEvent } from './outbox.ts';
import type { TxRow } from './rows.ts';

interface Delta {
  finished: number;
  complete: number;
  timedOut: number;
  cancelled: number;
}

/**
 * After rows reached a final state: a final event for each stand-alone
 * transaction; for sub-transactions, one counter update per parent, which
 * completes the parent when its last child is final (manual §7.3 steps 14–18).
 */
export async function afterFinal(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  rows: readonly TxRow[],
  now: number,
): Promise<void> {
  const parents = new Map<string, { target: string; id: number; delta: Delta }>();
  for (const row of rows) {
    if (row.parent_target === null) {
      await recordEvent(tx, fx, row, 'final', now);
      continue;
    }
    const key = `${row.parent_target}#${row.parent_id}`;
    let p = parents.get(key);
    if (!p) {
      p = {
        target: row.parent_target,
        id: Number(row.parent_id),
        delta: { finished: 0, complete: 0, timedOut: 0, cancelled: 0 },
      };
      parents.set(key, p);
    }
    p.delta.finished++;
    if (row.state === 'complete') p.delta.complete++;
    else if (row.state === 'timed-out') p.delta.timedOut++;
    else if (row.state === 'cancelled') p.delta.cancelled++;
  }
  for (const p of parents.values()) await bumpParent(tx, ctx, fx, p.target, p.id, p.delta, now);
}

async function bumpParent(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  target: string,
  id: number,
  d: Delta,
  now: number,
): Promise<void> {
  const [parent] = await tx.query<TxRow>(
    `UPDATE txq_tx SET finished = finished + $3, n_complete = n_complete + $4, n_timed_out = n_timed_out + $5,
       n_cancelled = n_cancelled + $6, updated_at = $7, state = CASE WHEN state = 'queued' THEN 'in-progress' ELSE state END
     WHERE target = $1 AND id = $2 AND finished_at IS NULL RETURNING *`,
    [target, id, d.finished, d.complete, d.timedOut, d.cancelled, now],
  );
  if (!parent) {
    ctx.logger.error('sub-transaction finished under a final or missing group transaction', { target, id });
    return;
  }
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

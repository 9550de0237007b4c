import type { Delivery } from '../types.ts';
import type { Operation } from './context.ts';
import { expireDevice } from './expire.ts';
import { recordEvent } from './outbox.ts';
import { plainRow, type TxRow, toDelivery } from './rows.ts';

/**
 * Hands a device its open transactions in id order (manual §7.2 steps
 * 12–13). Each one not already held by a live delivery gets a new attempt
 * number and a lease of `redeliverAfterMs`; a pending cancel is handed out
 * under the attempt it cancels, so the device's answer for that attempt —
 * either `complete` or `cancelled` — still counts. The general call-in, of a
 * dialect without a one-statement one (SQLite): one write transaction runs
 * at a time there, so nothing else claims the rows it reads.
 */
export async function claimDeliveries(operation: Operation, key: string, limit: number): Promise<Delivery[]> {
  const { sql, context, now } = operation;
  // statements without RETURNING and rows updated in JS: on SQLite a
  // RETURNING clause costs more than the write itself (benchmarks/txqueue)
  // the due probe rides on the pick, one statement fewer per call-in (it is
  // uncorrelated: evaluated once); only a pick that found nothing runs it
  // alone. LIMIT is a literal (limit is a checked integer): SQLite
  // re-prepares a statement whose LIMIT parameter is bound again, on every call
  const due = `SELECT 1 FROM txq_tx d WHERE d.target = $1 AND d.finished_at IS NULL AND (d.deadline <= $2 OR d.cancel_deadline <= $2) LIMIT 1`;
  const pick = (): Promise<(TxRow & { readonly due_any: number | null })[]> =>
    sql.query(
      `SELECT *, (${due}) AS due_any FROM txq_tx WHERE target = $1 AND finished_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)
       ORDER BY id LIMIT ${Math.trunc(limit)}`,
      [key, now],
    );
  let open = await pick();
  if (open.length > 0 ? open[0]!.due_any !== null : (await sql.query(due, [key, now])).length > 0) {
    await expireDevice(operation, key);
    // overdue ones are never handed out: pick again once they ended
    if (open.length > 0) open = await pick();
  }
  const rows: TxRow[] = [];
  for (const picked of open) {
    const row: TxRow = {
      ...plainRow(picked),
      attempt: picked.state === 'cancelling' ? Number(picked.attempt) : Number(picked.attempt) + 1,
      state: picked.state === 'queued' ? 'delivered' : picked.state,
      lease_until: now + context.redeliverAfterMs,
      updated_at: now,
    };
    await sql.run(
      'UPDATE txq_tx SET attempt = $3, state = $4, lease_until = $5, updated_at = $6 WHERE target = $1 AND id = $2',
      [key, row.id, row.attempt, row.state, row.lease_until, now],
    );
    rows.push(row);
  }
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  const out: Delivery[] = [];
  for (const row of rows) {
    // the first hand-over is the queued → delivered transition
    if (Number(row.attempt) === 1 && row.state === 'delivered' && row.parent_target === null) {
      await recordEvent(operation, row, 'delivered', 'device-connected');
    }
    out.push(toDelivery(row, await context.payloads.of(sql, row)));
  }
  return out;
}

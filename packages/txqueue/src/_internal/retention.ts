import type { SqlExecutor } from '@fleetkit/core';
import type { Dialect } from '../dialects/dialect.ts';

/**
 * Finished transactions found by when they finished: stand-alone ones and
 * group transactions (a group's sub-transactions go with it). Made only
 * when a queue retains finished rows for a limited time: every finishing
 * ack then writes one entry more (one more page per SQLite commit).
 */
export const FINISHED_INDEX = `CREATE INDEX IF NOT EXISTS txq_tx_finished ON txq_tx (finished_at)
  WHERE finished_at IS NOT NULL AND parent_target IS NULL`;

/**
 * Deletes up to `limit` stand-alone and group transactions that finished
 * at or before `before`, each group's sub-transactions with it; returns how
 * many it picked and how many rows it deleted. An open group keeps its
 * finished sub-transactions (its per-device results). Pending events are
 * kept: their bodies are whole. On PostgreSQL `SKIP LOCKED` lets processes purge at once;
 * ids stay unique (PostgreSQL: the counter rows; SQLite: the `txq_tx_ids`
 * trigger records a target's highest deleted id).
 */
export async function purgeFinished(
  sql: SqlExecutor,
  dialect: Dialect,
  before: number,
  limit: number,
): Promise<{ picked: number; deleted: number }> {
  const picked = await sql.query<{ target: string; id: number }>(
    `SELECT target, id FROM txq_tx WHERE finished_at IS NOT NULL AND parent_target IS NULL AND finished_at <= $1
     ORDER BY finished_at LIMIT ${Math.trunc(limit)}${dialect.skipLocked}`,
    [before],
  );
  if (picked.length === 0) return { picked: 0, deleted: 0 };
  const list = JSON.stringify(picked.map((row) => [row.target, Number(row.id)]));
  // sub-transactions first (by the parent index), then the picked rows by key
  const pairs = dialect.jsonPairs('$1');
  const children = await sql.run(
    `DELETE FROM txq_tx WHERE parent_target IS NOT NULL AND (parent_target, parent_id) IN (${pairs})`,
    [list],
  );
  const own = await sql.run(`DELETE FROM txq_tx WHERE (target, id) IN (${pairs})`, [list]);
  return { picked: picked.length, deleted: children.changes + own.changes };
}

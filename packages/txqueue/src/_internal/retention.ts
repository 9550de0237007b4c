import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { type Ctx, skipLocked } from './context.ts';
import { SCHEMA_LOCK } from './schema.ts';

/**
 * Finished transactions found by when they finished: stand-alone ones and
 * group transactions (a group's sub-transactions go with it). Made only
 * when a queue retains finished rows for a limited time: every finishing
 * ack then writes one entry more (one more page per SQLite commit).
 */
const FINISHED_INDEX = `CREATE INDEX IF NOT EXISTS txq_tx_finished ON txq_tx (finished_at)
  WHERE finished_at IS NOT NULL AND parent_target IS NULL`;

export async function ensureFinishedIndex(db: SqlDriver): Promise<void> {
  if (db.dialect === 'sqlite') return db.exec(FINISHED_INDEX);
  await db.transaction(async (tx) => {
    await tx.run(SCHEMA_LOCK);
    await tx.run(FINISHED_INDEX);
  });
}

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
  tx: SqlExecutor,
  ctx: Pick<Ctx, 'pg'>,
  before: number,
  limit: number,
): Promise<{ picked: number; deleted: number }> {
  const picked = await tx.query<{ target: string; id: number }>(
    `SELECT target, id FROM txq_tx WHERE finished_at IS NOT NULL AND parent_target IS NULL AND finished_at <= $1
     ORDER BY finished_at LIMIT ${Math.trunc(limit)}${skipLocked(ctx)}`,
    [before],
  );
  if (picked.length === 0) return { picked: 0, deleted: 0 };
  const list = JSON.stringify(picked.map((p) => [p.target, Number(p.id)]));
  // sub-transactions first (by the parent index), then the picked rows by key
  const pairs = ctx.pg
    ? `SELECT p->>0 AS target, (p->>1)::bigint AS id FROM jsonb_array_elements($1::jsonb) AS j(p)`
    : `SELECT json_extract(j.value, '$[0]') AS target, json_extract(j.value, '$[1]') AS id FROM json_each($1) AS j`;
  const children = await tx.run(
    `DELETE FROM txq_tx WHERE parent_target IS NOT NULL AND (parent_target, parent_id) IN (${pairs})`,
    [list],
  );
  const own = await tx.run(`DELETE FROM txq_tx WHERE (target, id) IN (${pairs})`, [list]);
  return { picked: picked.length, deleted: children.changes + own.changes };
}

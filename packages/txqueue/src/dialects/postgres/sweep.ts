import type { SqlExecutor } from '@fleetkit/core';
import { SET_TIMED_OUT } from '../../_internal/expire.ts';
import type { TxRow } from '../../_internal/rows.ts';
import type { DeadlineColumn } from '../dialect.ts';

export const JOINS_OFF = `SELECT current_setting('enable_hashjoin') AS h, current_setting('enable_mergejoin') AS m,
  set_config('enable_hashjoin', 'off', true) AS h_off, set_config('enable_mergejoin', 'off', true) AS m_off`;
const JOINS_RESTORE = `SELECT set_config('enable_hashjoin', $1, true), set_config('enable_mergejoin', $2, true)`;

/**
 * The sweep's statement for one deadline column: the update joins the
 * locked rows by ctid, planned as a nested loop of TID lookups (as the
 * call-in's, fast.ts), with hash and merge joins off while it is planned
 * ({@link timeOutDuePostgres}). `ctid = ANY(ARRAY(…))` was not: prepared
 * while the table was empty, its generic plan read every open row of
 * `txq_tx` through the pending index and filtered them by ctid, once a
 * second for the connection's life (docs/decisions/txqueue-004-cpu-per-cycle.md).
 * `SKIP LOCKED` lets several processes sweep at once without waiting on
 * each other or on a device's call-in.
 */
export function sweepSql(column: DeadlineColumn, limit: number): string {
  return `WITH due AS MATERIALIZED (SELECT ctid FROM txq_tx
         WHERE finished_at IS NULL AND total IS NULL AND ${column} <= $1 ORDER BY ${column} LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED)
     ${SET_TIMED_OUT.replace('UPDATE txq_tx SET', 'UPDATE txq_tx t SET')} FROM due WHERE t.ctid = due.ctid AND t.finished_at IS NULL RETURNING t.*`;
}

/**
 * Times out due transactions by one deadline column. PostgreSQL plans the
 * join of the picked ctids as a nested loop of TID lookups only when hash
 * and merge joins are off: otherwise a plan made when many rows looked due
 * on a table of a few thousand rows hashes a scan of the whole table, and a
 * connection keeps its plan (test: sweep-plan.postgres.node.test.ts). Off
 * for this statement only (SET LOCAL, restored before anything else is
 * planned in the transaction).
 */
export async function timeOutDuePostgres(
  sql: SqlExecutor,
  column: DeadlineColumn,
  limit: number,
  now: number,
): Promise<TxRow[]> {
  const [saved] = await sql.query<{ h: string; m: string }>(JOINS_OFF);
  const rows = await sql.query<TxRow>(sweepSql(column, limit), [now]);
  await sql.run(JOINS_RESTORE, [saved!.h, saved!.m]);
  return rows;
}

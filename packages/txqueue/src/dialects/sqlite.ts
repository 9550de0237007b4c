import { SET_TIMED_OUT } from '../_internal/expire.ts';
import { FINISHED_INDEX } from '../_internal/retention.ts';
import type { TxRow } from '../_internal/rows.ts';
import type { Dialect } from './dialect.ts';
import { claimSqliteEvents, releaseEventClaims, SQLITE_INSERT_EVENT } from './sqlite/events.ts';
import { insertSqliteSubTransactions, nextSqliteId } from './sqlite/ids.ts';
import { ensureSqliteSchema } from './sqlite/schema.ts';

/**
 * SQLite: one process owns the file and one write transaction runs at a
 * time (BEGIN IMMEDIATE), so nothing locks rows, ids come from the stored
 * rows, a transaction's events form a chain instead of an index, and no
 * other engine needs waking. Every step takes the general path.
 */
export const sqliteDialect: Dialect = {
  forUpdate: '',
  skipLocked: '',
  jsonStrings: (parameter) => `json_each(${parameter}) AS j`,
  jsonPairs: (parameter) =>
    `SELECT json_extract(j.value, '$[0]') AS target, json_extract(j.value, '$[1]') AS id FROM json_each(${parameter}) AS j`,
  ensureSchema: ensureSqliteSchema,
  ensureFinishedIndex: (storage) => storage.exec(FINISHED_INDEX),
  opened: releaseEventClaims,
  nextTransactionId: nextSqliteId,
  insertSubTransactions: insertSqliteSubTransactions,
  insertEventSql: SQLITE_INSERT_EVENT,
  claimEvents: claimSqliteEvents,
  timeOutDue: (sql, column, limit, now) =>
    sql.query<TxRow>(
      `WITH due AS MATERIALIZED (SELECT target, id FROM txq_tx
         WHERE finished_at IS NULL AND total IS NULL AND ${column} <= $1 ORDER BY ${column} LIMIT ${Math.trunc(limit)})
       ${SET_TIMED_OUT} WHERE (target, id) IN (SELECT target, id FROM due) AND finished_at IS NULL RETURNING *`,
      [now],
    ),
  fastPaths: () => undefined,
  notifier: () => undefined,
};

import type { SqlExecutor } from '@fleetkit/core';
import type { Operation } from '../../_internal/context.ts';
import { deviceKey } from '../../_internal/keys.ts';
import type { SubTransactionSource } from '../dialect.ts';
import { EVENT_SEQ_KEY } from './schema.ts';

/**
 * The highest id a target has had, stored or deleted (schema.ts
 * `sqliteIdTrigger` records a deleted newest one), for a target expression.
 * The record is looked up only when some target has one (a query SQLite
 * runs once per statement), not once per member of a fan-out
 * (docs/decisions/txqueue-005-sqlite-pages.md).
 */
const lastId = (target: string): string =>
  `max(coalesce((SELECT max(t.id) FROM txq_tx t WHERE t.target = ${target}), 0),
    CASE WHEN (SELECT 1 FROM txq_counter WHERE target <> '${EVENT_SEQ_KEY}' LIMIT 1) IS NULL THEN 0
      ELSE coalesce((SELECT c.next FROM txq_counter c WHERE c.target = ${target}), 0) END)`;

const SQLITE_NEXT_ID = `SELECT ${lastId('$1')} + 1 AS next`;

/**
 * The highest id the target has had plus one: a write transaction has the
 * database to itself (BEGIN IMMEDIATE), so this is unique and increasing
 * without a counter row to write on every enqueue (one page fewer per
 * enqueue).
 */
export async function nextSqliteId(sql: SqlExecutor, key: string): Promise<number> {
  const [row] = await sql.query<{ next: number }>(SQLITE_NEXT_ID, [key]);
  return Number(row!.next);
}

/**
 * Creates one sub-transaction per member (manual §7.3 steps 3–8) in one
 * set-based statement, whatever the group size, ids as in
 * {@link nextSqliteId} (members are distinct); the payload stays on the
 * parent row. One process owns the file: every member is woken here.
 */
export async function insertSqliteSubTransactions(
  operation: Operation,
  members: readonly string[],
  source: SubTransactionSource,
): Promise<void> {
  const { parent } = source;
  await operation.sql.run(
    `INSERT INTO txq_tx (target, id, kind, tag, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
     SELECT 'd:' || j.value, ${lastId("'d:' || j.value")} + 1,
       $2, $3, 'queued', 'accepted', 0, $4, $5, $6, $7, $7
     FROM json_each($1) AS j`,
    [JSON.stringify(members), parent.kind, parent.tag, source.deadline, parent.target, parent.id, operation.now],
  );
  for (const member of members) operation.effects.wakeHere.add(deviceKey(member));
}

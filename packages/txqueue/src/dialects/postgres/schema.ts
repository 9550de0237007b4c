import type { SqlDriver } from '@fleetkit/core';
import { FINISHED_INDEX } from '../../_internal/retention.ts';
import { ADDED_COLUMNS, tableStatements } from '../../_internal/schema.ts';

/** Serialises schema changes of processes sharing PostgreSQL (a transaction-scoped advisory lock). */
export const SCHEMA_LOCK = 'SELECT pg_advisory_xact_lock(74570007)';

const tables = [
  ...tableStatements({ eventSeq: 'BIGSERIAL', transaction: '', event: '' }),
  // a transaction's earlier events (the dispatcher's claim); SQLite chains them instead
  `CREATE INDEX IF NOT EXISTS txq_events_tx ON txq_events (target, tx_id, seq)`,
];

/** Creates the tables if missing and adds the columns added since; safe when several processes start at once. */
export async function ensurePostgresSchema(storage: SqlDriver): Promise<void> {
  await storage.transaction(async (sql) => {
    // concurrent CREATE IF NOT EXISTS races on the catalog; serialise it
    await sql.run(SCHEMA_LOCK);
    for (const statement of tables) await sql.run(statement);
    // until when a call-in long-polls the target, in epoch ms: an enqueue
    // NOTIFYs other processes only then (notify.ts). PostgreSQL only (SQLite
    // has one process); added to tables created before it existed.
    await sql.run('ALTER TABLE txq_counter ADD COLUMN IF NOT EXISTS listen_until BIGINT');
    for (const [table, column, type] of ADDED_COLUMNS)
      await sql.run(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
  });
}

/** The finish-time index, made under the schema lock. */
export async function ensurePostgresFinishedIndex(storage: SqlDriver): Promise<void> {
  await storage.transaction(async (sql) => {
    await sql.run(SCHEMA_LOCK);
    await sql.run(FINISHED_INDEX);
  });
}

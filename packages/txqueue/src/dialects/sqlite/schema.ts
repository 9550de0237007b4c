import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import { ADDED_COLUMNS, tableStatements } from '../../_internal/schema.ts';

/** The counter row (not a target key: those start `d:`, `g:`, `s:`) holding the highest deleted event seq. */
export const EVENT_SEQ_KEY = 'e:';

/**
 * A transaction's events form a chain (`sqliteChainTrigger`): `txq_tx`
 * keeps the newest event's seq, each event its predecessor's.
 */
const tables = tableStatements({ eventSeq: 'INTEGER', transaction: ' last_event BIGINT,', event: ', prev BIGINT' });

const sqliteSeqTrigger = `CREATE TRIGGER IF NOT EXISTS txq_events_seq AFTER DELETE ON txq_events
  WHEN OLD.seq > coalesce((SELECT max(seq) FROM txq_events), 0)
  BEGIN INSERT INTO txq_counter (target, next) VALUES ('${EVENT_SEQ_KEY}', OLD.seq)
    ON CONFLICT (target) DO UPDATE SET next = max(next, excluded.next); END`;

/**
 * SQLite numbers a target's transactions from its highest stored id
 * (ids.ts `SQLITE_NEXT_ID`); deleting the newest one (retention.ts) records
 * its id here, so an id is never handed out twice. PostgreSQL takes ids from
 * the counter rows, which deletes leave alone.
 */
const sqliteIdTrigger = `CREATE TRIGGER IF NOT EXISTS txq_tx_ids AFTER DELETE ON txq_tx
  WHEN OLD.id > coalesce((SELECT max(id) FROM txq_tx WHERE target = OLD.target), 0)
  BEGIN INSERT INTO txq_counter (target, next) VALUES (OLD.target, OLD.id)
    ON CONFLICT (target) DO UPDATE SET next = max(next, excluded.next); END`;

/**
 * On SQLite a transaction's events form a chain instead of an index: each
 * event row holds in `prev` the seq of the transaction's event written
 * before it (events.ts `SQLITE_INSERT_EVENT` reads it from
 * `txq_tx.last_event`, which this trigger keeps, in the same statement). An
 * event is claimable once its `prev` row is gone or claimed with it
 * (events.ts), and a row is deleted only after it was claimed, so every
 * earlier event of the transaction is gone too. The `txq_events_tx` index
 * did the same lookup at the cost of one more page written per event, three
 * per cycle (docs/decisions/txqueue-005-sqlite-pages.md); `last_event` sits
 * on the `txq_tx` row each step writes anyway.
 */
const sqliteChainTrigger = `CREATE TRIGGER IF NOT EXISTS txq_events_chain AFTER INSERT ON txq_events
  BEGIN UPDATE txq_tx SET last_event = NEW.seq WHERE target = NEW.target AND id = NEW.tx_id; END`;

/** Creates the tables if missing, and brings older ones up to date in one write transaction. */
export async function ensureSqliteSchema(storage: SqlDriver): Promise<void> {
  // Event seqs must never be reused once delivered events are deleted:
  // instead of AUTOINCREMENT (one more page per write transaction),
  // deleting the newest event records its seq and new events number past
  // it (events.ts `SQLITE_INSERT_EVENT`); the record is written only then.
  await storage.exec([...tables, sqliteSeqTrigger, sqliteIdTrigger].join(';\n'));
  await storage.transaction(async (sql) => {
    await addColumns(sql);
    await chainEvents(sql);
  });
}

async function hasColumn(sql: SqlExecutor, table: string, column: string): Promise<boolean> {
  const columns = await sql.query<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`);
  return columns.some((c) => c.name === column);
}

/** SQLite has no `ADD COLUMN IF NOT EXISTS`: each missing column is added (in the opening write transaction). */
async function addColumns(sql: SqlExecutor): Promise<void> {
  for (const [table, column, type] of ADDED_COLUMNS)
    if (!(await hasColumn(sql, table, column))) await sql.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/**
 * Brings a SQLite database written before the event chain to it, in one
 * write transaction (BEGIN IMMEDIATE: a second process opening at once
 * waits, then finds it done): the columns, each waiting event's `prev`
 * and each transaction's `last_event` from the old index, then the index
 * is dropped. A transaction whose events were all delivered keeps a NULL
 * `last_event`: its next event has nothing to wait for.
 */
async function chainEvents(sql: SqlExecutor): Promise<void> {
  if (!(await hasColumn(sql, 'txq_tx', 'last_event'))) await sql.run('ALTER TABLE txq_tx ADD COLUMN last_event BIGINT');
  if (!(await hasColumn(sql, 'txq_events', 'prev'))) {
    await sql.run('ALTER TABLE txq_events ADD COLUMN prev BIGINT');
    await sql.run(`UPDATE txq_events SET prev = (SELECT max(p.seq) FROM txq_events p
      WHERE p.target = txq_events.target AND p.tx_id = txq_events.tx_id AND p.seq < txq_events.seq)`);
    await sql.run(`UPDATE txq_tx SET last_event = (SELECT max(e.seq) FROM txq_events e WHERE e.target = txq_tx.target AND e.tx_id = txq_tx.id)
      WHERE EXISTS (SELECT 1 FROM txq_events e WHERE e.target = txq_tx.target AND e.tx_id = txq_tx.id)`);
  }
  await sql.run('DROP INDEX IF EXISTS txq_events_tx');
  await sql.run(sqliteChainTrigger);
}

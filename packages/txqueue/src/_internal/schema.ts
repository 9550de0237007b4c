import type { SqlDriver, SqlExecutor } from '@fleetkit/core';

// One table holds device transactions, sub-transactions and group parents
// (target 'd:<device>' or 'g:<group>'); the group counters are NULL on the
// others. Times are epoch ms; deadlines are wall time because they must mean
// the same thing after a restart and in every process sharing PostgreSQL.
const tables = (sqlite: boolean): string[] => [
  `CREATE TABLE IF NOT EXISTS txq_counter (target TEXT PRIMARY KEY, next BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS txq_tx (
    target TEXT NOT NULL, id BIGINT NOT NULL, client_id TEXT, kind TEXT NOT NULL, tag TEXT, payload TEXT,
    state TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, lease_until BIGINT,
    deadline BIGINT NOT NULL, cancel_deadline BIGINT, parent_target TEXT, parent_id BIGINT, notify TEXT,
    progress TEXT, result TEXT,
    total INTEGER, finished INTEGER, n_complete INTEGER, n_timed_out INTEGER, n_cancelled INTEGER, member_events INTEGER,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, finished_at BIGINT,${sqlite ? ' last_event BIGINT,' : ''}
    PRIMARY KEY (target, id))`,
  `CREATE UNIQUE INDEX IF NOT EXISTS txq_tx_client ON txq_tx (target, client_id) WHERE client_id IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_pending ON txq_tx (target, id) WHERE finished_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_deadline ON txq_tx (deadline) WHERE finished_at IS NULL AND total IS NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_cancel ON txq_tx (cancel_deadline) WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_parent ON txq_tx (parent_target, parent_id, target) WHERE parent_target IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS txq_events (seq ${sqlite ? 'INTEGER' : 'BIGSERIAL'} PRIMARY KEY, target TEXT NOT NULL, tx_id BIGINT NOT NULL,
    body TEXT NOT NULL, lease_until BIGINT NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT${sqlite ? ', prev BIGINT' : ''})`,
  // SQLite chains a transaction's events instead (sqliteChain below)
  ...(sqlite ? [] : [`CREATE INDEX IF NOT EXISTS txq_events_tx ON txq_events (target, tx_id, seq)`]),
  `CREATE TABLE IF NOT EXISTS txq_staged (target TEXT NOT NULL, seq BIGINT NOT NULL, package TEXT NOT NULL,
    vals TEXT NOT NULL, staged_at BIGINT NOT NULL, PRIMARY KEY (target, seq))`,
];

/** The counter row (not a target key: those start `d:`, `g:`, `s:`) holding the highest deleted event seq. */
export const EVENT_SEQ_KEY = 'e:';

const sqliteSeqTrigger = `CREATE TRIGGER IF NOT EXISTS txq_events_seq AFTER DELETE ON txq_events
  WHEN OLD.seq > coalesce((SELECT max(seq) FROM txq_events), 0)
  BEGIN INSERT INTO txq_counter (target, next) VALUES ('${EVENT_SEQ_KEY}', OLD.seq)
    ON CONFLICT (target) DO UPDATE SET next = max(next, excluded.next); END`;

/**
 * SQLite numbers a target's transactions from its highest stored id
 * (enqueue.ts `nextTxId`); deleting the newest one (retention.ts) records
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
 * before it (outbox.ts `recordEvent` reads it from `txq_tx.last_event`,
 * which this trigger keeps, in the same statement). An event is claimable
 * once its `prev` row is gone (dispatcher.ts), and a row is deleted only
 * after it was claimed, so every earlier event of the transaction is gone
 * too. The `txq_events_tx` index did the same lookup at the cost of one more
 * page written per event, three per cycle
 * (docs/decisions/txqueue-005-sqlite-pages.md); `last_event` sits on the
 * `txq_tx` row each step writes anyway.
 */
const sqliteChainTrigger = `CREATE TRIGGER IF NOT EXISTS txq_events_chain AFTER INSERT ON txq_events
  BEGIN UPDATE txq_tx SET last_event = NEW.seq WHERE target = NEW.target AND id = NEW.tx_id; END`;

/**
 * Columns added after the first release, as `table`, `column`, type: a
 * database written before gets them when opened (`ALTER TABLE … ADD COLUMN`).
 */
const ADDED_COLUMNS: readonly (readonly [string, string, string])[] = [
  // the caller's tag (an RPC name) and a group's opt-in to member events
  ['txq_tx', 'tag', 'TEXT'],
  ['txq_tx', 'member_events', 'INTEGER'],
  // failed deliveries of an event and the last error (dispatcher.ts backoff)
  ['txq_events', 'attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['txq_events', 'last_error', 'TEXT'],
];

/** Serialises schema changes of processes sharing PostgreSQL (a transaction-scoped advisory lock). */
export const SCHEMA_LOCK = 'SELECT pg_advisory_xact_lock(74570007)';

/** Creates the tables if missing; safe when several processes start at once. */
export async function ensureSchema(db: SqlDriver): Promise<void> {
  if (db.dialect === 'sqlite') {
    // Event seqs must never be reused once delivered events are deleted:
    // instead of AUTOINCREMENT (one more page per write transaction),
    // deleting the newest event records its seq and new events number past
    // it (outbox.ts `recordEvent`); the record is written only then.
    await db.exec([...tables(true), sqliteSeqTrigger, sqliteIdTrigger].join(';\n'));
    await db.transaction(async (tx) => {
      await addColumns(tx);
      await chainEvents(tx);
    });
    return;
  }
  await db.transaction(async (tx) => {
    // concurrent CREATE IF NOT EXISTS races on the catalog; serialise it
    await tx.run(SCHEMA_LOCK);
    for (const sql of tables(false)) await tx.run(sql);
    // until when a call-in long-polls the target, in epoch ms: an enqueue
    // NOTIFYs other processes only then (wake.ts). PostgreSQL only (SQLite
    // has one process); added to tables created before it existed.
    await tx.run('ALTER TABLE txq_counter ADD COLUMN IF NOT EXISTS listen_until BIGINT');
    for (const [table, column, type] of ADDED_COLUMNS)
      await tx.run(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
  });
}

async function hasColumn(tx: SqlExecutor, table: string, column: string): Promise<boolean> {
  const columns = await tx.query<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`);
  return columns.some((c) => c.name === column);
}

/** SQLite has no `ADD COLUMN IF NOT EXISTS`: each missing column is added (in the opening write transaction). */
async function addColumns(tx: SqlExecutor): Promise<void> {
  for (const [table, column, type] of ADDED_COLUMNS)
    if (!(await hasColumn(tx, table, column))) await tx.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/**
 * Brings a SQLite database written before the event chain to it, in one
 * write transaction (BEGIN IMMEDIATE: a second process opening at once
 * waits, then finds it done): the columns, each waiting event's `prev`
 * and each transaction's `last_event` from the old index, then the index
 * is dropped. A transaction whose events were all delivered keeps a NULL
 * `last_event`: its next event has nothing to wait for.
 */
async function chainEvents(tx: SqlExecutor): Promise<void> {
  if (!(await hasColumn(tx, 'txq_tx', 'last_event'))) await tx.run('ALTER TABLE txq_tx ADD COLUMN last_event BIGINT');
  if (!(await hasColumn(tx, 'txq_events', 'prev'))) {
    await tx.run('ALTER TABLE txq_events ADD COLUMN prev BIGINT');
    await tx.run(`UPDATE txq_events SET prev = (SELECT max(p.seq) FROM txq_events p
      WHERE p.target = txq_events.target AND p.tx_id = txq_events.tx_id AND p.seq < txq_events.seq)`);
    await tx.run(`UPDATE txq_tx SET last_event = (SELECT max(e.seq) FROM txq_events e WHERE e.target = txq_tx.target AND e.tx_id = txq_tx.id)
      WHERE EXISTS (SELECT 1 FROM txq_events e WHERE e.target = txq_tx.target AND e.tx_id = txq_tx.id)`);
  }
  await tx.run('DROP INDEX IF EXISTS txq_events_tx');
  await tx.run(sqliteChainTrigger);
}

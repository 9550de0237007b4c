// One table holds device transactions, sub-transactions and group parents
// (target 'd:<device>' or 'g:<group>'); the group counters are NULL on the
// others. Times are epoch ms; deadlines are wall time because they must mean
// the same thing after a restart and in every process sharing PostgreSQL.
// Each dialect creates these tables with its own few columns
// (dialects/sqlite/schema.ts, dialects/postgres/schema.ts).

/** The columns only one dialect has. */
export interface DialectColumns {
  /** The type of `txq_events.seq`. */
  readonly eventSeq: string;
  /** More `txq_tx` columns, each followed by a comma. */
  readonly transaction: string;
  /** More `txq_events` columns, each preceded by a comma. */
  readonly event: string;
}

/** The statements creating the tables and the indexes both dialects keep. */
export function tableStatements(columns: DialectColumns): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS txq_counter (target TEXT PRIMARY KEY, next BIGINT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS txq_tx (
    target TEXT NOT NULL, id BIGINT NOT NULL, client_id TEXT, kind TEXT NOT NULL, tag TEXT, payload TEXT,
    state TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, lease_until BIGINT,
    deadline BIGINT NOT NULL, cancel_deadline BIGINT, parent_target TEXT, parent_id BIGINT, notify TEXT,
    progress TEXT, result TEXT,
    total INTEGER, finished INTEGER, n_complete INTEGER, n_timed_out INTEGER, n_cancelled INTEGER, member_events INTEGER,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, finished_at BIGINT,${columns.transaction}
    PRIMARY KEY (target, id))`,
    `CREATE UNIQUE INDEX IF NOT EXISTS txq_tx_client ON txq_tx (target, client_id) WHERE client_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS txq_tx_pending ON txq_tx (target, id) WHERE finished_at IS NULL`,
    `CREATE INDEX IF NOT EXISTS txq_tx_deadline ON txq_tx (deadline) WHERE finished_at IS NULL AND total IS NULL`,
    `CREATE INDEX IF NOT EXISTS txq_tx_cancel ON txq_tx (cancel_deadline) WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS txq_tx_parent ON txq_tx (parent_target, parent_id, target) WHERE parent_target IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS txq_events (seq ${columns.eventSeq} PRIMARY KEY, target TEXT NOT NULL, tx_id BIGINT NOT NULL,
    body TEXT NOT NULL, lease_until BIGINT NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT${columns.event})`,
    `CREATE TABLE IF NOT EXISTS txq_staged (target TEXT NOT NULL, seq BIGINT NOT NULL, package TEXT NOT NULL,
    vals TEXT NOT NULL, staged_at BIGINT NOT NULL, PRIMARY KEY (target, seq))`,
  ];
}

/**
 * Columns added after the first release, as `table`, `column`, type: a
 * database written before gets them when opened (`ALTER TABLE … ADD COLUMN`).
 */
export const ADDED_COLUMNS: readonly (readonly [string, string, string])[] = [
  // the caller's tag (an RPC name) and a group's opt-in to member events
  ['txq_tx', 'tag', 'TEXT'],
  ['txq_tx', 'member_events', 'INTEGER'],
  // failed deliveries of an event and the last error (dispatcher.ts backoff)
  ['txq_events', 'attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['txq_events', 'last_error', 'TEXT'],
];

import type { SqlDriver } from '@fleetkit/core';

// One table holds device transactions, sub-transactions and group parents
// (target 'd:<device>' or 'g:<group>'); the group counters are NULL on the
// others. Times are epoch ms; deadlines are wall time because they must mean
// the same thing after a restart and in every process sharing PostgreSQL.
const tables = (serial: string): string[] => [
  `CREATE TABLE IF NOT EXISTS txq_counter (target TEXT PRIMARY KEY, next BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS txq_tx (
    target TEXT NOT NULL, id BIGINT NOT NULL, client_id TEXT, kind TEXT NOT NULL, payload TEXT,
    state TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, lease_until BIGINT,
    deadline BIGINT NOT NULL, cancel_deadline BIGINT, parent_target TEXT, parent_id BIGINT, notify TEXT,
    progress TEXT, result TEXT,
    total INTEGER, finished INTEGER, n_complete INTEGER, n_timed_out INTEGER, n_cancelled INTEGER,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, finished_at BIGINT,
    PRIMARY KEY (target, id))`,
  `CREATE UNIQUE INDEX IF NOT EXISTS txq_tx_client ON txq_tx (target, client_id) WHERE client_id IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_pending ON txq_tx (target, id) WHERE finished_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_deadline ON txq_tx (deadline) WHERE finished_at IS NULL AND total IS NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_cancel ON txq_tx (cancel_deadline) WHERE finished_at IS NULL AND cancel_deadline IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS txq_tx_parent ON txq_tx (parent_target, parent_id, target) WHERE parent_target IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS txq_events (seq ${serial}, target TEXT NOT NULL, tx_id BIGINT NOT NULL,
    body TEXT NOT NULL, lease_until BIGINT NOT NULL DEFAULT 0)`,
  `CREATE INDEX IF NOT EXISTS txq_events_tx ON txq_events (target, tx_id, seq)`,
  `CREATE TABLE IF NOT EXISTS txq_staged (target TEXT NOT NULL, seq BIGINT NOT NULL, package TEXT NOT NULL,
    vals TEXT NOT NULL, staged_at BIGINT NOT NULL, PRIMARY KEY (target, seq))`,
];

/** The counter row (not a target key: those start `d:`, `g:`, `s:`) holding the highest deleted event seq. */
export const EVENT_SEQ_KEY = 'e:';

const sqliteSeqTrigger = `CREATE TRIGGER IF NOT EXISTS txq_events_seq AFTER DELETE ON txq_events
  WHEN OLD.seq > coalesce((SELECT max(seq) FROM txq_events), 0)
  BEGIN INSERT INTO txq_counter (target, next) VALUES ('${EVENT_SEQ_KEY}', OLD.seq)
    ON CONFLICT (target) DO UPDATE SET next = max(next, excluded.next); END`;

/** Creates the tables if missing; safe when several processes start at once. */
export async function ensureSchema(db: SqlDriver): Promise<void> {
  if (db.dialect === 'sqlite') {
    // Event seqs must never be reused once delivered events are deleted:
    // instead of AUTOINCREMENT (one more page per write transaction),
    // deleting the newest event records its seq and new events number past
    // it (outbox.ts `recordEvent`); the record is written only then.
    await db.exec([...tables('INTEGER PRIMARY KEY'), sqliteSeqTrigger].join(';\n'));
    return;
  }
  await db.transaction(async (tx) => {
    // concurrent CREATE IF NOT EXISTS races on the catalog; serialise it
    await tx.run('SELECT pg_advisory_xact_lock(74570007)');
    for (const sql of tables('BIGSERIAL PRIMARY KEY')) await tx.run(sql);
    // until when a call-in long-polls the target, in epoch ms: an enqueue
    // NOTIFYs other processes only then (wake.ts). PostgreSQL only (SQLite
    // has one process); added to tables created before it existed.
    await tx.run('ALTER TABLE txq_counter ADD COLUMN IF NOT EXISTS listen_until BIGINT');
  });
}

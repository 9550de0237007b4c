import type { SqlDriver } from '@fleetkit/core';
import type { EventClaim, EventRow } from '../dialect.ts';
import { EVENT_SEQ_KEY } from './schema.ts';

// past every live seq and every deleted one (schema.ts: the txq_events_seq trigger)
// `prev`: the transaction's event before this one, which it waits for (schema.ts `sqliteChainTrigger`)
// VALUES, not INSERT … SELECT: a SELECT that reads the table it inserts into
// is first copied into a temporary table (EXPLAIN: OpenEphemeral; decision 005)
export const SQLITE_INSERT_EVENT = `INSERT INTO txq_events (seq, target, tx_id, body, prev)
  VALUES (max(coalesce((SELECT max(seq) FROM txq_events), 0), coalesce((SELECT next FROM txq_counter WHERE target = '${EVENT_SEQ_KEY}'), 0)) + 1, $1, $2, $3,
    (SELECT last_event FROM txq_tx WHERE target = $1 AND id = $2))`;

/** Outbox rows looked at per statement of a claim. */
const WINDOW = 256;

// Events in seq order that no lease holds, each with the event it waits for:
// its `prev`, while that row exists. LIMIT is a literal: SQLite re-prepares
// a statement whose LIMIT parameter is bound again.
const LOOK = `SELECT e.seq, CASE WHEN EXISTS (SELECT 1 FROM txq_events p WHERE p.seq = e.prev) THEN e.prev END AS waits_for
  FROM txq_events e WHERE e.seq > $1 AND e.lease_until <= $2 ORDER BY e.seq LIMIT ${WINDOW}`;

const LEASE = `UPDATE txq_events SET lease_until = $1 WHERE seq IN (SELECT value FROM json_each($2))
  RETURNING seq, target, tx_id, body, attempts`;

/**
 * Claims events in one write transaction: walks the unleased events in seq
 * order and takes each whose predecessor is gone or taken in this walk, so a
 * transaction's run of events (a big group's member events) goes in one
 * claim. The walk passes over events that wait for a leased one (a failing
 * event's successors) and goes on past them, so they hold no one else back.
 */
export function claimSqliteEvents(storage: SqlDriver, claim: EventClaim): Promise<EventRow[]> {
  return storage.transaction(async (sql) => {
    const taken = new Set<number>();
    let after = -1;
    while (taken.size < claim.limit) {
      const rows = await sql.query<{ seq: number; waits_for: number | null }>(LOOK, [after, claim.now]);
      for (const row of rows) {
        if (taken.size === claim.limit) break;
        if (row.waits_for === null || taken.has(Number(row.waits_for))) taken.add(Number(row.seq));
      }
      if (rows.length < WINDOW) break;
      after = Number(rows.at(-1)!.seq);
    }
    if (taken.size === 0) return [];
    return sql.query<EventRow>(LEASE, [claim.leaseUntil, JSON.stringify([...taken])]);
  });
}

/**
 * On SQLite an engine opening the file is its owner after a restart: the
 * claims a killed process held on events it never got to fail would
 * otherwise hold the transaction's later events back for a whole lease.
 * Delivery stays at least once either way (subscribers deduplicate by
 * `seq`); an event that failed keeps its retry time.
 */
export async function releaseEventClaims(storage: SqlDriver): Promise<void> {
  await storage.run('UPDATE txq_events SET lease_until = 0 WHERE attempts = 0 AND lease_until > 0');
}

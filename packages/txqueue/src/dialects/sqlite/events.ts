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

/**
 * Claims the oldest open event of each transaction: one whose predecessor
 * in the chain (schema.ts) is gone. LIMIT as a literal: SQLite re-prepares
 * a statement whose LIMIT parameter is bound again.
 */
export function claimSqliteEvents(storage: SqlDriver, claim: EventClaim): Promise<EventRow[]> {
  return storage.query<EventRow>(
    `WITH pick AS MATERIALIZED (SELECT e.seq FROM txq_events e WHERE e.lease_until <= $2
         AND NOT EXISTS (SELECT 1 FROM txq_events p WHERE p.seq = e.prev)
       ORDER BY e.seq LIMIT ${Math.trunc(claim.limit)})
     UPDATE txq_events SET lease_until = $1 WHERE seq IN (SELECT seq FROM pick)
     RETURNING seq, target, tx_id, body, attempts`,
    [claim.leaseUntil, claim.now],
  );
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

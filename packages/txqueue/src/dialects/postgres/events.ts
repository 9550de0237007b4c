import type { SqlDriver } from '@fleetkit/core';
import type { EventClaim, EventRow } from '../dialect.ts';

export const POSTGRES_INSERT_EVENT = 'INSERT INTO txq_events (target, tx_id, body) VALUES ($1, $2, $3)';

/**
 * Claims the oldest open event of each transaction (none earlier in
 * `txq_events_tx`); processes split the outbox (`SKIP LOCKED`).
 */
export function claimPostgresEvents(storage: SqlDriver, claim: EventClaim): Promise<EventRow[]> {
  return storage.query<EventRow>(
    `WITH pick AS MATERIALIZED (SELECT e.seq FROM txq_events e WHERE e.lease_until <= $2
         AND NOT EXISTS (SELECT 1 FROM txq_events p WHERE p.target = e.target AND p.tx_id = e.tx_id AND p.seq < e.seq)
       ORDER BY e.seq LIMIT ${Math.trunc(claim.limit)} FOR UPDATE SKIP LOCKED)
     UPDATE txq_events SET lease_until = $1 WHERE seq IN (SELECT seq FROM pick)
     RETURNING seq, target, tx_id, body, attempts`,
    [claim.leaseUntil, claim.now],
  );
}

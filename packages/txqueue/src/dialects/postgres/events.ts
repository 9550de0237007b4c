import type { SqlDriver } from '@fleetkit/core';
import type { EventClaim, EventRow } from '../dialect.ts';

export const POSTGRES_INSERT_EVENT = 'INSERT INTO txq_events (target, tx_id, body) VALUES ($1, $2, $3)';

// `look`: the first unleased, unlocked events in seq order whose
// transaction's oldest event is unleased too (events behind a failing or
// claimed one are passed over, so they hold no one else back), locked, each
// with the event it waits for: the transaction's event before it. An event
// is taken when that one is gone or taken here, which `linked` checks along
// each transaction's events in the window: the first must wait for nothing,
// every next one for the one before it (an event between them that another
// claim holds, or a lease, breaks the run). Both lookups are probes of
// `txq_events_tx`, and the window ends after `limit` rows, however long the
// outbox: a big group's member events go `limit` at a time.
// LIMIT as a literal: one prepared statement per limit
const claimSql = (limit: number): string => `WITH look AS MATERIALIZED (SELECT e.seq, e.target, e.tx_id,
         (SELECT max(p.seq) FROM txq_events p WHERE p.target = e.target AND p.tx_id = e.tx_id AND p.seq < e.seq) AS waits_for
       FROM txq_events e WHERE e.lease_until <= $2
         AND (SELECT h.lease_until FROM txq_events h WHERE h.target = e.target AND h.tx_id = e.tx_id ORDER BY h.seq LIMIT 1) <= $2
       ORDER BY e.seq LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED),
     linked AS (SELECT seq, target, tx_id,
         CASE WHEN coalesce(waits_for, -1) = coalesce(lag(seq) OVER (PARTITION BY target, tx_id ORDER BY seq), -1) THEN 1 ELSE 0 END AS link
       FROM look),
     taken AS (SELECT seq FROM (SELECT seq, min(link) OVER (PARTITION BY target, tx_id ORDER BY seq) AS run FROM linked) r WHERE run = 1)
   UPDATE txq_events SET lease_until = $1 WHERE seq IN (SELECT seq FROM taken)
   RETURNING seq, target, tx_id, body, attempts`;

/**
 * Claims events in one statement; processes split the outbox (`SKIP
 * LOCKED`), and an event one claim holds keeps every later event of its
 * transaction from any other claim.
 */
export function claimPostgresEvents(storage: SqlDriver, claim: EventClaim): Promise<EventRow[]> {
  return storage.query<EventRow>(claimSql(claim.limit), [claim.leaseUntil, claim.now]);
}

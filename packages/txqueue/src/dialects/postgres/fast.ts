import type { Context } from '../../_internal/context.ts';
import type { NewTransaction } from '../../_internal/enqueue.ts';
import { eventBody, eventBodyParts, eventBodySql } from '../../_internal/outbox.ts';
import { type TxRow, toDelivery } from '../../_internal/rows.ts';
import type { StatusCode } from '../../status.ts';
import type { AckInput, Delivery } from '../../types.ts';
import type { Enqueued } from '../dialect.ts';
import { SERVER_NOW_MS } from './server-clock.ts';

// PostgreSQL fast paths: the common case of each step as ONE statement
// (data-modifying CTEs), autocommitted: one round trip instead of five to
// seven. Anything unusual (caller ids, groups, rejections, duplicates,
// sub-transactions, deadlines due) returns undefined and takes the general
// transactional path, which has the precise rules. The event bodies built
// here in SQL have the shape of outbox.ts `eventBody`. The statements of
// several concurrent calls go as one (fast-batch.ts, fast-paths.ts).

/**
 * Enqueue to one device without a caller id: counter, row and accepted event
 * at once. The row comes back with `listening`, read from the device's counter
 * row: whether a call-in in some process may be long-polling it (notify.ts).
 */
export async function enqueueFast(
  context: Context,
  transaction: NewTransaction,
  now: number,
): Promise<Enqueued | undefined> {
  if (transaction.members !== undefined || transaction.clientId !== undefined) return undefined;
  const params = [
    transaction.key,
    transaction.kind,
    transaction.payloadJson,
    now + transaction.timeoutMs,
    transaction.notify ?? null,
    now,
    acceptedBody(transaction, now),
    transaction.tag ?? null,
  ];
  // a device with a counter row (every one after its first transaction): a
  // plain UPDATE, cheaper than the upsert's conflict check (decision
  // txqueue-006); the first one makes the row
  const [got] = await context.storage.query<Created>(ENQUEUE_NEXT, params);
  const row = got ?? (await context.storage.query<Created>(ENQUEUE_FIRST, params))[0];
  return row && enqueuedRow(transaction, row, now);
}

type Created = { readonly id: number; readonly listening: boolean };

/**
 * Counter, row and accepted event in one statement; `bump` takes the next id
 * from the device's counter row.
 */
function enqueueSql(bump: string): string {
  // the UPDATE and ON CONFLICT DO UPDATE both lock the counter row and return
  // its newest committed version, so `listening` includes every registration
  // that committed before this statement took the lock (notify.ts). Only the
  // new id comes back: the rest of the row is what was just written (fewer
  // columns for node-postgres to describe and parse, no payload echoed)
  return `WITH c AS (${bump} RETURNING next, coalesce(listen_until >= ${SERVER_NOW_MS}, false) AS listening),
     t AS (INSERT INTO txq_tx (target, id, kind, tag, payload, state, status, attempt, deadline, notify, created_at, updated_at)
       SELECT $1, c.next, $2, $8, $3, 'queued', 'accepted', 0, $4, $5, $6, $6 FROM c RETURNING id),
     e AS (INSERT INTO txq_events (target, tx_id, body) SELECT $1, t.id, $7 FROM t)
     SELECT t.id, c.listening FROM t, c`;
}

const ENQUEUE_NEXT = enqueueSql('UPDATE txq_counter SET next = next + 1 WHERE target = $1');
const ENQUEUE_FIRST = enqueueSql(
  'INSERT INTO txq_counter (target, next) VALUES ($1, 1) ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1',
);

export function enqueuedRow(
  transaction: NewTransaction,
  got: { readonly id: number; readonly listening: boolean },
  now: number,
): Enqueued {
  return {
    target: transaction.key,
    id: Number(got.id),
    client_id: null,
    kind: transaction.kind,
    tag: transaction.tag ?? null,
    payload: transaction.payloadJson,
    state: 'queued',
    status: 'accepted',
    attempt: 0,
    lease_until: null,
    deadline: now + transaction.timeoutMs,
    cancel_deadline: null,
    parent_target: null,
    parent_id: null,
    notify: transaction.notify ?? null,
    progress: null,
    result: null,
    total: null,
    finished: null,
    n_complete: null,
    n_timed_out: null,
    n_cancelled: null,
    member_events: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
    listening: got.listening === true,
  };
}

/** The body of the `accepted` event of a fast enqueue (the shape of outbox.ts `eventBody`). */
export function acceptedBody(transaction: NewTransaction, now: number): string {
  const pseudo = {
    client_id: null,
    kind: transaction.kind,
    tag: transaction.tag ?? null,
    state: 'queued',
    status: 'accepted',
    notify: transaction.notify ?? null,
    progress: null,
    result: null,
    total: null,
  } as unknown as TxRow;
  return eventBody(pseudo, 'accepted', now);
}

/** The columns a call-in returns: what a {@link Delivery} needs (fewer columns, less to parse). */
export type CallInRow = Pick<
  TxRow,
  'id' | 'attempt' | 'kind' | 'tag' | 'payload' | 'state' | 'deadline' | 'parent_target' | 'parent_id'
> & { readonly due_n: number | null };

// A delivery mark is the one write a crash of PostgreSQL itself may lose
// (never a crash of this process): the transaction is then handed out again
// under the same attempt (docs/decisions/txqueue-002-delivery-commit.md).
// set_config(…, true) is SET LOCAL inside the one autocommitted statement.
// The pick is a CTE: `id IN (subquery LIMIT n FOR UPDATE SKIP LOCKED)` may be
// rescanned by the planner and claim more than n rows. The update joins the
// locked rows by ctid, planned as a nested loop of TID scans whatever the
// statistics. Neither a join on the key (a table that grew within seconds
// was planned as a scan of every row) nor `ctid = ANY(ARRAY(…))` (a prepared
// plan made while the table was small kept scanning every row: 2,900 rows
// read per call-in after 2,900 cycles) stays an index lookup.
const CALL_IN_SQL = `WITH pick AS MATERIALIZED (SELECT ctid FROM txq_tx WHERE target = $1 AND finished_at IS NULL
         AND (lease_until IS NULL OR lease_until <= $2) AND deadline > $2 AND (cancel_deadline IS NULL OR cancel_deadline > $2)
         ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED),
     claimed AS (UPDATE txq_tx t SET attempt = CASE WHEN t.state = 'cancelling' THEN t.attempt ELSE t.attempt + 1 END,
         state = CASE WHEN t.state = 'queued' THEN 'delivered' ELSE t.state END, lease_until = $3, updated_at = $2
       FROM pick WHERE t.ctid = pick.ctid
       RETURNING t.*),
     due AS (SELECT count(*) AS n FROM txq_tx WHERE target = $1 AND finished_at IS NULL AND (deadline <= $2 OR cancel_deadline <= $2)),
     e AS (INSERT INTO txq_events (target, tx_id, body)
       SELECT target, id, ${eventBodySql('delivered', '$5::text', '$6::text')}
       FROM claimed WHERE attempt = 1 AND state = 'delivered' AND parent_target IS NULL)
     SELECT claimed.id, claimed.attempt, claimed.kind, claimed.tag, claimed.payload, claimed.state, claimed.deadline, claimed.parent_target,
       claimed.parent_id, due.n AS due_n
     FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg, due LEFT JOIN claimed ON true`;

/**
 * Claims a device's deliverable transactions and writes the first-delivery
 * events; `due` counts its overdue open ones, which the caller times out.
 */
export async function callInFast(
  context: Context,
  key: string,
  limit: number,
  now: number,
): Promise<{ deliveries: Delivery[]; due: number }> {
  const rows = await context.storage.query<CallInRow>(CALL_IN_SQL, [
    key,
    now,
    now + context.redeliverAfterMs,
    limit,
    DELIVERED_MID,
    deliveredTail(now),
  ]);
  return { deliveries: await toDeliveries(context, rows), due: Number(rows[0]?.due_n ?? 0) };
}

/** A call-in's claimed rows (a row with a null id means none) as deliveries, in id order. */
export async function toDeliveries(context: Context, rows: readonly CallInRow[]): Promise<Delivery[]> {
  const claimed = rows.filter((r) => r.id !== null).sort((a, b) => Number(a.id) - Number(b.id));
  const out: Delivery[] = [];
  for (const row of claimed) out.push(toDelivery(row, await context.payloads.of(context.storage, row)));
  return out;
}

const ACK_SQL = `WITH done AS (UPDATE txq_tx SET state = $4, status = $5, result = $6, finished_at = $7, updated_at = $7, lease_until = NULL
       WHERE target = $1 AND id = $2 AND attempt = $3 AND attempt > 0 AND finished_at IS NULL AND parent_target IS NULL
         AND deadline > $7 AND (cancel_deadline IS NULL OR cancel_deadline > $7)
       RETURNING target, id, client_id, kind, tag, payload, notify, deadline, cancel_deadline, progress, created_at),
     e AS (INSERT INTO txq_events (target, tx_id, body) SELECT target, id, ${eventBodySql('final', '$8::text', '$9::text')} FROM done)
     SELECT client_id, kind, tag, payload, notify, deadline, cancel_deadline, progress, created_at FROM done`;

/** A final complete or failure ack of a stand-alone transaction under its current attempt, before its deadline. */
export async function ackFast(context: Context, key: string, ack: AckInput, now: number): Promise<TxRow | undefined> {
  if (ack.status === 'progress' || ack.status === 'cancelled') return undefined;
  const state = finalState(ack);
  const result = resultJson(ack);
  // the columns this statement did not write come back; the others are known
  const [row] = await context.storage.query<AckedColumns>(ACK_SQL, [
    key,
    ack.transactionId,
    ack.attempt,
    state,
    ack.status,
    result,
    now,
    ...finalBodyParts(ack, state, result, now),
  ]);
  return row && ackedRow(key, ack, row, now);
}

/** The columns of an acked row that a fast ack did not write, which it returns. */
export type AckedColumns = Pick<
  TxRow,
  'client_id' | 'kind' | 'tag' | 'payload' | 'notify' | 'deadline' | 'cancel_deadline' | 'progress' | 'created_at'
>;

/** The row after a fast final ack, whole. */
export function ackedRow(key: string, ack: AckInput, row: AckedColumns, now: number): TxRow {
  // parent_target IS NULL was a condition, and a device's row has no group counters
  return {
    client_id: row.client_id,
    kind: row.kind,
    tag: row.tag,
    payload: row.payload,
    notify: row.notify,
    deadline: row.deadline,
    cancel_deadline: row.cancel_deadline,
    progress: row.progress,
    created_at: row.created_at,
    target: key,
    id: ack.transactionId,
    state: finalState(ack),
    status: ack.status,
    attempt: ack.attempt,
    lease_until: null,
    parent_target: null,
    parent_id: null,
    result: resultJson(ack),
    total: null,
    finished: null,
    n_complete: null,
    n_timed_out: null,
    n_cancelled: null,
    member_events: null,
    updated_at: now,
    finished_at: now,
  };
}

/** The `delivered` event's parts that are the same for every call-in (outbox.ts `eventBodyParts`). */
export const DELIVERED_MID = eventBodyParts('delivered', 'device-connected', false, 0, null).mid;

export function deliveredTail(now: number): string {
  return eventBodyParts('delivered', 'device-connected', false, now, null).tail;
}

/** The `final` event's parts of a fast ack, as `[mid, tail]`. */
export function finalBodyParts(
  ack: AckInput,
  state: 'complete' | 'failed',
  result: string | null,
  now: number,
): [string, string] {
  const { mid, tail } = eventBodyParts(state, ack.status as StatusCode, true, now, result);
  return [mid, tail];
}

export function finalState(ack: AckInput): 'complete' | 'failed' {
  return ack.status === 'complete' ? 'complete' : 'failed';
}

export function resultJson(ack: AckInput): string | null {
  return ack.result === undefined ? null : JSON.stringify(ack.result);
}

import type { Context } from '../../_internal/context.ts';
import type { NewTransaction } from '../../_internal/enqueue.ts';
import { eventBodySql } from '../../_internal/outbox.ts';
import type { TxRow } from '../../_internal/rows.ts';
import type { AckInput, Delivery } from '../../types.ts';
import type { Enqueued } from '../dialect.ts';
import {
  type AckedColumns,
  acceptedBody,
  ackedRow,
  ackFast,
  type CallInRow,
  callInFast,
  DELIVERED_MID,
  deliveredTail,
  enqueuedRow,
  enqueueFast,
  finalBodyParts,
  finalState,
  resultJson,
  toDeliveries,
} from './fast.ts';
import type { PlanGate } from './plan-gate.ts';
import { SERVER_NOW_MS } from './server-clock.ts';

// Group commit of the PostgreSQL fast paths (_internal/batch.ts): several concurrent
// enqueues, call-ins or final acks as one statement and one commit. A batch
// of one runs the single-row statement of fast.ts. Each row keeps exactly
// the effects of its single-row statement: same ids, rows, events and checks.
//
// The updates find their locked rows by `ctid = ANY(ARRAY(…))`. While
// `txq_tx` is small they run unprepared, planned on every call: prepared on
// a new table, their generic plan was a hash join over a sequential scan,
// kept as the table grew (8,300 rows read per batch after 8,000 cycles).
// Once the table is big enough that ten TID lookups beat a scan in any plan
// (plan-gate.ts), they are prepared: parsing and planning a batch on every
// call was the server's top cost at 16 in flight.

/** A PostgreSQL driver that can run a statement unprepared (core's `queryUnprepared`). */
interface Unprepared {
  queryUnprepared<Row extends Record<string, unknown>>(
    sql: string,
    params?: readonly (string | number | null)[],
  ): Promise<Row[]>;
}

function run<Row extends Record<string, unknown>>(
  context: Context,
  plans: PlanGate,
  sql: string,
  params: readonly string[],
): Promise<Row[]> {
  const driver = context.storage as typeof context.storage & Partial<Unprepared>;
  return typeof driver.queryUnprepared === 'function' && !plans.prepared
    ? driver.queryUnprepared<Row>(sql, params)
    : context.storage.query<Row>(sql, params);
}

/** A fast enqueue waiting for its batch. */
export interface EnqueueItem {
  readonly transaction: NewTransaction;
  readonly now: number;
}

const ENQUEUE_MANY_SQL = `WITH r AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json)
         AS r(ord int, target text, kind text, tag text, payload text, deadline bigint, notify text, now bigint, body text)),
     n AS MATERIALIZED (SELECT target, count(*) AS k FROM r GROUP BY target ORDER BY target),
     c AS (INSERT INTO txq_counter (target, next) SELECT target, k FROM n ORDER BY target
       ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + excluded.next
       RETURNING target, next, coalesce(listen_until >= ${SERVER_NOW_MS}, false) AS listening),
     x AS MATERIALIZED (SELECT r.*, c.next - n.k + row_number() OVER (PARTITION BY r.target ORDER BY r.ord) AS id, c.listening
       FROM r JOIN n ON n.target = r.target JOIN c ON c.target = r.target),
     t AS (INSERT INTO txq_tx (target, id, kind, tag, payload, state, status, attempt, deadline, notify, created_at, updated_at)
       SELECT target, id, kind, tag, payload, 'queued', 'accepted', 0, deadline, notify, now, now FROM x ORDER BY ord),
     e AS (INSERT INTO txq_events (target, tx_id, body) SELECT target, id, body FROM x ORDER BY ord)
     SELECT ord, id, listening FROM x`;

/**
 * Enqueues to devices without caller ids. Ids per device come from one
 * counter upsert per device (by `k` at once, rows numbered in call order);
 * counter rows are locked in target order, as every batch does, so two
 * processes' batches cannot deadlock on them.
 */
export async function enqueueMany(context: Context, items: readonly EnqueueItem[]): Promise<(Enqueued | undefined)[]> {
  if (items.length === 1) return [await enqueueFast(context, items[0]!.transaction, items[0]!.now)];
  const rows = await context.storage.query<{ ord: number; id: number; listening: boolean }>(ENQUEUE_MANY_SQL, [
    JSON.stringify(
      items.map((item, ord) => ({
        ord,
        target: item.transaction.key,
        kind: item.transaction.kind,
        tag: item.transaction.tag ?? null,
        payload: item.transaction.payloadJson,
        deadline: item.now + item.transaction.timeoutMs,
        notify: item.transaction.notify ?? null,
        now: item.now,
        body: acceptedBody(item.transaction, item.now),
      })),
    ),
  ]);
  const out: (Enqueued | undefined)[] = items.map(() => undefined);
  for (const row of rows) {
    const index = Number(row.ord);
    out[index] = enqueuedRow(items[index]!.transaction, row, items[index]!.now);
  }
  return out;
}

/** A fast final ack waiting for its batch. */
export interface AckItem {
  readonly key: string;
  readonly ack: AckInput;
  readonly now: number;
}

const ACK_MANY_SQL = `WITH a AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json)
         AS a(ord int, target text, id bigint, attempt int, state text, status text, result text, now bigint, mid text, tail text)),
     pick AS MATERIALIZED (SELECT a.*, x.tid FROM a CROSS JOIN LATERAL (SELECT ctid AS tid FROM txq_tx
         WHERE target = a.target AND id = a.id AND attempt = a.attempt AND attempt > 0 AND finished_at IS NULL AND parent_target IS NULL
           AND deadline > a.now AND (cancel_deadline IS NULL OR cancel_deadline > a.now) FOR UPDATE) x ORDER BY a.target, a.id),
     done AS (UPDATE txq_tx t SET state = pick.state, status = pick.status, result = pick.result, finished_at = pick.now, updated_at = pick.now,
         lease_until = NULL
       FROM pick WHERE t.ctid = ANY(ARRAY(SELECT tid FROM pick)) AND t.ctid = pick.tid
       RETURNING pick.ord, pick.mid, pick.tail, t.target, t.id, t.client_id, t.kind, t.tag, t.payload, t.notify, t.deadline,
         t.cancel_deadline, t.progress, t.created_at),
     e AS (INSERT INTO txq_events (target, tx_id, body)
       SELECT target, id, ${eventBodySql('final', 'mid', 'tail')} FROM done ORDER BY ord)
     SELECT ord, client_id, kind, tag, payload, notify, deadline, cancel_deadline, progress, created_at FROM done`;

/**
 * Final complete or failure acks of stand-alone transactions under their
 * current attempts, before their deadlines; an ack whose row does not match
 * gets undefined (the caller's general path decides what it is). Rows are
 * found and locked by key one at a time (an index lookup per ack), then
 * updated by ctid (docs/decisions/txqueue-003-round-trips.md).
 */
export async function ackMany(
  context: Context,
  plans: PlanGate,
  items: readonly AckItem[],
): Promise<(TxRow | undefined)[]> {
  if (items.length === 1) return [await ackFast(context, items[0]!.key, items[0]!.ack, items[0]!.now)];
  const rows = await run<AckedColumns & { ord: number }>(context, plans, ACK_MANY_SQL, [
    JSON.stringify(
      items.map((item, ord) => {
        const state = finalState(item.ack);
        const result = resultJson(item.ack);
        const [mid, tail] = finalBodyParts(item.ack, state, result, item.now);
        return {
          ord,
          target: item.key,
          id: item.ack.transactionId,
          attempt: item.ack.attempt,
          state,
          status: item.ack.status,
          result,
          now: item.now,
          mid,
          tail,
        };
      }),
    ),
  ]);
  const out: (TxRow | undefined)[] = items.map(() => undefined);
  for (const row of rows) {
    const index = Number(row.ord);
    out[index] = ackedRow(items[index]!.key, items[index]!.ack, row, items[index]!.now);
  }
  return out;
}

/** A fast call-in waiting for its batch (at most one per device in a batch). */
export interface CallInItem {
  readonly key: string;
  readonly limit: number;
  readonly now: number;
}

const CALL_IN_MANY_SQL = `WITH r AS MATERIALIZED (SELECT * FROM json_to_recordset($1::json) AS r(ord int, target text, lim int, now bigint, lease bigint, tail text)),
     pick AS MATERIALIZED (SELECT r.ord, r.now, r.lease, r.tail, x.tid FROM r CROSS JOIN LATERAL (SELECT ctid AS tid FROM txq_tx
         WHERE target = r.target AND finished_at IS NULL AND (lease_until IS NULL OR lease_until <= r.now) AND deadline > r.now
           AND (cancel_deadline IS NULL OR cancel_deadline > r.now)
         ORDER BY id LIMIT r.lim FOR UPDATE SKIP LOCKED) x),
     claimed AS (UPDATE txq_tx t SET attempt = CASE WHEN t.state = 'cancelling' THEN t.attempt ELSE t.attempt + 1 END,
         state = CASE WHEN t.state = 'queued' THEN 'delivered' ELSE t.state END, lease_until = pick.lease, updated_at = pick.now
       FROM pick WHERE t.ctid = ANY(ARRAY(SELECT tid FROM pick)) AND t.ctid = pick.tid
       RETURNING pick.ord, pick.tail, t.*),
     due AS (SELECT r.ord, (SELECT count(*) FROM txq_tx WHERE target = r.target AND finished_at IS NULL
         AND (deadline <= r.now OR cancel_deadline <= r.now)) AS n FROM r),
     e AS (INSERT INTO txq_events (target, tx_id, body)
       SELECT target, id, ${eventBodySql('delivered', '$2::text', 'tail')}
       FROM claimed WHERE attempt = 1 AND state = 'delivered' AND parent_target IS NULL ORDER BY ord, id)
     SELECT due.ord, claimed.id, claimed.attempt, claimed.kind, claimed.tag, claimed.payload, claimed.state, claimed.deadline,
       claimed.parent_target, claimed.parent_id, due.n AS due_n
     FROM (SELECT set_config('synchronous_commit', 'off', true)) AS cfg, due LEFT JOIN claimed ON claimed.ord = due.ord`;

/**
 * Call-ins of several devices: each device's pick is its own `LIMIT … FOR
 * UPDATE SKIP LOCKED` lookup in the pending index, the update joins the
 * picks by ctid, as the single-device statement does (fast.ts), and the
 * statement commits without a WAL flush, as that one does (decision 002).
 */
export async function callInMany(
  context: Context,
  plans: PlanGate,
  items: readonly CallInItem[],
): Promise<{ deliveries: Delivery[]; due: number }[]> {
  if (items.length === 1) return [await callInFast(context, items[0]!.key, items[0]!.limit, items[0]!.now)];
  const rows = await run<CallInRow & { ord: number }>(context, plans, CALL_IN_MANY_SQL, [
    JSON.stringify(
      items.map((item, ord) => ({
        ord,
        target: item.key,
        lim: item.limit,
        now: item.now,
        lease: item.now + context.redeliverAfterMs,
        tail: deliveredTail(item.now),
      })),
    ),
    DELIVERED_MID,
  ]);
  const byOrd: CallInRow[][] = items.map(() => []);
  for (const row of rows) byOrd[Number(row.ord)]!.push(row);
  return Promise.all(
    byOrd.map(async (got) => ({ deliveries: await toDeliveries(context, got), due: Number(got[0]?.due_n ?? 0) })),
  );
}

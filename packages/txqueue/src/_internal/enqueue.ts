import type { SqlExecutor } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { TxKind } from '../types.ts';
import { type Ctx, type Effects, jsonStrings } from './context.ts';
import { settleParent } from './finish.ts';
import { deviceKey } from './keys.ts';
import { recordEvent } from './outbox.ts';
import type { TxRow } from './rows.ts';
import { EVENT_SEQ_KEY } from './schema.ts';
import { SERVER_NOW_MS } from './wake.ts';

/** An enqueue after validation: payload already canonical JSON text. */
export interface NewTransaction {
  readonly key: string;
  readonly kind: TxKind;
  readonly tag: string | undefined;
  readonly payloadJson: string;
  readonly timeoutMs: number;
  readonly notify: string | undefined;
  readonly clientId: string | undefined;
  /** Sorted, distinct member devices for a group target. */
  readonly members: readonly string[] | undefined;
  /** A group target's `member` events (ignored for a device). */
  readonly memberEvents: boolean;
}

/** Next id of a target: per-target counter, so ids are unique and increasing (manual §7.2). */
export async function nextId(tx: SqlExecutor, key: string): Promise<number> {
  const [row] = await tx.query<{ next: number }>(
    'INSERT INTO txq_counter (target, next) VALUES ($1, 1) ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1 RETURNING next',
    [key],
  );
  return Number(row!.next);
}

/** Finds a transaction by the caller's id; a different kind, tag or payload under that id is a conflict. */
export async function findByClientId(tx: SqlExecutor, t: NewTransaction): Promise<TxRow | undefined> {
  if (t.clientId === undefined) return undefined;
  const [row] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND client_id = $2', [t.key, t.clientId]);
  if (!row) return undefined;
  if (row.kind !== t.kind || row.tag !== (t.tag ?? null) || row.payload !== t.payloadJson) {
    throw new TxQueueError(
      TxQueueErrorCode.IdempotencyConflict,
      `Cannot enqueue client id "${t.clientId}" again: it names transaction ${row.id} with a different kind, tag or payload`,
      {
        details: { target: t.key.slice(2), clientId: t.clientId, transactionId: Number(row.id) },
      },
    );
  }
  return row;
}

/**
 * SQLite: the highest id a target has had, stored or deleted (schema.ts
 * `sqliteIdTrigger` records a deleted newest one), for a target expression.
 * The record is looked up only when some target has one (a query SQLite
 * runs once per statement), not once per member of a fan-out
 * (docs/decisions/txqueue-005-sqlite-pages.md).
 */
const sqliteLastId = (target: string): string =>
  `max(coalesce((SELECT max(t.id) FROM txq_tx t WHERE t.target = ${target}), 0),
    CASE WHEN (SELECT 1 FROM txq_counter WHERE target <> '${EVENT_SEQ_KEY}' LIMIT 1) IS NULL THEN 0
      ELSE coalesce((SELECT c.next FROM txq_counter c WHERE c.target = ${target}), 0) END)`;

const SQLITE_NEXT_ID = `SELECT ${sqliteLastId('$1')} + 1 AS next`;

/**
 * Next transaction id of a target. On SQLite, the highest id it has had plus
 * one: a write transaction has the database to itself (BEGIN IMMEDIATE), so
 * this is unique and increasing without a counter row to write on every
 * enqueue (one page fewer per enqueue). PostgreSQL writers run concurrently
 * and take the counter row.
 */
async function nextTxId(tx: SqlExecutor, ctx: Ctx, key: string): Promise<number> {
  if (ctx.pg) return nextId(tx, key);
  const [row] = await tx.query<{ next: number }>(SQLITE_NEXT_ID, [key]);
  return Number(row!.next);
}

/** Stores a transaction (and for a group, one sub-transaction per member) with its `accepted` event. */
export async function insertTransaction(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  t: NewTransaction,
  now: number,
): Promise<TxRow> {
  const id = await nextTxId(tx, ctx, t.key);
  const deadline = now + t.timeoutMs;
  const group = t.members !== undefined;
  const zero = group ? 0 : null;
  const row: TxRow = {
    target: t.key,
    id,
    client_id: t.clientId ?? null,
    kind: t.kind,
    tag: t.tag ?? null,
    payload: t.payloadJson,
    state: 'queued',
    status: 'accepted',
    attempt: 0,
    lease_until: null,
    deadline,
    cancel_deadline: null,
    parent_target: null,
    parent_id: null,
    notify: t.notify ?? null,
    progress: null,
    result: null,
    total: group ? t.members!.length : null,
    finished: zero,
    n_complete: zero,
    n_timed_out: zero,
    n_cancelled: zero,
    member_events: group && t.memberEvents ? 1 : null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  await tx.run(
    `INSERT INTO txq_tx (target, id, client_id, kind, tag, payload, state, status, attempt, deadline, notify,
       total, finished, n_complete, n_timed_out, n_cancelled, member_events, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'queued', 'accepted', 0, $7, $8, $9, $10, $10, $10, $10, $11, $12, $12)`,
    [
      t.key,
      id,
      row.client_id,
      t.kind,
      row.tag,
      t.payloadJson,
      deadline,
      row.notify,
      row.total,
      zero,
      row.member_events,
      now,
    ],
  );
  await recordEvent(tx, fx, row, 'accepted', now);
  fx.deadline = Math.min(fx.deadline, deadline);
  if (!group) {
    fx.wake.add(t.key);
    return row;
  }
  if (t.members!.length === 0) {
    // manual §7.3: the parent completes when every sub-transaction has; with none, at once
    await settleParent(tx, fx, row, now);
    const [done] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND id = $2', [t.key, id]);
    return done!;
  }
  await fanOut(tx, ctx, fx, t.members!, { parent: row, deadline }, now);
  return row;
}

interface SubSpec {
  /** The group transaction: kind and tag are copied, the payload stays on it. */
  readonly parent: Pick<TxRow, 'target' | 'id' | 'kind' | 'tag'>;
  readonly deadline: number;
}

/**
 * Creates one sub-transaction per member (manual §7.3 steps 3–8) in two
 * set-based statements, whatever the group size: per-device ids come from
 * the per-device counters, the payload stays on the parent row. Every member
 * is woken here; on PostgreSQL, the members a call-in or a watcher in some
 * process listens on are woken there too (read from the counter rows the
 * statement locks anyway, as a device enqueue does: wake.ts).
 */
export async function fanOut(
  tx: SqlExecutor,
  ctx: Ctx,
  fx: Effects,
  members: readonly string[],
  s: SubSpec,
  now: number,
): Promise<void> {
  const list = JSON.stringify(members);
  const source = jsonStrings(ctx, '$1');
  const params = [list, s.parent.kind, s.parent.tag, s.deadline, s.parent.target, s.parent.id, now];
  if (!ctx.pg) {
    // ids as in nextTxId: each member's highest id plus one (members are distinct)
    await tx.run(
      `INSERT INTO txq_tx (target, id, kind, tag, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
       SELECT 'd:' || j.value, ${sqliteLastId("'d:' || j.value")} + 1,
         $2, $3, 'queued', 'accepted', 0, $4, $5, $6, $7, $7
       FROM ${source}`,
      params,
    );
    for (const m of members) fx.wakeHere.add(deviceKey(m));
    return;
  }
  const listening = await tx.query<{ target: string }>(
    `WITH c AS (INSERT INTO txq_counter (target, next) SELECT 'd:' || j.value, 1 FROM ${source} WHERE true
       ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1 RETURNING target, listen_until)
     SELECT target FROM c WHERE listen_until >= ${SERVER_NOW_MS}`,
    [list],
  );
  await tx.run(
    `INSERT INTO txq_tx (target, id, kind, tag, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
     SELECT c.target, c.next, $2, $3, 'queued', 'accepted', 0, $4, $5, $6, $7, $7
     FROM ${source} JOIN txq_counter c ON c.target = 'd:' || j.value`,
    params,
  );
  const remote = new Set(listening.map((r) => r.target));
  for (const m of members) {
    const key = deviceKey(m);
    (remote.has(key) ? fx.wake : fx.wakeHere).add(key);
  }
}

import type { SqlExecutor } from '@fleetkit/core';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { TxKind } from '../types.ts';
import { type Ctx, type Effects, jsonStrings } from './context.ts';
import { settleParent } from './finish.ts';
import { recordEvent } from './outbox.ts';
import type { TxRow } from './rows.ts';
import { EVENT_SEQ_KEY } from './schema.ts';

/** An enqueue after validation: payload already canonical JSON text. */
export interface NewTransaction {
  readonly key: string;
  readonly kind: TxKind;
  readonly payloadJson: string;
  readonly timeoutMs: number;
  readonly notify: string | undefined;
  readonly clientId: string | undefined;
  /** Sorted, distinct member devices for a group target. */
  readonly members: readonly string[] | undefined;
}

/** Next id of a target: per-target counter, so ids are unique and increasing (manual §7.2). */
export async function nextId(tx: SqlExecutor, key: string): Promise<number> {
  const [row] = await tx.query<{ next: number }>(
    'INSERT INTO txq_counter (target, next) VALUES ($1, 1) ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1 RETURNING next',
    [key],
  );
  return Number(row!.next);
}

/** Finds a transaction by the caller's id; a different kind or payload under that id is a conflict. */
export async function findByClientId(tx: SqlExecutor, t: NewTransaction): Promise<TxRow | undefined> {
  if (t.clientId === undefined) return undefined;
  const [row] = await tx.query<TxRow>('SELECT * FROM txq_tx WHERE target = $1 AND client_id = $2', [t.key, t.clientId]);
  if (!row) return undefined;
  if (row.kind !== t.kind || row.payload !== t.payloadJson) {
    throw new TxQueueError(
      TxQueueErrorCode.IdempotencyConflict,
      `Cannot enqueue client id "${t.clientId}" again: it names transaction ${row.id} with a different kind or payload`,
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
 * runs once per statement): a fan-out to 10k members took 25 % longer
 * with a lookup per member.
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
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
  await tx.run(
    `INSERT INTO txq_tx (target, id, client_id, kind, payload, state, status, attempt, deadline, notify,
       total, finished, n_complete, n_timed_out, n_cancelled, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'queued', 'accepted', 0, $6, $7, $8, $9, $9, $9, $9, $10, $10)`,
    [t.key, id, row.client_id, t.kind, t.payloadJson, deadline, row.notify, row.total, zero, now],
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
  await fanOut(tx, ctx, t.members!, { kind: t.kind, deadline, parentKey: t.key, parentId: id }, now);
  fx.wakeAll = true;
  return row;
}

interface SubSpec {
  readonly kind: TxKind;
  readonly deadline: number;
  readonly parentKey: string;
  readonly parentId: number;
}

/**
 * Creates one sub-transaction per member (manual §7.3 steps 3–8) in two
 * set-based statements, whatever the group size: per-device ids come from
 * the per-device counters, the payload stays on the parent row.
 */
export async function fanOut(
  tx: SqlExecutor,
  ctx: Ctx,
  members: readonly string[],
  s: SubSpec,
  now: number,
): Promise<void> {
  const list = JSON.stringify(members);
  const source = jsonStrings(ctx, '$1');
  if (!ctx.pg) {
    // ids as in nextTxId: each member's highest id plus one (members are distinct)
    await tx.run(
      `INSERT INTO txq_tx (target, id, kind, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
       SELECT 'd:' || j.value, ${sqliteLastId("'d:' || j.value")} + 1,
         $2, 'queued', 'accepted', 0, $3, $4, $5, $6, $6
       FROM ${source}`,
      [list, s.kind, s.deadline, s.parentKey, s.parentId, now],
    );
    return;
  }
  await tx.run(
    `INSERT INTO txq_counter (target, next) SELECT 'd:' || j.value, 1 FROM ${source} WHERE true
     ON CONFLICT (target) DO UPDATE SET next = txq_counter.next + 1`,
    [list],
  );
  await tx.run(
    `INSERT INTO txq_tx (target, id, kind, state, status, attempt, deadline, parent_target, parent_id, created_at, updated_at)
     SELECT c.target, c.next, $2, 'queued', 'accepted', 0, $3, $4, $5, $6, $6
     FROM ${source} JOIN txq_counter c ON c.target = 'd:' || j.value`,
    [list, s.kind, s.deadline, s.parentKey, s.parentId, now],
  );
}

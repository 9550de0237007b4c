import type { StatusCode } from '../status.ts';
import type { Delivery, GroupCounts, Transaction, TxKind, TxState } from '../types.ts';
import { parseTargetKey } from './keys.ts';

/** A `txq_tx` row as both dialects return it (int8 arrives as number). */
export interface TxRow {
  readonly target: string;
  readonly id: number;
  readonly client_id: string | null;
  readonly kind: string;
  readonly tag: string | null;
  readonly payload: string | null;
  readonly state: string;
  readonly status: string;
  readonly attempt: number;
  readonly lease_until: number | null;
  readonly deadline: number;
  readonly cancel_deadline: number | null;
  readonly parent_target: string | null;
  readonly parent_id: number | null;
  readonly notify: string | null;
  readonly progress: string | null;
  readonly result: string | null;
  readonly total: number | null;
  readonly finished: number | null;
  readonly n_complete: number | null;
  readonly n_timed_out: number | null;
  readonly n_cancelled: number | null;
  /** A group transaction's opt-in to `member` events: 1, else null. */
  readonly member_events: number | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly finished_at: number | null;
  readonly [column: string]: unknown;
}

/**
 * A row as an object of one fixed shape. node:sqlite returns each row as a
 * dictionary-mode object, and spreading one into a changed copy was the
 * largest JavaScript item of a SQLite cycle (decision 005).
 * Extra columns (SQLite's `last_event`) are left out: nothing reads them.
 */
export function plainRow(row: TxRow): TxRow {
  return {
    target: row.target,
    id: row.id,
    client_id: row.client_id,
    kind: row.kind,
    tag: row.tag,
    payload: row.payload,
    state: row.state,
    status: row.status,
    attempt: row.attempt,
    lease_until: row.lease_until,
    deadline: row.deadline,
    cancel_deadline: row.cancel_deadline,
    parent_target: row.parent_target,
    parent_id: row.parent_id,
    notify: row.notify,
    progress: row.progress,
    result: row.result,
    total: row.total,
    finished: row.finished,
    n_complete: row.n_complete,
    n_timed_out: row.n_timed_out,
    n_cancelled: row.n_cancelled,
    member_events: row.member_events,
    created_at: row.created_at,
    updated_at: row.updated_at,
    finished_at: row.finished_at,
  };
}

export const finalStates: ReadonlySet<string> = new Set(['complete', 'failed', 'timed-out', 'cancelled']);

export function isFinal(row: TxRow): boolean {
  return row.finished_at !== null;
}

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** Whether a group transaction emits `member` events (PostgreSQL and SQLite both store 1). */
export function memberEvents(row: TxRow): boolean {
  return row.member_events !== null && Number(row.member_events) === 1;
}

/** The group counters of a parent row. */
export function countsOf(row: TxRow): GroupCounts | undefined {
  if (row.total === null) return undefined;
  const finished = Number(row.finished);
  const complete = Number(row.n_complete);
  const timedOut = Number(row.n_timed_out);
  const cancelled = Number(row.n_cancelled);
  return {
    total: Number(row.total),
    finished,
    complete,
    failed: finished - complete - timedOut - cancelled,
    timedOut,
    cancelled,
  };
}

/** The public view of a row; `payload` comes from the parent for sub-transactions. */
export function toTransaction(row: TxRow, payload: unknown): Transaction {
  // optional members assigned, not spread in: one object instead of one per
  // member (as outbox.ts eventBody); the key order is the assignment order
  const transaction: { -readonly [K in keyof Transaction]?: Transaction[K] } = {
    target: parseTargetKey(row.target),
    id: Number(row.id),
  };
  if (row.client_id !== null) transaction.clientId = row.client_id;
  transaction.kind = row.kind as TxKind;
  if (row.tag !== null) transaction.tag = row.tag;
  transaction.payload = payload;
  transaction.state = row.state as TxState;
  transaction.status = row.status as StatusCode;
  transaction.final = isFinal(row);
  transaction.attempt = Number(row.attempt);
  if (row.notify !== null) transaction.notify = row.notify;
  transaction.deadline = Number(row.deadline);
  if (row.cancel_deadline !== null) transaction.cancelDeadline = Number(row.cancel_deadline);
  transaction.createdAt = Number(row.created_at);
  transaction.updatedAt = Number(row.updated_at);
  if (row.finished_at !== null) transaction.finishedAt = Number(row.finished_at);
  if (row.progress !== null) transaction.progress = parseJson(row.progress);
  if (row.result !== null) transaction.result = parseJson(row.result);
  if (row.parent_target !== null) transaction.parent = { group: row.parent_target.slice(2), id: Number(row.parent_id) };
  const counts = countsOf(row);
  if (counts !== undefined) transaction.counts = counts;
  if (memberEvents(row)) transaction.memberEvents = true;
  return transaction as Transaction;
}

/** A claimed row as the device gets it; `payload` comes from the parent for sub-transactions. */
export function toDelivery(
  row: Pick<TxRow, 'id' | 'attempt' | 'kind' | 'tag' | 'state' | 'deadline' | 'parent_target' | 'parent_id'>,
  payload: unknown,
): Delivery {
  const delivery: { -readonly [K in keyof Delivery]?: Delivery[K] } = {
    transactionId: Number(row.id),
    attempt: Number(row.attempt),
    kind: row.kind as TxKind,
  };
  if (row.tag !== null) delivery.tag = row.tag;
  delivery.payload = payload;
  delivery.action = row.state === 'cancelling' ? 'cancel' : 'execute';
  delivery.deadline = Number(row.deadline);
  if (row.parent_target !== null) delivery.parent = { group: row.parent_target.slice(2), id: Number(row.parent_id) };
  return delivery as Delivery;
}

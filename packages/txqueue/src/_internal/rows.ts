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
export function plainRow(r: TxRow): TxRow {
  return {
    target: r.target,
    id: r.id,
    client_id: r.client_id,
    kind: r.kind,
    tag: r.tag,
    payload: r.payload,
    state: r.state,
    status: r.status,
    attempt: r.attempt,
    lease_until: r.lease_until,
    deadline: r.deadline,
    cancel_deadline: r.cancel_deadline,
    parent_target: r.parent_target,
    parent_id: r.parent_id,
    notify: r.notify,
    progress: r.progress,
    result: r.result,
    total: r.total,
    finished: r.finished,
    n_complete: r.n_complete,
    n_timed_out: r.n_timed_out,
    n_cancelled: r.n_cancelled,
    member_events: r.member_events,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
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
  const t: { -readonly [K in keyof Transaction]?: Transaction[K] } = {
    target: parseTargetKey(row.target),
    id: Number(row.id),
  };
  if (row.client_id !== null) t.clientId = row.client_id;
  t.kind = row.kind as TxKind;
  if (row.tag !== null) t.tag = row.tag;
  t.payload = payload;
  t.state = row.state as TxState;
  t.status = row.status as StatusCode;
  t.final = isFinal(row);
  t.attempt = Number(row.attempt);
  if (row.notify !== null) t.notify = row.notify;
  t.deadline = Number(row.deadline);
  if (row.cancel_deadline !== null) t.cancelDeadline = Number(row.cancel_deadline);
  t.createdAt = Number(row.created_at);
  t.updatedAt = Number(row.updated_at);
  if (row.finished_at !== null) t.finishedAt = Number(row.finished_at);
  if (row.progress !== null) t.progress = parseJson(row.progress);
  if (row.result !== null) t.result = parseJson(row.result);
  if (row.parent_target !== null) t.parent = { group: row.parent_target.slice(2), id: Number(row.parent_id) };
  const counts = countsOf(row);
  if (counts !== undefined) t.counts = counts;
  if (memberEvents(row)) t.memberEvents = true;
  return t as Transaction;
}

/** A claimed row as the device gets it; `payload` comes from the parent for sub-transactions. */
export function toDelivery(
  row: Pick<TxRow, 'id' | 'attempt' | 'kind' | 'tag' | 'state' | 'deadline' | 'parent_target' | 'parent_id'>,
  payload: unknown,
): Delivery {
  const d: { -readonly [K in keyof Delivery]?: Delivery[K] } = {
    transactionId: Number(row.id),
    attempt: Number(row.attempt),
    kind: row.kind as TxKind,
  };
  if (row.tag !== null) d.tag = row.tag;
  d.payload = payload;
  d.action = row.state === 'cancelling' ? 'cancel' : 'execute';
  d.deadline = Number(row.deadline);
  if (row.parent_target !== null) d.parent = { group: row.parent_target.slice(2), id: Number(row.parent_id) };
  return d as Delivery;
}

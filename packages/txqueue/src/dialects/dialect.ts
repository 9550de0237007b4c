import type { SqlDriver, SqlExecutor } from '@fleetkit/core';
import type { Context, Operation } from '../_internal/context.ts';
import type { NewTransaction } from '../_internal/enqueue.ts';
import type { TxRow } from '../_internal/rows.ts';
import type { AckInput, Delivery } from '../types.ts';

/**
 * What the engine does differently on each SQL dialect, behind one object
 * per dialect (sqlite.ts, postgres.ts), chosen once per engine from the
 * driver (index.ts). Everything else in the engine runs the same statements
 * on both.
 */
export interface Dialect {
  /** Appended to a SELECT that must lock its rows for the transaction (` FOR UPDATE`), or empty. */
  readonly forUpdate: string;
  /** As {@link forUpdate}, passing over rows another writer holds (` FOR UPDATE SKIP LOCKED`), or empty. */
  readonly skipLocked: string;
  /** A set-returning source of the strings in a JSON array parameter, as `j(value)`. */
  jsonStrings(parameter: string): string;
  /** A SELECT of `target, id` rows from a JSON array parameter of `[target, id]` pairs. */
  jsonPairs(parameter: string): string;
  /** Creates the tables, or brings older ones up to date; safe when several processes open at once. */
  ensureSchema(storage: SqlDriver): Promise<void>;
  /** Creates the index of finished transactions by finish time (retention.ts). */
  ensureFinishedIndex(storage: SqlDriver): Promise<void>;
  /** What an engine does once the tables exist, before it serves calls. */
  opened(storage: SqlDriver): Promise<void>;
  /** The next id of a target: unique and increasing (manual §7.2). */
  nextTransactionId(sql: SqlExecutor, key: string): Promise<number>;
  /**
   * Creates one sub-transaction per member of a group transaction, and adds
   * each member to the devices the operation wakes.
   */
  insertSubTransactions(operation: Operation, members: readonly string[], source: SubTransactionSource): Promise<void>;
  /** The statement writing one outbox event: `$1` target, `$2` transaction id, `$3` body. */
  readonly insertEventSql: string;
  /**
   * Leases up to `limit` outbox events until `leaseUntil`: events whose
   * earlier events (of the same transaction) are all gone or leased by this
   * very claim, so a transaction's events are handed out in order and
   * several of them may go in one claim (dispatcher.ts).
   */
  claimEvents(storage: SqlDriver, claim: EventClaim): Promise<EventRow[]>;
  /** Times out up to `limit` open transactions due by `column` at `now`, oldest first; returns them as updated. */
  timeOutDue(sql: SqlExecutor, column: DeadlineColumn, limit: number, now: number): Promise<TxRow[]>;
  /** One-statement forms of the common steps, for one engine; undefined: every step takes the general path. */
  fastPaths(context: Context): FastPaths | undefined;
  /** How engines sharing the store wake each other, for one engine; undefined when one process owns the store. */
  notifier(storage: SqlDriver): Notifier | undefined;
}

/** A group transaction whose sub-transactions are being created. */
export interface SubTransactionSource {
  /** The group transaction: kind and tag are copied, the payload stays on it. */
  readonly parent: Pick<TxRow, 'target' | 'id' | 'kind' | 'tag'>;
  readonly deadline: number;
}

export type DeadlineColumn = 'deadline' | 'cancel_deadline';

/** One claim of outbox events. */
export interface EventClaim {
  readonly now: number;
  readonly leaseUntil: number;
  readonly limit: number;
}

/** An outbox event as a claim returns it (a type, not an interface: rows are indexable by column). */
export type EventRow = {
  readonly seq: number;
  readonly target: string;
  readonly tx_id: number;
  readonly body: string;
  readonly attempts: number;
};

/** A row written by a fast enqueue, whole, and whether a call-in in some process may be waiting on its device. */
export type Enqueued = TxRow & { readonly listening: boolean };

/**
 * The common steps as one statement each, grouped with concurrent calls of
 * their kind (batch.ts). Each returns undefined for anything unusual, which
 * then takes the general path with its precise rules.
 */
export interface FastPaths {
  /** Enqueues to a device without a caller id. */
  enqueue(transaction: NewTransaction, now: number): Promise<Enqueued | undefined>;
  /** A final complete or failure ack of a stand-alone transaction under its current attempt. */
  ack(key: string, ack: AckInput, now: number): Promise<TxRow | undefined>;
  /** Hands a device its deliverable transactions; `due` counts its overdue open ones, for the caller to time out. */
  callIn(key: string, limit: number, now: number): Promise<{ deliveries: Delivery[]; due: number }>;
  /** The maintenance pass: re-reads what the statements' planning depends on. */
  refresh(): Promise<void>;
}

/** Wake-ups between engines sharing a store (wake.ts keeps the local side). */
export interface Notifier {
  /**
   * Hears the device keys other engines wake; `restored` is told when the
   * channel came back after a loss (wake-ups in between are lost). Resolves
   * to an unsubscribe.
   */
  listen(wake: (keys: readonly string[]) => void, restored: () => void): Promise<() => Promise<void>>;
  /** Records that call-ins or watches of this process may wait on `keys` for `ms` more. */
  register(keys: readonly string[], ms: number): Promise<void>;
  /** Wakes `keys` in every other engine. */
  send(keys: readonly string[]): Promise<void>;
}

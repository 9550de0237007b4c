import type { Clock, Logger, Random, SqlDriver } from '@fleetkit/core';
import type { FailureStatus, StatusCode } from './status.ts';

/** What a transaction carries (manual §7.2: configuration, package and RPC operations). */
export type TxKind = 'config' | 'rpc' | 'package';

/** Where a transaction goes: one device, or a device group that fans out (manual §7.3). */
export type Target = { readonly device: string } | { readonly group: string };

/**
 * Lifecycle state. `queued → delivered → in-progress → complete | failed`;
 * any open state may end `timed-out`; `queued` may end `cancelled` at once,
 * a delivered one goes through `cancelling` until the device confirms.
 */
export type TxState =
  | 'queued'
  | 'delivered'
  | 'in-progress'
  | 'cancelling'
  | 'complete'
  | 'failed'
  | 'timed-out'
  | 'cancelled';

/** Per-status counts of a group transaction's sub-transactions. */
export interface GroupCounts {
  readonly total: number;
  readonly finished: number;
  readonly complete: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly cancelled: number;
}

/** A transaction as stored. Times are epoch milliseconds of the injected clock. */
export interface Transaction {
  readonly target: Target;
  /** Unique per target and increasing (manual §7.2: "123" on device "1"). */
  readonly id: number;
  /** The caller's own id, if one was given (idempotency key). */
  readonly clientId?: string;
  readonly kind: TxKind;
  /** The caller's tag, if one was given (the server's RPC name, e.g. `exodemo:beep`). */
  readonly tag?: string;
  readonly payload: unknown;
  readonly state: TxState;
  readonly status: StatusCode;
  /** True once the state can no longer change. */
  readonly final: boolean;
  /** Delivery attempt: 0 before the first call-in; acks must carry the current one. */
  readonly attempt: number;
  /** Where notifications go (usually a notification URL), passed through to events. */
  readonly notify?: string;
  readonly deadline: number;
  readonly cancelDeadline?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number;
  /** The last progress report of the device. */
  readonly progress?: unknown;
  /** What the device reported with its final ack. */
  readonly result?: unknown;
  /** For a sub-transaction: the group transaction it belongs to. */
  readonly parent?: { readonly group: string; readonly id: number };
  /** For a group transaction: its sub-transactions' outcome so far. */
  readonly counts?: GroupCounts;
  /** For a group transaction enqueued with `memberEvents`: it emits a `member` event per finished member. */
  readonly memberEvents?: true;
}

/** Input of {@link TxQueue.enqueue}. */
export interface EnqueueInput {
  readonly target: Target;
  readonly kind: TxKind;
  /** Any JSON value; the device receives it unchanged. */
  readonly payload: unknown;
  /** Milliseconds until the transaction times out. Default 604 800 000 (7 days, `install-package`). */
  readonly timeoutMs?: number;
  /** Where notifications go; carried by every event of the transaction. */
  readonly notify?: string;
  /** Caller-supplied id: a repeat with the same kind, tag and payload returns the same transaction. */
  readonly clientId?: string;
  /**
   * A name the caller gives the transaction, 1..256 characters, carried by
   * the transaction, its events and its deliveries (sub-transactions
   * included). The server puts the RPC name there (`exodemo:beep`), so a
   * callback and the device's call both know the RPC without a read.
   */
  readonly tag?: string;
  /**
   * For a group target: a `member` event each time a member device's
   * sub-transaction finishes, before the group's own `progress` or `final`
   * event (manual §5.8: one notification per member device). Default false.
   */
  readonly memberEvents?: boolean;
}

/** Result of {@link TxQueue.enqueue}: the transaction, and whether this call created it. */
export interface EnqueueResult {
  readonly transaction: Transaction;
  readonly created: boolean;
}

/** Options of {@link TxQueue.push}. */
export interface PushOptions {
  /** Only these packages' staged updates. Default: all. */
  readonly packages?: readonly string[];
  readonly timeoutMs?: number;
  readonly notify?: string;
  readonly clientId?: string;
  /** See {@link EnqueueInput.tag}. */
  readonly tag?: string;
  /** See {@link EnqueueInput.memberEvents}. */
  readonly memberEvents?: boolean;
}

/** A staged configuration update (manual §7.1). */
export interface StagedUpdate {
  readonly package: string;
  readonly values: unknown;
  readonly stagedAt: number;
}

/** A transaction handed to a device at call-in. */
export interface Delivery {
  readonly transactionId: number;
  /** Delivery attempt to quote in acks; an ack with an older attempt is rejected. */
  readonly attempt: number;
  readonly kind: TxKind;
  /** The transaction's tag (the RPC to execute), if it has one. */
  readonly tag?: string;
  readonly payload: unknown;
  /** `execute` the transaction, or `cancel` it and confirm with a `cancelled` ack. */
  readonly action: 'execute' | 'cancel';
  readonly deadline: number;
  readonly parent?: { readonly group: string; readonly id: number };
}

/** Options of {@link TxQueue.callIn}. */
export interface CallInOptions {
  /** Most transactions to return. Default 100. */
  readonly limit?: number;
  /** When nothing is pending, wait up to this many ms for work (long poll). Default 0. */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
}

/** What a device reports about a transaction. */
export type AckStatus = 'progress' | 'complete' | 'cancelled' | FailureStatus;

/** Input of {@link TxQueue.ack}. */
export interface AckInput {
  readonly transactionId: number;
  readonly attempt: number;
  readonly status: AckStatus;
  /** Progress detail (with `progress`), e.g. `{ cnt: 3, of: 10 }`. */
  readonly progress?: unknown;
  /** Result detail with a final status. */
  readonly result?: unknown;
}

/** Why an ack was rejected (and never applied). */
export type AckRejection =
  | 'unknown-transaction'
  | 'not-delivered'
  | 'stale-attempt'
  | 'timed-out'
  | 'cancelled'
  | 'already-final'
  | 'not-cancelling';

/** Outcome of {@link TxQueue.ack}. */
export type AckOutcome =
  | { readonly outcome: 'applied' | 'duplicate'; readonly transaction: Transaction }
  | { readonly outcome: 'rejected'; readonly reason: AckRejection; readonly transaction?: Transaction };

/**
 * Kinds of events: one per lifecycle transition, and `member` (a group
 * transaction enqueued with `memberEvents`: one member device finished).
 */
export type TxEventType = 'accepted' | 'delivered' | 'progress' | 'cancel-requested' | 'member' | 'final';

/** Which member device a `member` event reports, and its sub-transaction there. */
export interface MemberRef {
  readonly device: string;
  /** The sub-transaction's id on that device (ids are per device). */
  readonly transactionId: number;
}

/** One lifecycle transition, delivered once to subscribers (for callbacks). */
export interface TxEvent {
  /** Outbox sequence number: unique and increasing, usable to deduplicate. */
  readonly seq: number;
  readonly type: TxEventType;
  readonly target: Target;
  readonly transactionId: number;
  readonly clientId?: string;
  readonly kind: TxKind;
  readonly tag?: string;
  /** The transaction's state; in a `member` event, the member's sub-transaction's. */
  readonly state: TxState;
  /** The transaction's status; in a `member` event, the member's outcome. */
  readonly status: StatusCode;
  readonly statusString: string;
  /** Whether the transaction (`target`, `transactionId`) is final: false in a `member` event. */
  readonly final: boolean;
  readonly notify?: string;
  readonly at: number;
  readonly progress?: unknown;
  /** In a `member` event, the member's result. */
  readonly result?: unknown;
  readonly counts?: GroupCounts;
  /** In a `member` event: the member device that finished and its sub-transaction. */
  readonly member?: MemberRef;
}

/** Handles an event; a rejection makes the event come again later. */
export type TxEventHandler = (event: TxEvent) => void | Promise<void>;

/**
 * Told that a device may have work to fetch with `callIn` (a new
 * transaction, a group's sub-transaction, a delivery whose hold ran out, a
 * cancel to hand out). A hint: a call-in may find the work already taken.
 */
export type WorkHandler = (device: string) => void | Promise<void>;

/** An outbox event whose handlers failed, waiting for its next attempt. */
export interface FailingEvent {
  readonly seq: number;
  readonly target: Target;
  readonly transactionId: number;
  readonly type: TxEventType;
  /** Failed deliveries so far. */
  readonly attempts: number;
  /** The last handler error, as text. */
  readonly lastError: string;
  /** When it is tried again (epoch ms); the transaction's later events wait for it. */
  readonly nextAttemptAt: number;
}

/** The outbox as {@link TxQueue.eventBacklog} sees it (every process's share). */
export interface EventBacklog {
  /** Events not yet delivered to every handler. */
  readonly pending: number;
  /** Of those, how many failed at least once. */
  readonly failingTotal: number;
  /** The failing ones, oldest first, up to the limit asked for. */
  readonly failing: readonly FailingEvent[];
}

/** The server's view of device groups (manual §7.3); txqueue never stores membership. */
export interface GroupResolver {
  /** The group's member device ids now. */
  members(group: string): Promise<readonly string[]> | readonly string[];
}

/** Options of {@link openTxQueue}. */
export interface TxQueueOptions {
  /** SQL storage. Default: an in-memory SQLite database (`memoryStorage()`). */
  readonly storage?: SqlDriver;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  readonly groups?: GroupResolver;
  /** A delivered transaction is handed out again after this many ms without an ack. Default 30 000. */
  readonly redeliverAfterMs?: number;
  /** Deadline of a device-confirmed cancel. Default 300 000. */
  readonly cancelTimeoutMs?: number;
  /** Default transaction timeout. Default 604 800 000 (7 days). */
  readonly defaultTimeoutMs?: number;
  /** Longest wait between maintenance passes (timeouts of other processes, event retries). Default 1000. */
  readonly tickMs?: number;
  /**
   * An event whose handler failed is tried again after this many ms, then
   * after twice as long on each further failure, up to `eventRetryMaxMs`.
   * Default 5000.
   */
  readonly eventRetryMs?: number;
  /** The longest wait between two attempts of a failing event. Default 300 000 (or `eventRetryMs`, if larger). */
  readonly eventRetryMaxMs?: number;
  /**
   * Finished transactions are deleted by the maintenance pass this many ms
   * after they finished (`queue.purge`). Default: kept for ever. Setting it
   * adds an index on finish time, one more entry written per finishing ack.
   */
  readonly retainFinishedMs?: number;
}

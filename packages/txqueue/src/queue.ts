// The public face of the queue: each method checks its input and hands it to
// the engine's parts (_internal/engine.ts for writes, wake-ups and the
// timer; submit.ts for queuing; device.ts for call-ins and acks).

import { requestCancel } from './_internal/cancel.ts';
import { canonicalJson } from './_internal/canonical-json.ts';
import { acknowledge, callIn } from './_internal/device.ts';
import { eventBacklog } from './_internal/dispatcher.ts';
import { Engine } from './_internal/engine.ts';
import { deviceKey, groupKey, targetKey } from './_internal/keys.ts';
import { joinGroup, leaveGroup } from './_internal/membership.ts';
import { countOpen, readChildren, readList, readOne } from './_internal/reads.ts';
import { stagedRows, stageUpdate } from './_internal/staging.ts';
import { enqueueTransaction, pushStaged } from './_internal/submit.ts';
import type {
  AckInput,
  AckOutcome,
  CallInOptions,
  Delivery,
  EnqueueInput,
  EnqueueResult,
  EventBacklog,
  PushOptions,
  StagedUpdate,
  Target,
  Transaction,
  TxEventHandler,
  TxQueueOptions,
  TxState,
  WorkHandler,
} from './types.ts';
import { checkCount, checkId, checkName, checkTarget } from './validate.ts';

/** Opens a queue: creates the tables if needed and starts the timeout timer. */
export function openTxQueue(options: TxQueueOptions = {}): Promise<TxQueue> {
  return TxQueue.open(options);
}

/**
 * Durable per-device transaction queues with group fan-out (manual §7.1–7.3,
 * §8.3). Every method is one SQL transaction (on PostgreSQL the common case
 * is one statement); events leave through an outbox written in it.
 */
export class TxQueue {
  readonly #engine: Engine;

  private constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** See {@link openTxQueue}. */
  static async open(options: TxQueueOptions = {}): Promise<TxQueue> {
    const engine = new Engine(options);
    await engine.start();
    return new TxQueue(engine);
  }

  /** Queues a transaction for a device, or for every member of a group (manual §7.3). */
  enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    return enqueueTransaction(this.#engine, input);
  }

  /** Stages a configuration update for a target and package without sending it (manual §7.1 step 1). */
  async stage(target: Target, packageName: string, values: unknown): Promise<{ readonly staged: number }> {
    const key = targetKey(checkTarget(target));
    const name = checkName(packageName, 'package');
    const json = canonicalJson(values, 'values');
    return { staged: await this.#engine.write((operation) => stageUpdate(operation, key, name, json)) };
  }

  /** The staged updates of a target, in staging order. */
  async staged(target: Target): Promise<StagedUpdate[]> {
    const rows = await stagedRows(this.#engine.context.storage, targetKey(checkTarget(target)));
    return rows.map((row) => ({ package: row.package, values: JSON.parse(row.vals), stagedAt: Number(row.staged_at) }));
  }

  /** Turns the staged updates into one `config` transaction (manual §7.1 step 2, Fig. 9 step 8). */
  push(target: Target, options: PushOptions = {}): Promise<EnqueueResult> {
    return pushStaged(this.#engine, target, options);
  }

  /**
   * A device calls in: returns its open transactions in id order (manual
   * §7.2 steps 12–13), long-polling up to `waitMs` when there are none.
   */
  callIn(device: string, options: CallInOptions = {}): Promise<Delivery[]> {
    return callIn(this.#engine, device, options);
  }

  /** Applies a device's ack; late, stale and foreign acks are rejected and reported, never applied. */
  ack(device: string, input: AckInput): Promise<AckOutcome> {
    return acknowledge(this.#engine, device, input);
  }

  /** Cancels a transaction (see the README for the cancel protocol); final ones are returned unchanged. */
  async cancel(target: Target, id: number): Promise<Transaction> {
    const key = targetKey(checkTarget(target));
    const transactionId = checkId(id, 'id');
    const row = await this.#engine.write((operation) => requestCancel(operation, key, transactionId));
    return this.#engine.view(row);
  }

  /** One transaction, or undefined. */
  get(target: Target, id: number): Promise<Transaction | undefined> {
    return readOne(this.#engine.context, targetKey(checkTarget(target)), checkId(id, 'id'));
  }

  /** A target's transactions in id order. */
  list(
    target: Target,
    options: { readonly open?: boolean; readonly after?: number; readonly limit?: number } = {},
  ): Promise<Transaction[]> {
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return readList(
      this.#engine.context,
      targetKey(checkTarget(target)),
      options.open ?? false,
      checkId(options.after ?? 0, 'options.after'),
      limit,
    );
  }

  /** The sub-transactions of a group transaction, in device order (hidden from callbacks, open to inspection). */
  subTransactions(
    group: string,
    id: number,
    options: { readonly after?: string; readonly limit?: number } = {},
  ): Promise<Transaction[]> {
    const limit = options.limit === undefined ? 1000 : checkCount(options.limit, 'options.limit', 100_000);
    return readChildren(
      this.#engine.context,
      groupKey(checkName(group, 'group')),
      checkId(id, 'id'),
      options.after ?? '',
      limit,
    );
  }

  /** A device joined a group: it receives the group's open transactions. Returns how many. */
  memberJoined(group: string, device: string): Promise<number> {
    const groupName = checkName(group, 'group');
    const deviceName = checkName(device, 'device');
    return this.#engine.write((operation) => joinGroup(operation, groupName, deviceName));
  }

  /** A device left a group: its open sub-transactions are cancelled. */
  memberLeft(group: string, device: string): Promise<void> {
    const groupName = checkName(group, 'group');
    const deviceName = checkName(device, 'device');
    return this.#engine.write((operation) => leaveGroup(operation, groupName, deviceName));
  }

  /**
   * Calls `handler` with a device's id whenever it may have work to fetch
   * with `callIn`: a new transaction, a group's sub-transaction, a cancel to
   * hand out, or a delivery whose hold ran out with no final ack seen here
   * (a redelivery). It hears of the work this process does, and on
   * PostgreSQL of the work other processes do for the devices some process
   * waits on or watches ({@link TxQueue.watch}). A hint: the call-in may
   * find nothing. Returns an unsubscribe.
   */
  onWork(handler: WorkHandler): () => void {
    const handlers = this.#engine.workHandlers;
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  /**
   * Watches a device until the returned function is called: on PostgreSQL,
   * enqueues in other processes then wake this process's work hooks for it
   * (a push transport watches each device it holds a connection to). It
   * resolves once registered, so a call-in made after it finds every
   * transaction that no wake-up will report. With SQLite (one process) there
   * is nothing to register.
   */
  watch(device: string): Promise<() => void> {
    this.#engine.ensureOpen();
    return this.#engine.wakeups.watch(deviceKey(checkName(device, 'device')));
  }

  /**
   * Open transactions by state, device and group ones alike: the queue
   * depth a server reports. Reads the open-transactions index only.
   */
  openCounts(): Promise<Partial<Record<TxState, number>>> {
    this.#engine.ensureOpen();
    return countOpen(this.#engine.context);
  }

  /**
   * The outbox backlog, for metrics: events waiting (every process's share),
   * how many failed at least once, and the oldest failing ones (`limit`,
   * default 100) with their attempts, last error and next attempt.
   */
  eventBacklog(options: { readonly limit?: number } = {}): Promise<EventBacklog> {
    this.#engine.ensureOpen();
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return eventBacklog(this.#engine.context.storage, limit);
  }

  /** Receives every event once (from this process's share of the outbox); returns an unsubscribe. */
  subscribe(handler: TxEventHandler): () => void {
    const { dispatcher, background } = this.#engine;
    const off = dispatcher.subscribe(handler);
    background.add(dispatcher.pump());
    return off;
  }

  /**
   * Times out every due transaction, deletes finished ones past the retention
   * (`retainFinishedMs`) and dispatches pending events (the timer calls it too).
   */
  sweep(): Promise<void> {
    return this.#engine.sweep();
  }

  /**
   * Deletes the stand-alone and group transactions that finished at or before
   * `finishedBefore` (epoch ms), each group's sub-transactions with it; an
   * open group keeps its finished sub-transactions. Ids are never reused, and
   * a caller id is free again once its transaction is gone. Returns how many
   * transactions (sub-transactions included) it deleted.
   */
  purge(finishedBefore: number): Promise<number> {
    return this.#engine.purge(finishedBefore);
  }

  /** Resolves when background work (timeouts, event dispatch, wake-ups) has settled. */
  idle(): Promise<void> {
    return this.#engine.background.idle();
  }

  /** Stops the timer, finishes background work and closes storage the queue opened itself. */
  close(): Promise<void> {
    return this.#engine.close();
  }
}

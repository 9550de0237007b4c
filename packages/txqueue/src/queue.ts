import { CoreError, CoreErrorCode, createLogger, cryptoRandom, systemClock } from '@fleetkit/core';
import { applyAck } from './_internal/ack.ts';
import { Background } from './_internal/background.ts';
import { claimDeliveries } from './_internal/callin.ts';
import { requestCancel } from './_internal/cancel.ts';
import { canonicalJson } from './_internal/canonical-json.ts';
import { type Context, Effects, type Operation, PayloadCache } from './_internal/context.ts';
import { Dispatcher, eventBacklog } from './_internal/dispatcher.ts';
import { findByClientId, insertTransaction, type NewTransaction } from './_internal/enqueue.ts';
import { expireDevice, expireDue, nextDeadline } from './_internal/expire.ts';
import { Holds } from './_internal/holds.ts';
import { deviceKey, groupKey, targetKey } from './_internal/keys.ts';
import { joinGroup, leaveGroup } from './_internal/membership.ts';
import { readChildren, readList, readOne, view } from './_internal/reads.ts';
import { purgeFinished } from './_internal/retention.ts';
import type { TxRow } from './_internal/rows.ts';
import { Scheduler } from './_internal/scheduler.ts';
import { stagedRows, stageUpdate, takeStaged } from './_internal/staging.ts';
import { Waiters } from './_internal/waiters.ts';
import { Wakeups } from './_internal/wake.ts';
import type { FastPaths } from './dialects/dialect.ts';
import { dialectOf } from './dialects/index.ts';
import { invalid, TxQueueError, TxQueueErrorCode } from './errors.ts';
import { memoryStorage } from './storage.ts';
import type {
  AckInput,
  AckOutcome,
  CallInOptions,
  Delivery,
  EnqueueInput,
  EnqueueResult,
  EventBacklog,
  Target,
  Transaction,
  TxEventHandler,
  TxKind,
  TxQueueOptions,
  TxState,
  WorkHandler,
} from './types.ts';
import {
  checkAck,
  checkBoolean,
  checkCount,
  checkId,
  checkKind,
  checkMs,
  checkName,
  checkOptionalString,
  checkTarget,
} from './validate.ts';

const SWEEP_BATCH = 1000;
// deadlock, serialization failure, unique race: the whole operation is retried
const RETRY_STATES = new Set(['40P01', '40001', '23505']);

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
  readonly #context: Context;
  readonly #owned: boolean;
  readonly #waiters: Waiters;
  readonly #wakeups: Wakeups;
  readonly #dispatcher: Dispatcher;
  readonly #holds: Holds;
  readonly #workHandlers = new Set<WorkHandler>();
  readonly #background: Background;
  readonly #scheduler: Scheduler;
  /** The dialect's one-statement steps (PostgreSQL), or undefined: every step takes the general path. */
  readonly #fastPaths: FastPaths | undefined;
  /** Finished transactions are deleted this long after they finished; undefined keeps them. */
  readonly #retainFinishedMs: number | undefined;
  #closed = false;

  private constructor(options: TxQueueOptions) {
    const storage = options.storage ?? memoryStorage();
    const dialect = dialectOf(storage);
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? createLogger();
    this.#owned = options.storage === undefined;
    const tickMs = options.tickMs === undefined ? 1000 : checkMs(options.tickMs, 'options.tickMs');
    this.#retainFinishedMs =
      options.retainFinishedMs === undefined
        ? undefined
        : checkMs(options.retainFinishedMs, 'options.retainFinishedMs');
    this.#context = {
      storage,
      dialect,
      clock,
      logger,
      groups: options.groups,
      redeliverAfterMs:
        options.redeliverAfterMs === undefined ? 30_000 : checkMs(options.redeliverAfterMs, 'options.redeliverAfterMs'),
      cancelTimeoutMs:
        options.cancelTimeoutMs === undefined ? 300_000 : checkMs(options.cancelTimeoutMs, 'options.cancelTimeoutMs'),
      defaultTimeoutMs:
        options.defaultTimeoutMs === undefined
          ? 604_800_000
          : checkMs(options.defaultTimeoutMs, 'options.defaultTimeoutMs'),
      payloads: new PayloadCache(),
    };
    this.#waiters = new Waiters(clock);
    this.#wakeups = new Wakeups(
      dialect.notifier(storage),
      clock,
      (key) => this.#wakeHere(key),
      () => this.#waiters.keys(),
    );
    this.#background = new Background(logger);
    const background = (work: Promise<unknown>): void => this.#background.add(work);
    this.#scheduler = new Scheduler(clock, options.random ?? cryptoRandom, tickMs, () => this.#maintain(), background);
    this.#holds = new Holds(clock, (keys) => this.#wakeEverywhere(keys));
    this.#dispatcher = new Dispatcher(this.#context, eventRetry(options));
    this.#fastPaths = dialect.fastPaths(this.#context);
  }

  /** See {@link openTxQueue}. */
  static async open(options: TxQueueOptions = {}): Promise<TxQueue> {
    const queue = new TxQueue(options);
    const { storage, dialect } = queue.#context;
    await dialect.ensureSchema(storage);
    await dialect.opened(storage);
    if (queue.#retainFinishedMs !== undefined) await dialect.ensureFinishedIndex(storage);
    await queue.#fastPaths?.refresh();
    await queue.#wakeups.listen();
    // after a restart: the earliest open deadline (or a maintenance tick) first
    queue.#scheduler.start(await nextDeadline(storage));
    return queue;
  }

  /** Queues a transaction for a device, or for every member of a group (manual §7.3). */
  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const prepared = await this.#prepare(input.target, checkKind(input.kind), canonicalJson(input.payload), input);
    const fastPaths = this.#fastPaths;
    if (fastPaths && prepared.members === undefined && prepared.clientId === undefined) {
      const row = await this.#fast(async (effects, now) => {
        const created = await fastPaths.enqueue(prepared, now);
        if (created) {
          // a NOTIFY only when a call-in somewhere may be waiting on the device (dialects/postgres/notify.ts)
          (created.listening ? effects.wake : effects.wakeHere).add(prepared.key);
          effects.deadline = Number(created.deadline);
          effects.events = 1;
        }
        return created;
      });
      if (row) return { transaction: await this.#view(row), created: true };
    }
    const inserted = await this.#write((operation) => this.#insertOnce(operation, prepared));
    return { transaction: await this.#view(inserted.row), created: inserted.created };
  }

  /** Stages a configuration update for a target and package without sending it (manual §7.1 step 1). */
  async stage(target: Target, packageName: string, values: unknown): Promise<{ readonly staged: number }> {
    const key = targetKey(checkTarget(target));
    const name = checkName(packageName, 'package');
    const json = canonicalJson(values, 'values');
    return { staged: await this.#write((operation) => stageUpdate(operation, key, name, json)) };
  }

  /** The staged updates of a target, in staging order. */
  async staged(target: Target): Promise<StagedUpdate[]> {
    const rows = await stagedRows(this.#context.storage, targetKey(checkTarget(target)));
    return rows.map((row) => ({ package: row.package, values: JSON.parse(row.vals), stagedAt: Number(row.staged_at) }));
  }

  /** Turns the staged updates into one `config` transaction (manual §7.1 step 2, Fig. 9 step 8). */
  async push(target: Target, options: PushOptions = {}): Promise<EnqueueResult> {
    if (options.packages !== undefined && !Array.isArray(options.packages))
      throw invalid('options.packages', 'an array of package names', options.packages);
    const packages = options.packages?.map((name, i) => checkName(name, `options.packages[${i}]`));
    const key = targetKey(checkTarget(target));
    const prepared = await this.#prepare(target, 'config', '', options);
    const inserted = await this.#write(async (operation) => {
      const payloadJson = await takeStaged(operation.sql, key, packages);
      return this.#insertOnce(operation, { ...prepared, payloadJson });
    });
    return { transaction: await this.#view(inserted.row), created: inserted.created };
  }

  /**
   * A device calls in: returns its open transactions in id order (manual
   * §7.2 steps 12–13), long-polling up to `waitMs` when there are none.
   */
  async callIn(device: string, options: CallInOptions = {}): Promise<Delivery[]> {
    const key = deviceKey(checkName(device, 'device'));
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    const waitMs = options.waitMs === undefined ? 0 : checkId(options.waitMs, 'options.waitMs');
    const clock = this.#context.clock;
    const until = clock.monotonic() + waitMs;
    let registered = false;
    for (;;) {
      const remaining = until - clock.monotonic();
      const waiter =
        remaining > 0 && !options.signal?.aborted ? this.#waiters.wait(key, remaining, options.signal) : undefined;
      // before the first look: enqueues in other processes NOTIFY only for registered waits (wake.ts)
      if (waiter !== undefined && !registered) {
        registered = true;
        try {
          await this.#wakeups.register([key], remaining);
        } catch (error) {
          waiter.cancel();
          throw error;
        }
      }
      const fastPaths = this.#fastPaths;
      const out = fastPaths
        ? await this.#fast(async (effects, now) => {
            const got = await fastPaths.callIn(key, limit, now);
            effects.events = got.deliveries.length;
            // overdue ones are never handed out; they end here, not at the next sweep
            if (got.due > 0) await this.#write((operation) => expireDevice(operation, key));
            return got.deliveries;
          })
        : await this.#write((operation) => claimDeliveries(operation, key, limit));
      if (out.length > 0 || waiter === undefined) {
        waiter?.cancel();
        const heldUntil = clock.now() + this.#context.redeliverAfterMs;
        for (const delivery of out) this.#holds.hold(key, delivery.transactionId, heldUntil);
        return out;
      }
      await waiter.promise;
    }
  }

  /** Applies a device's ack; late, stale and foreign acks are rejected and reported, never applied. */
  async ack(device: string, input: AckInput): Promise<AckOutcome> {
    const key = deviceKey(checkName(device, 'device'));
    const ack = checkAck(input);
    const fastPaths = this.#fastPaths;
    if (fastPaths && ack.status !== 'progress' && ack.status !== 'cancelled') {
      const row = await this.#fast(async (effects, now) => {
        const done = await fastPaths.ack(key, ack, now);
        if (done) effects.events = 1;
        return done;
      });
      if (row) {
        this.#holds.release(key, ack.transactionId);
        return { outcome: 'applied', transaction: await this.#view(row) };
      }
    }
    const raw = await this.#write((operation) => applyAck(operation, key, ack));
    if (raw.row?.finished_at != null) this.#holds.release(key, ack.transactionId);
    else if (raw.outcome === 'applied' && raw.row?.lease_until != null)
      this.#holds.hold(key, ack.transactionId, Number(raw.row.lease_until));
    const transaction = raw.row ? await this.#view(raw.row) : undefined;
    if (raw.outcome === 'rejected') {
      this.#context.logger.warn('ack rejected', {
        device,
        transactionId: ack.transactionId,
        attempt: ack.attempt,
        status: ack.status,
        reason: raw.reason,
      });
      return { outcome: 'rejected', reason: raw.reason, ...(transaction ? { transaction } : {}) };
    }
    return { outcome: raw.outcome, transaction: transaction! };
  }

  /** Cancels a transaction (see the README for the cancel protocol); final ones are returned unchanged. */
  async cancel(target: Target, id: number): Promise<Transaction> {
    const key = targetKey(checkTarget(target));
    const transactionId = checkId(id, 'id');
    const row = await this.#write((operation) => requestCancel(operation, key, transactionId));
    return this.#view(row);
  }

  /** One transaction, or undefined. */
  get(target: Target, id: number): Promise<Transaction | undefined> {
    return readOne(this.#context, targetKey(checkTarget(target)), checkId(id, 'id'));
  }

  /** A target's transactions in id order. */
  list(
    target: Target,
    options: { readonly open?: boolean; readonly after?: number; readonly limit?: number } = {},
  ): Promise<Transaction[]> {
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return readList(
      this.#context,
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
      this.#context,
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
    return this.#write((operation) => joinGroup(operation, groupName, deviceName));
  }

  /** A device left a group: its open sub-transactions are cancelled. */
  memberLeft(group: string, device: string): Promise<void> {
    const groupName = checkName(group, 'group');
    const deviceName = checkName(device, 'device');
    return this.#write((operation) => leaveGroup(operation, groupName, deviceName));
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
    this.#workHandlers.add(handler);
    return () => {
      this.#workHandlers.delete(handler);
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
    this.#open();
    return this.#wakeups.watch(deviceKey(checkName(device, 'device')));
  }

  /**
   * The outbox backlog, for metrics: events waiting (every process's share),
   * how many failed at least once, and the oldest failing ones (`limit`,
   * default 100) with their attempts, last error and next attempt.
   */
  /**
   * Open transactions by state, device and group ones alike: the queue
   * depth a server reports. Reads the open-transactions index only.
   */
  async openCounts(): Promise<Partial<Record<TxState, number>>> {
    this.#open();
    const rows = await this.#context.storage.query<{ state: TxState; n: number | string }>(
      'SELECT state, count(*) AS n FROM txq_tx WHERE finished_at IS NULL GROUP BY state',
    );
    const counts: Partial<Record<TxState, number>> = {};
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  eventBacklog(options: { readonly limit?: number } = {}): Promise<EventBacklog> {
    this.#open();
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return eventBacklog(this.#context.storage, limit);
  }

  /** Receives every event once (from this process's share of the outbox); returns an unsubscribe. */
  subscribe(handler: TxEventHandler): () => void {
    const off = this.#dispatcher.subscribe(handler);
    this.#background.add(this.#dispatcher.pump());
    return off;
  }

  /**
   * Times out every due transaction, deletes finished ones past the retention
   * (`retainFinishedMs`) and dispatches pending events (the timer calls it too).
   */
  async sweep(): Promise<void> {
    this.#open();
    while ((await this.#write((operation) => expireDue(operation, SWEEP_BATCH))) >= SWEEP_BATCH);
    if (this.#retainFinishedMs !== undefined) await this.purge(this.#context.clock.now() - this.#retainFinishedMs);
    await this.#dispatcher.pump();
  }

  /**
   * Deletes the stand-alone and group transactions that finished at or before
   * `finishedBefore` (epoch ms), each group's sub-transactions with it; an
   * open group keeps its finished sub-transactions. Ids are never reused, and
   * a caller id is free again once its transaction is gone. Returns how many
   * transactions (sub-transactions included) it deleted.
   */
  async purge(finishedBefore: number): Promise<number> {
    this.#open();
    const before = checkId(finishedBefore, 'finishedBefore');
    let total = 0;
    for (;;) {
      const { picked, deleted } = await this.#write((operation) =>
        purgeFinished(operation.sql, this.#context.dialect, before, SWEEP_BATCH),
      );
      total += deleted;
      if (picked < SWEEP_BATCH) return total;
    }
  }

  /** Resolves when background work (timeouts, event dispatch, wake-ups) has settled. */
  idle(): Promise<void> {
    return this.#background.idle();
  }

  /** Stops the timer, finishes background work and closes storage the queue opened itself. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#background.quiet = true;
    this.#scheduler.stop();
    this.#holds.stop();
    await this.idle();
    await this.#wakeups.close();
    if (this.#owned) await this.#context.storage.close();
  }

  async #prepare(
    target: Target,
    kind: TxKind,
    payloadJson: string,
    input: Omit<PushOptions, 'packages'>,
  ): Promise<NewTransaction> {
    const checked = checkTarget(target);
    const members = 'group' in checked ? await this.#members(checked.group) : undefined;
    return {
      key: targetKey(checked),
      kind,
      tag: checkOptionalString(input.tag, 'tag', 256),
      payloadJson,
      timeoutMs: input.timeoutMs === undefined ? this.#context.defaultTimeoutMs : checkMs(input.timeoutMs, 'timeoutMs'),
      notify: checkOptionalString(input.notify, 'notify'),
      clientId: checkOptionalString(input.clientId, 'clientId', 256),
      members,
      memberEvents: input.memberEvents === undefined ? false : checkBoolean(input.memberEvents, 'memberEvents'),
    };
  }

  async #insertOnce(operation: Operation, transaction: NewTransaction): Promise<{ row: TxRow; created: boolean }> {
    const existing = await findByClientId(operation.sql, transaction);
    if (existing) return { row: existing, created: false };
    return { row: await insertTransaction(operation, transaction), created: true };
  }

  /** The public view of a row, with its (or its parent's) payload. */
  #view(row: TxRow): Promise<Transaction> {
    return view(this.#context, this.#context.storage, row);
  }

  async #members(group: string): Promise<string[]> {
    if (!this.#context.groups) {
      throw new TxQueueError(
        TxQueueErrorCode.NoGroupResolver,
        `Cannot queue for group "${group}": the queue was opened without a group resolver`,
        {
          details: { group },
        },
      );
    }
    const members: unknown = await this.#context.groups.members(group);
    if (!Array.isArray(members)) throw invalid(`groups.members("${group}")`, 'an array of device ids', members);
    const checked = members.map((member, i) => checkName(member, `groups.members("${group}")[${i}]`));
    // sorted: concurrent fan-outs lock device counters in one order (no deadlock)
    return [...new Set(checked)].sort();
  }

  /** A single autocommitted statement (the fast paths), with its effects applied after it. */
  async #fast<T>(step: (effects: Effects, now: number) => Promise<T>): Promise<T> {
    this.#open();
    const effects = new Effects();
    const result = await step(effects, this.#context.clock.now());
    this.#after(effects);
    return result;
  }

  /** One SQL transaction, retried after a conflict, with its effects applied after COMMIT. */
  async #write<T>(step: (operation: Operation) => Promise<T>): Promise<T> {
    this.#open();
    const context = this.#context;
    for (let attempt = 0; ; attempt++) {
      const effects = new Effects();
      const now = context.clock.now();
      try {
        const result = await context.storage.transaction((sql) => step({ sql, context, effects, now }));
        this.#after(effects);
        return result;
      } catch (error) {
        if (attempt < 3 && retryable(error)) continue;
        throw error;
      }
    }
  }

  #after(effects: Effects): void {
    this.#wakeups.here(effects.wakeHere);
    this.#wakeEverywhere(effects.wake);
    this.#scheduler.armAt(effects.deadline);
    // no background entry (two promises and a Set entry) when no handler would get the events
    if (effects.events > 0 && this.#dispatcher.active) this.#background.add(this.#dispatcher.pump());
  }

  /** Wakes `keys` here and, through NOTIFY, in the other processes. */
  #wakeEverywhere(keys: Iterable<string>): void {
    const notify = this.#wakeups.wake(keys);
    if (notify) this.#background.add(notify);
  }

  /** Wakes a key in this process: its long-polling call-ins, then its work hooks. */
  #wakeHere(key: string): void {
    this.#waiters.wake(key);
    if (this.#workHandlers.size === 0 || !key.startsWith('d:')) return;
    const device = key.slice(2);
    for (const handler of [...this.#workHandlers]) {
      try {
        const done = handler(device);
        if (done instanceof Promise) this.#background.add(done);
      } catch (cause) {
        this.#context.logger.error('work handler failed', { device, cause: String(cause) });
      }
    }
  }

  /** One maintenance pass; resolves to the next open deadline. */
  async #maintain(): Promise<number | undefined> {
    if (this.#closed) return undefined;
    // beside the sweep: a failed renewal must not hold back timeouts
    this.#background.add(this.#wakeups.renewWatches());
    await this.sweep();
    await this.#fastPaths?.refresh();
    return nextDeadline(this.#context.storage);
  }

  #open(): void {
    if (this.#closed) throw new TxQueueError(TxQueueErrorCode.Closed, 'Cannot use the transaction queue: it is closed');
  }
}

/** The event retry options, checked: `eventRetryMaxMs` may not be below `eventRetryMs`. */
function eventRetry(options: TxQueueOptions): { ms: number; maxMs: number } {
  const ms = options.eventRetryMs === undefined ? 5000 : checkMs(options.eventRetryMs, 'options.eventRetryMs');
  if (options.eventRetryMaxMs === undefined) return { ms, maxMs: Math.max(ms, 300_000) };
  const maxMs = checkMs(options.eventRetryMaxMs, 'options.eventRetryMaxMs');
  if (maxMs < ms) throw invalid('options.eventRetryMaxMs', `at least options.eventRetryMs (${ms})`, maxMs);
  return { ms, maxMs };
}

/** A conflict another attempt can get past: a PostgreSQL serialisation failure or deadlock, a SQLite lock held too long. */
function retryable(error: unknown): boolean {
  if (!(error instanceof CoreError)) return false;
  if (error.code === CoreErrorCode.SqlBusy) return true;
  const state = error.details?.sqlState;
  return typeof state === 'string' && RETRY_STATES.has(state);
}

import { CoreError, CoreErrorCode, createLogger, cryptoRandom, type SqlExecutor, systemClock } from '@fleetkit/core';
import { applyAck } from './_internal/ack.ts';
import { Background } from './_internal/background.ts';
import { Batcher } from './_internal/batch.ts';
import { claimDeliveries } from './_internal/callin.ts';
import { requestCancel } from './_internal/cancel.ts';
import { canonicalJson } from './_internal/canonical-json.ts';
import { type Ctx, Effects, PayloadCache } from './_internal/context.ts';
import { Dispatcher, eventBacklog } from './_internal/dispatcher.ts';
import { findByClientId, insertTransaction, type NewTransaction } from './_internal/enqueue.ts';
import { expireDevice, expireDue, nextDeadline } from './_internal/expire.ts';
import { Holds } from './_internal/holds.ts';
import { deviceKey, groupKey, targetKey } from './_internal/keys.ts';
import { joinGroup, leaveGroup } from './_internal/membership.ts';
import {
  type AckItem,
  ackMany,
  type CallInItem,
  callInMany,
  type EnqueueItem,
  enqueueMany,
} from './_internal/pg-batch.ts';
import type { Enqueued } from './_internal/pg-fast.ts';
import { PlanGate } from './_internal/plan-gate.ts';
import { readChildren, readList, readOne, view } from './_internal/reads.ts';
import { ensureFinishedIndex, purgeFinished } from './_internal/retention.ts';
import type { TxRow } from './_internal/rows.ts';
import { Scheduler } from './_internal/scheduler.ts';
import { ensureSchema } from './_internal/schema.ts';
import { stagedRows, stageUpdate, takeStaged } from './_internal/staging.ts';
import { Waiters } from './_internal/waiters.ts';
import { Wakeups } from './_internal/wake.ts';
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
  readonly #ctx: Ctx;
  readonly #owned: boolean;
  readonly #waiters: Waiters;
  readonly #wakeups: Wakeups;
  readonly #dispatcher: Dispatcher;
  readonly #holds: Holds;
  readonly #workHandlers = new Set<WorkHandler>();
  readonly #background: Background;
  readonly #scheduler: Scheduler;
  /** PostgreSQL group commit of fast enqueues and final acks (batch.ts). */
  readonly #enqueues: Batcher<EnqueueItem, Enqueued | undefined>;
  readonly #acks: Batcher<AckItem, TxRow | undefined>;
  readonly #callIns: Batcher<CallInItem, { deliveries: Delivery[]; due: number }>;
  /** Finished transactions are deleted this long after they finished; undefined keeps them. */
  readonly #retainFinishedMs: number | undefined;
  #closed = false;

  private constructor(options: TxQueueOptions) {
    const db = options.storage ?? memoryStorage();
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? createLogger();
    this.#owned = options.storage === undefined;
    const tickMs = options.tickMs === undefined ? 1000 : checkMs(options.tickMs, 'options.tickMs');
    this.#retainFinishedMs =
      options.retainFinishedMs === undefined
        ? undefined
        : checkMs(options.retainFinishedMs, 'options.retainFinishedMs');
    this.#ctx = {
      db,
      pg: db.dialect === 'postgres',
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
      plans: new PlanGate(),
    };
    this.#waiters = new Waiters(clock);
    this.#wakeups = new Wakeups(
      db,
      clock,
      (key) => this.#wakeHere(key),
      () => this.#waiters.keys(),
    );
    this.#background = new Background(logger);
    const bg = (work: Promise<unknown>): void => this.#background.add(work);
    this.#scheduler = new Scheduler(clock, options.random ?? cryptoRandom, tickMs, () => this.#maintain(), bg);
    this.#holds = new Holds(clock, (keys) => this.#wakeEverywhere(keys));
    this.#dispatcher = new Dispatcher(db, clock, logger, eventRetry(options));
    const ctx = this.#ctx;
    this.#enqueues = new Batcher(
      (items) => enqueueMany(ctx, items),
      () => undefined,
    );
    // the same ack twice at once: the second waits for the first's commit and is then a duplicate
    this.#acks = new Batcher(
      (items) => ackMany(ctx, items),
      (i) => `${i.key}#${i.a.transactionId}`,
    );
    // one call-in per device in a batch: a statement's own row locks do not skip
    this.#callIns = new Batcher(
      (items) => callInMany(ctx, items),
      (i) => i.key,
    );
  }

  /** See {@link openTxQueue}. */
  static async open(options: TxQueueOptions = {}): Promise<TxQueue> {
    const q = new TxQueue(options);
    await ensureSchema(q.#ctx.db);
    if (q.#ctx.db.dialect === 'sqlite') await releaseEventClaims(q.#ctx.db);
    if (q.#retainFinishedMs !== undefined) await ensureFinishedIndex(q.#ctx.db);
    await q.#ctx.plans.refresh(q.#ctx.db);
    await q.#wakeups.listen();
    // after a restart: the earliest open deadline (or a maintenance tick) first
    q.#scheduler.start(await nextDeadline(q.#ctx.db));
    return q;
  }

  /** Queues a transaction for a device, or for every member of a group (manual §7.3). */
  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const t = await this.#prepare(input.target, checkKind(input.kind), canonicalJson(input.payload), input);
    if (this.#ctx.pg && t.members === undefined && t.clientId === undefined) {
      const row = await this.#fast(async (fx, now) => {
        const created = await this.#enqueues.run({ t, now });
        if (created) {
          // a NOTIFY only when a call-in somewhere may be waiting on the device (wake.ts)
          (created.listening ? fx.wake : fx.wakeHere).add(t.key);
          fx.deadline = Number(created.deadline);
          fx.events = 1;
        }
        return created;
      });
      if (row) return { transaction: await view(this.#ctx, this.#ctx.db, row), created: true };
    }
    const r = await this.#write((tx, fx, now) => this.#insertOnce(tx, fx, t, now));
    return { transaction: await view(this.#ctx, this.#ctx.db, r.row), created: r.created };
  }

  /** Stages a configuration update for a target and package without sending it (manual §7.1 step 1). */
  async stage(target: Target, pkg: string, values: unknown): Promise<{ readonly staged: number }> {
    const key = targetKey(checkTarget(target));
    const name = checkName(pkg, 'package');
    const json = canonicalJson(values, 'values');
    return { staged: await this.#write((tx, _fx, now) => stageUpdate(tx, key, name, json, now)) };
  }

  /** The staged updates of a target, in staging order. */
  async staged(target: Target): Promise<StagedUpdate[]> {
    const rows = await stagedRows(this.#ctx.db, targetKey(checkTarget(target)));
    return rows.map((r) => ({ package: r.package, values: JSON.parse(r.vals), stagedAt: Number(r.staged_at) }));
  }

  /** Turns the staged updates into one `config` transaction (manual §7.1 step 2, Fig. 9 step 8). */
  async push(target: Target, options: PushOptions = {}): Promise<EnqueueResult> {
    if (options.packages !== undefined && !Array.isArray(options.packages))
      throw invalid('options.packages', 'an array of package names', options.packages);
    const packages = options.packages?.map((p, i) => checkName(p, `options.packages[${i}]`));
    const key = targetKey(checkTarget(target));
    const t = await this.#prepare(target, 'config', '', options);
    const r = await this.#write(async (tx, fx, now) => {
      const payloadJson = await takeStaged(tx, key, packages);
      return this.#insertOnce(tx, fx, { ...t, payloadJson }, now);
    });
    return { transaction: await view(this.#ctx, this.#ctx.db, r.row), created: r.created };
  }

  /**
   * A device calls in: returns its open transactions in id order (manual
   * §7.2 steps 12–13), long-polling up to `waitMs` when there are none.
   */
  async callIn(device: string, options: CallInOptions = {}): Promise<Delivery[]> {
    const key = deviceKey(checkName(device, 'device'));
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    const waitMs = options.waitMs === undefined ? 0 : checkId(options.waitMs, 'options.waitMs');
    const clock = this.#ctx.clock;
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
      const out = this.#ctx.pg
        ? await this.#fast(async (fx, now) => {
            const got = await this.#callIns.run({ key, limit, now });
            fx.events = got.deliveries.length;
            // overdue ones are never handed out; they end here, not at the next sweep
            if (got.due > 0) await this.#write((tx, efx, at) => expireDevice(tx, this.#ctx, efx, key, at));
            return got.deliveries;
          })
        : await this.#write((tx, fx, now) => claimDeliveries(tx, this.#ctx, fx, key, limit, now));
      if (out.length > 0 || waiter === undefined) {
        waiter?.cancel();
        const until = clock.now() + this.#ctx.redeliverAfterMs;
        for (const d of out) this.#holds.hold(key, d.transactionId, until);
        return out;
      }
      await waiter.promise;
    }
  }

  /** Applies a device's ack; late, stale and foreign acks are rejected and reported, never applied. */
  async ack(device: string, input: AckInput): Promise<AckOutcome> {
    const key = deviceKey(checkName(device, 'device'));
    const a = checkAck(input);
    if (this.#ctx.pg && a.status !== 'progress' && a.status !== 'cancelled') {
      const row = await this.#fast(async (fx, now) => {
        const done = await this.#acks.run({ key, a, now });
        if (done) fx.events = 1;
        return done;
      });
      if (row) {
        this.#holds.release(key, a.transactionId);
        return { outcome: 'applied', transaction: await view(this.#ctx, this.#ctx.db, row) };
      }
    }
    const raw = await this.#write((tx, fx, now) => applyAck(tx, this.#ctx, fx, key, a, now));
    if (raw.row?.finished_at != null) this.#holds.release(key, a.transactionId);
    else if (raw.outcome === 'applied' && raw.row?.lease_until != null)
      this.#holds.hold(key, a.transactionId, Number(raw.row.lease_until));
    const transaction = raw.row ? await view(this.#ctx, this.#ctx.db, raw.row) : undefined;
    if (raw.outcome === 'rejected') {
      this.#ctx.logger.warn('ack rejected', {
        device,
        transactionId: a.transactionId,
        attempt: a.attempt,
        status: a.status,
        reason: raw.reason,
      });
      return { outcome: 'rejected', reason: raw.reason, ...(transaction ? { transaction } : {}) };
    }
    return { outcome: raw.outcome, transaction: transaction! };
  }

  /** Cancels a transaction (see the README for the cancel protocol); final ones are returned unchanged. */
  async cancel(target: Target, id: number): Promise<Transaction> {
    const key = targetKey(checkTarget(target));
    const txId = checkId(id, 'id');
    const row = await this.#write((tx, fx, now) => requestCancel(tx, this.#ctx, fx, key, txId, now));
    return view(this.#ctx, this.#ctx.db, row);
  }

  /** One transaction, or undefined. */
  get(target: Target, id: number): Promise<Transaction | undefined> {
    return readOne(this.#ctx, targetKey(checkTarget(target)), checkId(id, 'id'));
  }

  /** A target's transactions in id order. */
  list(
    target: Target,
    options: { readonly open?: boolean; readonly after?: number; readonly limit?: number } = {},
  ): Promise<Transaction[]> {
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return readList(
      this.#ctx,
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
    return readChildren(this.#ctx, groupKey(checkName(group, 'group')), checkId(id, 'id'), options.after ?? '', limit);
  }

  /** A device joined a group: it receives the group's open transactions. Returns how many. */
  memberJoined(group: string, device: string): Promise<number> {
    const g = checkName(group, 'group');
    const d = checkName(device, 'device');
    return this.#write((tx, fx, now) => joinGroup(tx, this.#ctx, fx, g, d, now));
  }

  /** A device left a group: its open sub-transactions are cancelled. */
  memberLeft(group: string, device: string): Promise<void> {
    const g = checkName(group, 'group');
    const d = checkName(device, 'device');
    return this.#write((tx, fx, now) => leaveGroup(tx, this.#ctx, fx, g, d, now));
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
    const rows = await this.#ctx.db.query<{ state: TxState; n: number | string }>(
      'SELECT state, count(*) AS n FROM txq_tx WHERE finished_at IS NULL GROUP BY state',
    );
    const counts: Partial<Record<TxState, number>> = {};
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  eventBacklog(options: { readonly limit?: number } = {}): Promise<EventBacklog> {
    this.#open();
    const limit = options.limit === undefined ? 100 : checkCount(options.limit, 'options.limit', 10_000);
    return eventBacklog(this.#ctx.db, limit);
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
    while ((await this.#write((tx, fx, now) => expireDue(tx, this.#ctx, fx, now, SWEEP_BATCH))) >= SWEEP_BATCH);
    if (this.#retainFinishedMs !== undefined) await this.purge(this.#ctx.clock.now() - this.#retainFinishedMs);
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
      const { picked, deleted } = await this.#write((tx) => purgeFinished(tx, this.#ctx, before, SWEEP_BATCH));
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
    if (this.#owned) await this.#ctx.db.close();
  }

  async #prepare(
    target: Target,
    kind: TxKind,
    payloadJson: string,
    input: Omit<PushOptions, 'packages'>,
  ): Promise<NewTransaction> {
    const t = checkTarget(target);
    const members = 'group' in t ? await this.#members(t.group) : undefined;
    return {
      key: targetKey(t),
      kind,
      tag: checkOptionalString(input.tag, 'tag', 256),
      payloadJson,
      timeoutMs: input.timeoutMs === undefined ? this.#ctx.defaultTimeoutMs : checkMs(input.timeoutMs, 'timeoutMs'),
      notify: checkOptionalString(input.notify, 'notify'),
      clientId: checkOptionalString(input.clientId, 'clientId', 256),
      members,
      memberEvents: input.memberEvents === undefined ? false : checkBoolean(input.memberEvents, 'memberEvents'),
    };
  }

  async #insertOnce(
    tx: SqlExecutor,
    fx: Effects,
    t: NewTransaction,
    now: number,
  ): Promise<{ row: TxRow; created: boolean }> {
    const existing = await findByClientId(tx, t);
    if (existing) return { row: existing, created: false };
    return { row: await insertTransaction(tx, this.#ctx, fx, t, now), created: true };
  }

  async #members(group: string): Promise<string[]> {
    if (!this.#ctx.groups) {
      throw new TxQueueError(
        TxQueueErrorCode.NoGroupResolver,
        `Cannot queue for group "${group}": the queue was opened without a group resolver`,
        {
          details: { group },
        },
      );
    }
    const members: unknown = await this.#ctx.groups.members(group);
    if (!Array.isArray(members)) throw invalid(`groups.members("${group}")`, 'an array of device ids', members);
    const checked = members.map((m, i) => checkName(m, `groups.members("${group}")[${i}]`));
    // sorted: concurrent fan-outs lock device counters in one order (no deadlock)
    return [...new Set(checked)].sort();
  }

  /** A single autocommitted statement (PostgreSQL fast paths), with its effects applied after it. */
  async #fast<T>(fn: (fx: Effects, now: number) => Promise<T>): Promise<T> {
    this.#open();
    const fx = new Effects();
    const result = await fn(fx, this.#ctx.clock.now());
    this.#after(fx);
    return result;
  }

  async #write<T>(fn: (tx: SqlExecutor, fx: Effects, now: number) => Promise<T>): Promise<T> {
    this.#open();
    for (let attempt = 0; ; attempt++) {
      const fx = new Effects();
      const now = this.#ctx.clock.now();
      try {
        const result = await this.#ctx.db.transaction((tx) => fn(tx, fx, now));
        this.#after(fx);
        return result;
      } catch (error) {
        if (attempt < 3 && retryable(error)) continue;
        throw error;
      }
    }
  }

  #after(fx: Effects): void {
    this.#wakeups.here(fx.wakeHere);
    this.#wakeEverywhere(fx.wake);
    this.#scheduler.armAt(fx.deadline);
    // no background entry (two promises and a Set entry) when no handler would get the events
    if (fx.events > 0 && this.#dispatcher.active) this.#background.add(this.#dispatcher.pump());
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
        this.#ctx.logger.error('work handler failed', { device, cause: String(cause) });
      }
    }
  }

  /** One maintenance pass; resolves to the next open deadline. */
  async #maintain(): Promise<number | undefined> {
    if (this.#closed) return undefined;
    // beside the sweep: a failed renewal must not hold back timeouts
    this.#background.add(this.#wakeups.renewWatches());
    await this.sweep();
    await this.#ctx.plans.refresh(this.#ctx.db);
    return nextDeadline(this.#ctx.db);
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

/**
 * On SQLite an engine opening the file is its owner after a restart: the
 * claims a killed process held on events it never got to fail would
 * otherwise hold the transaction's later events back for a whole lease.
 * Delivery stays at least once either way (subscribers deduplicate by
 * `seq`); an event that failed keeps its retry time. PostgreSQL engines
 * share the store, so there a claim only ends with its lease.
 */
async function releaseEventClaims(db: SqlExecutor): Promise<void> {
  await db.run('UPDATE txq_events SET lease_until = 0 WHERE attempts = 0 AND lease_until > 0');
}

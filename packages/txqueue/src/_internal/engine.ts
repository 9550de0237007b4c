// What every public method of TxQueue runs through: its writes (retried
// after a conflict, their effects applied after COMMIT), the wake-ups of
// call-ins and work hooks, the maintenance timer, and opening and closing.
import { CoreError, CoreErrorCode } from '@fleetkit/core';
import type { FastPaths } from '../dialects/dialect.ts';
import { TxQueueError, TxQueueErrorCode } from '../errors.ts';
import type { Transaction, TxQueueOptions, WorkHandler } from '../types.ts';
import { checkId } from '../validate.ts';
import { Background } from './background.ts';
import { type Context, Effects, type Operation } from './context.ts';
import { Dispatcher } from './dispatcher.ts';
import { expireDue, nextDeadline } from './expire.ts';
import { Holds } from './holds.ts';
import { view } from './reads.ts';
import { purgeFinished } from './retention.ts';
import type { TxRow } from './rows.ts';
import { Scheduler } from './scheduler.ts';
import { settingsOf } from './settings.ts';
import { Waiters } from './waiters.ts';
import { Wakeups } from './wake.ts';

const SWEEP_BATCH = 1000;
// deadlock, serialization failure, unique race: the whole operation is retried
const RETRY_STATES = new Set(['40P01', '40001', '23505']);

/** The parts of one queue and the plumbing its operations share (the state behind the {@link TxQueue} facade). */
export class Engine {
  readonly context: Context;
  readonly waiters: Waiters;
  readonly wakeups: Wakeups;
  readonly dispatcher: Dispatcher;
  readonly holds: Holds;
  readonly workHandlers = new Set<WorkHandler>();
  readonly background: Background;
  /** The dialect's one-statement steps (PostgreSQL), or undefined: every step takes the general path. */
  readonly fastPaths: FastPaths | undefined;
  readonly #owned: boolean;
  readonly #scheduler: Scheduler;
  /** Finished transactions are deleted this long after they finished; undefined keeps them. */
  readonly #retainFinishedMs: number | undefined;
  #closed = false;

  constructor(options: TxQueueOptions) {
    const settings = settingsOf(options);
    const context = settings.context;
    this.context = context;
    this.#owned = settings.owned;
    this.#retainFinishedMs = settings.retainFinishedMs;
    this.waiters = new Waiters(context.clock);
    this.wakeups = new Wakeups(
      context.dialect.notifier(context.storage),
      context.clock,
      (key) => this.#wakeHere(key),
      () => this.waiters.keys(),
    );
    this.background = new Background(context.logger);
    const background = (work: Promise<unknown>): void => this.background.add(work);
    this.#scheduler = new Scheduler(
      context.clock,
      settings.random,
      settings.tickMs,
      () => this.#maintain(),
      background,
    );
    this.holds = new Holds(context.clock, (keys) => this.wakeEverywhere(keys));
    this.dispatcher = new Dispatcher(context, settings.eventRetry);
    this.fastPaths = context.dialect.fastPaths(context);
  }

  /** Creates the tables if needed, listens for wake-ups and starts the timer. */
  async start(): Promise<void> {
    const { storage, dialect } = this.context;
    await dialect.ensureSchema(storage);
    await dialect.opened(storage);
    if (this.#retainFinishedMs !== undefined) await dialect.ensureFinishedIndex(storage);
    await this.fastPaths?.refresh();
    await this.wakeups.listen();
    // after a restart: the earliest open deadline (or a maintenance tick) first
    this.#scheduler.start(await nextDeadline(storage));
  }

  /** See {@link TxQueue.sweep}. */
  async sweep(): Promise<void> {
    this.ensureOpen();
    while ((await this.write((operation) => expireDue(operation, SWEEP_BATCH))) >= SWEEP_BATCH);
    if (this.#retainFinishedMs !== undefined) await this.purge(this.context.clock.now() - this.#retainFinishedMs);
    await this.dispatcher.pump();
  }

  /** See {@link TxQueue.purge}. */
  async purge(finishedBefore: number): Promise<number> {
    this.ensureOpen();
    const before = checkId(finishedBefore, 'finishedBefore');
    let total = 0;
    for (;;) {
      const { picked, deleted } = await this.write((operation) =>
        purgeFinished(operation.sql, this.context.dialect, before, SWEEP_BATCH),
      );
      total += deleted;
      if (picked < SWEEP_BATCH) return total;
    }
  }

  /** See {@link TxQueue.close}. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.background.quiet = true;
    this.#scheduler.stop();
    this.holds.stop();
    await this.background.idle();
    await this.wakeups.close();
    if (this.#owned) await this.context.storage.close();
  }

  /** Throws {@link TxQueueError} `closed` once the queue is closed. */
  ensureOpen(): void {
    if (this.#closed) throw new TxQueueError(TxQueueErrorCode.Closed, 'Cannot use the transaction queue: it is closed');
  }

  /** The public view of a row, with its (or its parent's) payload. */
  view(row: TxRow): Promise<Transaction> {
    return view(this.context, this.context.storage, row);
  }

  /** A single autocommitted statement (the fast paths), with its effects applied after it. */
  async fast<T>(step: (effects: Effects, now: number) => Promise<T>): Promise<T> {
    this.ensureOpen();
    const effects = new Effects();
    const result = await step(effects, this.context.clock.now());
    this.#after(effects);
    return result;
  }

  /** One SQL transaction, retried after a conflict, with its effects applied after COMMIT. */
  async write<T>(step: (operation: Operation) => Promise<T>): Promise<T> {
    this.ensureOpen();
    const context = this.context;
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

  /** Wakes `keys` here and, through NOTIFY, in the other processes. */
  wakeEverywhere(keys: Iterable<string>): void {
    const notify = this.wakeups.wake(keys);
    if (notify) this.background.add(notify);
  }

  #after(effects: Effects): void {
    this.wakeups.here(effects.wakeHere);
    this.wakeEverywhere(effects.wake);
    this.#scheduler.armAt(effects.deadline);
    // no background entry (two promises and a Set entry) when no handler would get the events
    if (effects.events > 0 && this.dispatcher.active) this.background.add(this.dispatcher.pump());
  }

  /** Wakes a key in this process: its long-polling call-ins, then its work hooks. */
  #wakeHere(key: string): void {
    this.waiters.wake(key);
    if (this.workHandlers.size === 0 || !key.startsWith('d:')) return;
    const device = key.slice(2);
    for (const handler of [...this.workHandlers]) {
      try {
        const done = handler(device);
        if (done instanceof Promise) this.background.add(done);
      } catch (cause) {
        this.context.logger.error('work handler failed', { device, cause: String(cause) });
      }
    }
  }

  /** One maintenance pass; resolves to the next open deadline. */
  async #maintain(): Promise<number | undefined> {
    if (this.#closed) return undefined;
    // beside the sweep: a failed renewal must not hold back timeouts
    this.background.add(this.wakeups.renewWatches());
    await this.sweep();
    await this.fastPaths?.refresh();
    return nextDeadline(this.context.storage);
  }
}

/** A conflict another attempt can get past: a PostgreSQL serialisation failure or deadlock, a SQLite lock held too long. */
function retryable(error: unknown): boolean {
  if (!(error instanceof CoreError)) return false;
  if (error.code === CoreErrorCode.SqlBusy) return true;
  const state = error.details?.sqlState;
  return typeof state === 'string' && RETRY_STATES.has(state);
}

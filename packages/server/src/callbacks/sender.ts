import type { ServerContext } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';
import { Blocks } from './blocks.ts';
import { claimCallbacks, nextDue, resumeAfterRestart } from './claim.ts';
import { Delivery, LEASE_MARGIN_MS } from './delivery.ts';
import { Lanes } from './lanes.ts';
import { insertCallbacks, markDone, type NewCallbacks, purgeFinished, release } from './outbox.ts';
import { type CallbackRow, chainKey, isMemberCallback } from './rows.ts';
import { callbackSubscriber } from './subscriber.ts';

/** Rows taken per claim statement. */
const BATCH = 64;
/** Rows this process holds (leased, not yet finished) at most. */
const MAX_HELD = 512;
/**
 * How long a delivered row may wait to be marked done, in real time whatever
 * clock the server runs on: a batching window, not a deadline of the
 * protocol. The next insert or claim usually carries the mark sooner (in its
 * own commit); the window ends with a commit of its own only when neither came.
 */
const DONE_WINDOW_MS = 50;
/** Longest sleep: rows other processes store (PostgreSQL) are found within it. */
const IDLE_POLL_MS = 1000;
const DONE_KEPT_MS = 3_600_000;
const DEAD_KEPT_MS = 7 * 86_400_000;
const PURGE_EVERY_MS = 60_000;

/** A held row to hand back unsent, claimable again from `nextAt`. */
interface Release {
  readonly row: CallbackRow;
  readonly nextAt: number;
}

/**
 * Delivers the callback outbox (outbox.ts). Rows come leased from the
 * subscriber's insert, or from a claim, and go to their lanes (lanes.ts),
 * where each is sent (delivery.ts). One loop writes the rest: delivered rows
 * are marked done together, in the commit of the next insert or claim, or
 * after {@link DONE_WINDOW_MS} in one statement of their own (the more in
 * flight, the more rows a commit carries); rows to hand back; claims of due
 * rows no insert handed over (retries, other processes' rows, a restart). A
 * row delivered but not yet marked is sent again after a crash, under the
 * same id.
 */
export class CallbackSender {
  readonly #server: ServerContext;
  /** This process's lease token: a lease it lost to another process is never renewed. */
  readonly #owner: string;
  readonly #held = new Set<string>();
  /** Delivered rows, marked done by the next insert or claim, or at the end of the window. */
  readonly #delivered: string[] = [];
  /** The window of the oldest unmarked delivered row is running; ended: mark at the next turn. */
  #window: ReturnType<typeof setTimeout> | undefined;
  #windowEnded = false;
  readonly #releases: Release[] = [];
  readonly #blocks = new Blocks();
  readonly #lanes: Lanes;
  readonly #work = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();
  #stopped = false;
  /** Rows may be due that no insert handed over: claim at the next turn. */
  #claimWanted = true;
  #woken = false;
  #wakeSleeper: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #lastPurge = Number.NEGATIVE_INFINITY;
  /** When the last claim looked for due rows. */
  #lastClaim = 0;
  /** Delivered member callbacks not yet marked done (rows.ts `waitsFor`). */
  readonly #membersDelivered = new Set<string>();

  constructor(server: ServerContext) {
    this.#server = server;
    this.#owner = server.random.uuid();
    const delivery = new Delivery({
      server,
      owner: this.#owner,
      signal: this.#stopping.signal,
      held: this.#held,
      blocks: this.#blocks,
      handBack: (row, nextAt) => this.#handBack(row, nextAt),
      delivered: (row) => this.#markLater(row),
    });
    this.#lanes = new Lanes({
      send: (row) => delivery.send(row),
      broken: (rows) => {
        for (const row of rows) this.#handBack(row, this.#server.clock.now());
      },
    });
  }

  /** Starts the loop; on SQLite it first makes what a stopped or killed process left due now. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** There may be rows to claim: new ones stored unleased, or rows whose predecessor just finished. */
  wake(): void {
    this.#claimWanted = true;
    this.#wake();
  }

  /**
   * Stores an event's callbacks (the subscriber's write). While this process
   * has room, each row that waits for nothing is stored leased to it and
   * goes straight to its lane: no claim, no second commit.
   */
  async store(callbacks: NewCallbacks): Promise<void> {
    const { clock, settings } = this.#server;
    if (this.#stopped || this.#held.size >= MAX_HELD) {
      // stopped: stop() marks what was delivered
      if (this.#stopped) await insertCallbacks(this.#server, callbacks);
      else await this.#carryDone((done) => insertCallbacks(this.#server, callbacks, { done }));
      this.wake();
      return;
    }
    const lease = { owner: this.#owner, until: clock.now() + settings.callbackTimeoutMs + LEASE_MARGIN_MS };
    const rows = await this.#carryDone((done) =>
      this.#lease(() => insertCallbacks(this.#server, callbacks, { lease, done })),
    );
    // a redelivered event's rows exist already, and a row that waits is left to the claim
    if (rows.length < callbacks.urls.length) this.wake();
  }

  /** Runs a statement that also marks the rows delivered so far done (in its commit). */
  async #carryDone<T>(statement: (done: readonly string[]) => Promise<T>): Promise<T> {
    const done = this.#delivered.splice(0);
    let result: T;
    try {
      result = await statement(done);
    } catch (error) {
      this.#delivered.unshift(...done);
      throw error;
    }
    let membersDone = false;
    for (const id of done) {
      this.#held.delete(id);
      if (this.#membersDelivered.delete(id)) membersDone = true;
    }
    // a group's final callback waits until its members are marked done: it may be free now
    if (membersDone) this.wake();
    return result;
  }

  /** A row was delivered: marked done within {@link DONE_WINDOW_MS}. */
  #markLater(row: CallbackRow): void {
    this.#delivered.push(row.id);
    if (isMemberCallback(row)) this.#membersDelivered.add(row.id);
    // stopping: stop() marks it
    if (this.#stopped) return;
    this.#window ??= setTimeout(() => {
      this.#window = undefined;
      this.#windowEnded = true;
      this.#wake();
    }, DONE_WINDOW_MS);
  }

  /** Aborts the requests in flight and hands every held row back, to be sent by the next start. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopping.abort(new ServerError(ServerErrorCode.Closed, 'Cannot send callbacks: the server is closing'));
    clearTimeout(this.#window);
    this.#wake();
    await this.#loop;
    await this.#lanes.stop();
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    const { db, clock, logger } = this.#server;
    try {
      await this.#writeReleases();
    } catch (error) {
      logger.warn('callback rows not handed back at their retry time; handed back now', { error });
    }
    const delivered = this.#delivered.splice(0);
    try {
      if (delivered.length > 0) await markDone(db, delivered, clock.now());
      for (const id of delivered) this.#held.delete(id);
    } catch (error) {
      logger.warn('delivered callbacks not marked done; they will be sent again under the same id', { error });
    }
    try {
      await release(db, [...this.#held], clock.now(), this.#owner);
    } catch (error) {
      logger.warn('callback rows not handed back; their leases will run out', { error });
    }
  }

  /** Something for the loop: rows to hand back, delivered rows to mark, rows to claim. */
  #wake(): void {
    this.#woken = true;
    this.#wakeSleeper?.();
  }

  async #run(): Promise<void> {
    const { logger, db, clock } = this.#server;
    let started = false;
    while (!this.#stopped) {
      // after the I/O ready now: replies that came in together are marked in one commit
      // (a SQLite statement completes without yielding, so without this each would have its own)
      if (started) await nextMacrotask();
      this.#woken = false;
      let delay = 0;
      try {
        if (!started) await resumeAfterRestart(db, clock.now());
        started = true;
        await this.#turn();
        await this.#purge();
        if (!this.#woken) delay = await this.#idleDelay();
      } catch (error) {
        logger.error('callback sender: the outbox cannot be read; trying again', { error });
        delay = IDLE_POLL_MS;
      }
      if (delay > 0 && !this.#woken && !this.#stopped && (await this.#sleep(delay))) this.#claimWanted = true;
    }
  }

  /**
   * One commit of the loop (two when rows wait to be handed back): a claim
   * carrying the delivered rows' done marks, when rows may be due or the
   * marks' window ended; the marks alone when the held rows fill the room.
   */
  async #turn(): Promise<void> {
    const { clock, db, settings } = this.#server;
    await this.#writeReleases();
    const room = MAX_HELD - (this.#held.size - this.#delivered.length);
    // the marks go with a claim: rows another process stored behind this one's are its to take
    if ((this.#claimWanted || this.#windowEnded) && room > 0) {
      this.#claimWanted = false;
      this.#windowEnded = false;
      const limit = Math.min(room, BATCH);
      const now = clock.now();
      this.#lastClaim = now;
      const lease = { now, leaseUntil: now + settings.callbackTimeoutMs + LEASE_MARGIN_MS, owner: this.#owner, limit };
      try {
        const claimed = await this.#carryDone((done) => this.#lease(() => claimCallbacks(db, { ...lease, done })));
        // rows came: the next rows of their transactions may be taken now, behind them (rows.ts `waitsFor`)
        if (claimed.length > 0) this.#claimWanted = true;
      } catch (error) {
        this.#claimWanted = true;
        throw error;
      }
    } else if (this.#windowEnded || this.#held.size >= MAX_HELD) {
      this.#windowEnded = false;
      if (this.#delivered.length > 0) await this.#carryDone((done) => markDone(db, done, clock.now()));
    }
  }

  /** How long the loop may sleep: until the next row is due, at most its longest sleep. */
  async #idleDelay(): Promise<number> {
    if (this.#releases.length > 0 || (this.#windowEnded && this.#delivered.length > 0)) return 0;
    // full: a row finishing wakes the loop
    if (this.#held.size >= MAX_HELD) return this.#delivered.length > 0 ? 0 : IDLE_POLL_MS;
    if (this.#claimWanted) return 0;
    const now = this.#server.clock.now();
    // rows the last claim found due and left wait behind others: the poll finds them free
    const next = await nextDue(this.#server.db, now, this.#lastClaim);
    if (next === undefined) return IDLE_POLL_MS;
    if (next <= now) {
      this.#claimWanted = true;
      return 0;
    }
    return Math.min(IDLE_POLL_MS, next - now);
  }

  /**
   * Runs a statement that leases rows to this process (a claim, an insert)
   * and takes the rows: in their lanes, or handed back when an earlier row of
   * their transaction failed after the statement began (blocks.ts).
   */
  async #lease(statement: () => Promise<CallbackRow[]>): Promise<CallbackRow[]> {
    const epoch = this.#blocks.begin();
    const running = statement();
    this.#work.add(running);
    try {
      const rows = await running;
      for (const row of rows) {
        // a guard: a claim never takes a row this process holds (claim.ts), an insert returns new rows
        if (this.#held.has(row.id)) continue;
        this.#held.add(row.id);
        if (this.#stopped || this.#blocks.stale(chainKey(row), epoch)) this.#handBack(row, row.createdAt);
        else this.#lanes.add(row);
      }
      return rows;
    } finally {
      this.#work.delete(running);
      this.#blocks.end(epoch);
    }
  }

  /** Hands a held row back at the loop's next turn; the rows after it in its transaction wait until then. */
  #handBack(row: CallbackRow, nextAt: number): void {
    this.#blocks.block(chainKey(row));
    this.#releases.push({ row, nextAt });
    this.#wake();
  }

  async #writeReleases(): Promise<void> {
    const { db } = this.#server;
    const batch = this.#releases.splice(0);
    const byTime = new Map<number, string[]>();
    for (const { row, nextAt } of batch) byTime.set(nextAt, [...(byTime.get(nextAt) ?? []), row.id]);
    try {
      for (const [nextAt, ids] of byTime) await release(db, ids, nextAt, this.#owner);
    } catch (error) {
      // written again at the next turn: a release changes only rows still ours
      this.#releases.unshift(...batch);
      throw error;
    }
    for (const { row } of batch) {
      this.#held.delete(row.id);
      this.#blocks.settle(chainKey(row));
    }
  }

  async #purge(): Promise<void> {
    const { clock, db } = this.#server;
    if (clock.monotonic() - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = clock.monotonic();
    const now = clock.now();
    await purgeFinished(db, now - DONE_KEPT_MS, now - DEAD_KEPT_MS);
  }

  /** Resolves true when the full time passed, false when woken. */
  #sleep(ms: number): Promise<boolean> {
    const { clock } = this.#server;
    return new Promise((resolve) => {
      const end = (timedOut: boolean): void => {
        clock.clearTimeout(timer);
        this.#wakeSleeper = undefined;
        resolve(timedOut);
      };
      const timer = clock.setTimeout(() => end(true), ms);
      this.#wakeSleeper = () => end(false);
    });
  }
}

/** Resolves after the events already queued (a yield, not a wait: the clock is not involved). */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The running callback machinery of a server: see {@link startCallbacks}. */
export interface Callbacks {
  /** Stops taking events and sending; what is not done is sent after the next start. */
  stop(): Promise<void>;
}

/**
 * Subscribes the callback outbox to txqueue's events and starts the sender
 * (manual §8.1: the backend learns a call's progress through callbacks).
 */
export function startCallbacks(server: ServerContext): Callbacks {
  const sender = new CallbackSender(server);
  const unsubscribe = server.queue.subscribe(callbackSubscriber(server, (callbacks) => sender.store(callbacks)));
  sender.start();
  return {
    async stop() {
      unsubscribe();
      await sender.stop();
    },
  };
}

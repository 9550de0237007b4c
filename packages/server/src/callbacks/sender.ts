import type { ServerContext } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';
import { postJson, redactUrl } from '../http-post.ts';
import { claimCallbacks, nextDue, resumeAfterRestart } from './claim.ts';
import { type CallbackRow, markDead, markDone, markFailed, purgeFinished, release, renewLease } from './outbox.ts';
import { callbackSubscriber } from './subscriber.ts';

/** Rows taken per claim statement. */
const BATCH = 64;
/** Rows this process holds (claimed, not yet finished) at most. */
const MAX_HELD = 512;
/** URLs sent to at once; a URL waiting for a slot keeps its rows leased. */
const MAX_URLS = 16;
/** Requests in flight to one URL; each is another transaction's (claim.ts keeps one per transaction). */
const PER_URL = 4;
/** Longest sleep: rows other processes store (PostgreSQL) are found within it. */
const IDLE_POLL_MS = 1000;
/** A lease outlasts the request deadline by this much. */
const LEASE_MARGIN_MS = 30_000;
/** A row still failing this long after it was stored is given up (docs/decisions/server-callback-destinations.md). */
export const GIVE_UP_AFTER_MS = 86_400_000;
const DONE_KEPT_MS = 3_600_000;
const DEAD_KEPT_MS = 7 * 86_400_000;
const PURGE_EVERY_MS = 60_000;
/** Statuses that reject one notification, not the URL: the URL's other rows go on being sent. */
const ROW_STATUSES = new Set([400, 413, 422]);

/** The rows of one URL this process holds, and the requests running for them. */
interface Lane {
  readonly url: string;
  readonly rows: CallbackRow[];
  workers: number;
  active: boolean;
}

interface Failure {
  readonly message: string;
  /** The URL itself failed (unreachable, timed out, 5xx…): its other rows wait for the retry too. */
  readonly wholeUrl: boolean;
}

/**
 * Delivers the callback outbox (outbox.ts): claims due rows with a lease,
 * sends each with {@link postJson} carrying `X-Fleetkit-Callback-Id`, and
 * marks it done, or failed with a capped, jittered exponential backoff, or
 * dead. URLs are independent: each has its own workers, and a URL that fails
 * defers only its own rows, so a dead backend never delays another.
 */
export class CallbackSender {
  readonly #server: ServerContext;
  /** This process's lease token: a lease it lost to another process is never renewed. */
  readonly #owner: string;
  readonly #held = new Set<string>();
  readonly #lanes = new Map<string, Lane>();
  /** URLs that failed as a whole, and until when their rows wait (wall clock): one probe per backoff, not one per row. */
  readonly #resting = new Map<string, number>();
  readonly #waiting: Lane[] = [];
  readonly #work = new Set<Promise<void>>();
  readonly #stopping = new AbortController();
  #activeLanes = 0;
  #stopped = false;
  #woken = false;
  #wakeSleeper: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #lastPurge = Number.NEGATIVE_INFINITY;

  constructor(server: ServerContext) {
    this.#server = server;
    this.#owner = server.random.uuid();
  }

  /** Starts the loop; on SQLite it first makes what a stopped or killed process left due now. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** There may be new rows, or rows whose predecessor just finished: claim now. */
  wake(): void {
    this.#woken = true;
    this.#wakeSleeper?.();
  }

  /** Aborts the requests in flight and hands every held row back, to be sent by the next start. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopping.abort(new ServerError(ServerErrorCode.Closed, 'Cannot send callbacks: the server is closing'));
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#work]);
    if (this.#held.size > 0) {
      await release(this.#server.db, [...this.#held], this.#server.clock.now()).catch((error: unknown) => {
        this.#server.logger.warn('callback rows not handed back; their leases will run out', { error });
      });
    }
  }

  async #run(): Promise<void> {
    const { logger, db, clock } = this.#server;
    let started = false;
    while (!this.#stopped) {
      this.#woken = false;
      let delay = IDLE_POLL_MS;
      try {
        if (!started) await resumeAfterRestart(db, clock.now());
        started = true;
        delay = await this.#claim();
        await this.#purge();
      } catch (error) {
        logger.error('callback sender: the outbox cannot be read; trying again', { error });
        delay = IDLE_POLL_MS;
      }
      if (delay > 0 && !this.#woken && !this.#stopped) await this.#sleep(delay);
    }
  }

  /** Claims what is due; resolves to how long to sleep before looking again. */
  async #claim(): Promise<number> {
    const { clock, db, settings } = this.#server;
    const room = MAX_HELD - this.#held.size;
    // full: a finishing row wakes the loop
    if (room <= 0) return IDLE_POLL_MS;
    const limit = Math.min(room, BATCH);
    const now = clock.now();
    const rows = await claimCallbacks(db, {
      now,
      leaseUntil: now + settings.callbackTimeoutMs + LEASE_MARGIN_MS,
      owner: this.#owner,
      limit,
    });
    for (const row of rows) {
      // a row whose lease ran out while it waited here comes back: it is still ours
      if (this.#held.has(row.id)) continue;
      this.#held.add(row.id);
      this.#assign(row);
    }
    if (rows.length === limit) return 0;
    // all that could be claimed now was: a row due already waits behind another, whose end wakes the loop
    const next = await nextDue(db, now);
    return next === undefined || next <= now ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, next - now);
  }

  async #purge(): Promise<void> {
    const { clock, db } = this.#server;
    if (clock.monotonic() - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = clock.monotonic();
    const now = clock.now();
    await purgeFinished(db, now - DONE_KEPT_MS, now - DEAD_KEPT_MS);
  }

  #sleep(ms: number): Promise<void> {
    const { clock } = this.#server;
    return new Promise((resolve) => {
      const done = (): void => {
        clock.clearTimeout(timer);
        this.#wakeSleeper = undefined;
        resolve();
      };
      const timer = clock.setTimeout(done, ms);
      this.#wakeSleeper = done;
    });
  }

  #assign(row: CallbackRow): void {
    let lane = this.#lanes.get(row.url);
    if (lane === undefined) {
      lane = { url: row.url, rows: [], workers: 0, active: false };
      this.#lanes.set(row.url, lane);
      this.#waiting.push(lane);
    }
    lane.rows.push(row);
    if (lane.active) this.#addWorkers(lane);
    else this.#startLanes();
  }

  #startLanes(): void {
    while (this.#activeLanes < MAX_URLS && this.#waiting.length > 0) {
      const lane = this.#waiting.shift()!;
      lane.active = true;
      this.#activeLanes++;
      this.#addWorkers(lane);
    }
  }

  /** Every running worker holds a row, so each row still queued may get a worker of its own. */
  #addWorkers(lane: Lane): void {
    const more = Math.min(PER_URL - lane.workers, lane.rows.length);
    for (let i = 0; i < more; i++) {
      lane.workers++;
      const work = this.#worker(lane).finally(() => this.#work.delete(work));
      this.#work.add(work);
    }
  }

  async #worker(lane: Lane): Promise<void> {
    try {
      for (let row = lane.rows.shift(); row !== undefined && !this.#stopped; row = lane.rows.shift()) {
        try {
          await this.#deliver(row);
        } catch (error) {
          // the outbox could not be updated: the row's lease runs out and it is sent again, under the same id
          this.#server.logger.error('callback state not stored', { id: row.id, error });
          this.#held.delete(row.id);
        }
      }
    } finally {
      lane.workers--;
      if (lane.workers === 0 && (lane.rows.length === 0 || this.#stopped)) {
        this.#lanes.delete(lane.url);
        this.#activeLanes--;
        this.#startLanes();
      }
      this.wake();
    }
  }

  async #deliver(row: CallbackRow): Promise<void> {
    const { clock, db, settings, logger } = this.#server;
    const leaseMs = settings.callbackTimeoutMs + LEASE_MARGIN_MS;
    const before = clock.now();
    const resting = this.#resting.get(row.url) ?? 0;
    if (resting > before) {
      await release(db, [row.id], resting);
      this.#held.delete(row.id);
      return;
    }
    this.#resting.delete(row.url);
    // a row that waited here for its URL may need a longer lease than the claim gave it
    if (row.leased_until - before < settings.callbackTimeoutMs + LEASE_MARGIN_MS / 2) {
      if (!(await renewLease(db, row.id, this.#owner, before + leaseMs))) {
        this.#held.delete(row.id);
        return;
      }
    }
    let failure: Failure;
    try {
      const reply = await postJson(this.#server, row.url, {
        body: row.body,
        headers: { 'x-fleetkit-callback-id': row.id },
        signal: this.#stopping.signal,
      });
      if (reply.status >= 200 && reply.status < 300) {
        this.#resting.delete(row.url);
        await markDone(db, row.id, clock.now());
        this.#held.delete(row.id);
        return;
      }
      failure = { message: `HTTP ${reply.status}`, wholeUrl: !ROW_STATUSES.has(reply.status) };
    } catch (error) {
      // stopping: the row stays held and stop() hands it back
      if (this.#stopping.signal.aborted) return;
      if (
        error instanceof ServerError &&
        (error.code === ServerErrorCode.DestinationDenied || error.code === ServerErrorCode.InvalidUrl)
      ) {
        await markDead(db, row.id, clock.now(), error.message);
        this.#held.delete(row.id);
        logger.warn('callback refused at send time: destination not allowed', { id: row.id, reason: error.message });
        return;
      }
      failure = { message: error instanceof Error ? error.message : String(error), wholeUrl: true };
    }
    await this.#failed(row, failure);
  }

  async #failed(row: CallbackRow, failure: Failure): Promise<void> {
    const { clock, db, settings, random, logger } = this.#server;
    const now = clock.now();
    const attempts = row.attempts + 1;
    const url = redactUrl(row.url);
    if (now - row.created_at >= GIVE_UP_AFTER_MS) {
      await markDead(db, row.id, now, failure.message);
      this.#held.delete(row.id);
      logger.warn('callback given up', { id: row.id, url, attempts, error: failure.message });
      return;
    }
    const base = Math.min(settings.callbackRetryMaxMs, settings.callbackRetryMs * 2 ** Math.min(attempts - 1, 40));
    // jitter: backends that come back are not hit by every process at the same moment
    const nextAt = now + Math.round(base / 2 + (random.float() * base) / 2);
    await markFailed(db, row.id, nextAt, failure.message);
    this.#held.delete(row.id);
    logger.info('callback failed; retrying', { id: row.id, url, attempts, retryAt: nextAt, error: failure.message });
    if (failure.wholeUrl) this.#resting.set(row.url, Math.max(nextAt, this.#resting.get(row.url) ?? 0));
  }
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
  const unsubscribe = server.queue.subscribe(callbackSubscriber(server, () => sender.wake()));
  sender.start();
  return {
    async stop() {
      unsubscribe();
      await sender.stop();
    },
  };
}

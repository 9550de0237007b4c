import type { ServerContext } from '../context.ts';
import { ServerError, ServerErrorCode } from '../errors.ts';
import { postJson, redactUrl } from '../http-post.ts';
import type { Blocks } from './blocks.ts';
import type { Step } from './lanes.ts';
import { markDead, markFailed, renewLease } from './outbox.ts';
import { type CallbackRow, chainKey } from './rows.ts';

/** A lease outlasts the request deadline by this much. */
export const LEASE_MARGIN_MS = 30_000;
/** A row still failing this long after it was stored is given up (docs/decisions/server-callback-destinations.md). */
export const GIVE_UP_AFTER_MS = 86_400_000;
/** How soon a row whose state could not be written is handed back for another try. */
const STORE_RETRY_MS = 1000;
/** Statuses that reject one notification, not the URL: the URL's other rows go on being sent. */
const ROW_STATUSES = new Set([400, 413, 422]);

interface Failure {
  readonly message: string;
  /** The URL itself failed (unreachable, timed out, 5xx…): its other rows wait for the retry too. */
  readonly wholeUrl: boolean;
}

/** What sending a row needs of the sender (sender.ts). */
export interface DeliveryHost {
  readonly server: ServerContext;
  /** The sender's lease token. */
  readonly owner: string;
  /** Aborted when the sender stops. */
  readonly signal: AbortSignal;
  /** Ids of the rows the sender holds. */
  readonly held: Set<string>;
  readonly blocks: Blocks;
  /** Hands a held row back at the loop's next turn; its chain is blocked until then. */
  handBack(row: CallbackRow, nextAt: number): void;
  /** The row was delivered: mark it done. */
  delivered(row: CallbackRow): void;
}

/**
 * Sends one row and settles what became of it: delivered (2xx), failed with
 * a capped, jittered exponential backoff, or dead. A URL that fails as a
 * whole rests until its retry time: its other rows are handed back to that
 * time unsent, one probe per backoff instead of one failure per row.
 */
export class Delivery {
  readonly #host: DeliveryHost;
  /** URLs that failed as a whole, and until when their rows wait (wall clock). */
  readonly #resting = new Map<string, number>();

  constructor(host: DeliveryHost) {
    this.#host = host;
  }

  /** Sends one row of a chain (lanes.ts): `next` when the rows after it may go, `break` when they must wait. */
  async send(row: CallbackRow): Promise<Step> {
    const { server, owner, signal, held, blocks } = this.#host;
    const { clock, db, settings, logger } = server;
    const leaseMs = settings.callbackTimeoutMs + LEASE_MARGIN_MS;
    const before = clock.now();
    const resting = this.#resting.get(row.url) ?? 0;
    if (resting > before) {
      this.#host.handBack(row, resting);
      return 'break';
    }
    this.#resting.delete(row.url);
    // a row that waited here for its URL may need a longer lease than it was given
    if (row.leasedUntil - before < settings.callbackTimeoutMs + LEASE_MARGIN_MS / 2) {
      let renewed: boolean;
      try {
        renewed = await renewLease(db, row.id, owner, before + leaseMs);
      } catch (error) {
        logger.error('callback lease not renewed', { id: row.id, error });
        this.#host.handBack(row, before + STORE_RETRY_MS);
        return 'break';
      }
      if (!renewed) {
        // another process took it: the rows after it are its to send
        held.delete(row.id);
        blocks.block(chainKey(row));
        blocks.settle(chainKey(row));
        return 'break';
      }
    }
    let failure: Failure;
    try {
      const reply = await postJson(server, row.url, {
        body: row.body,
        headers: { 'x-fleetkit-callback-id': row.id },
        signal,
      });
      if (reply.status >= 200 && reply.status < 300) {
        this.#resting.delete(row.url);
        this.#host.delivered(row);
        return 'next';
      }
      failure = { message: `HTTP ${reply.status}`, wholeUrl: !ROW_STATUSES.has(reply.status) };
    } catch (error) {
      // stopping: the row stays held and the sender hands it back
      if (signal.aborted) return 'stop';
      if (
        error instanceof ServerError &&
        (error.code === ServerErrorCode.DestinationDenied || error.code === ServerErrorCode.InvalidUrl)
      ) {
        logger.warn('callback refused at send time: destination not allowed', { id: row.id, reason: error.message });
        return this.#giveUp(row, error.message);
      }
      failure = { message: error instanceof Error ? error.message : String(error), wholeUrl: true };
    }
    return this.#failed(row, failure);
  }

  /** Marks the row dead; the rows after it in its transaction go on. */
  async #giveUp(row: CallbackRow, message: string): Promise<Step> {
    const { server, held } = this.#host;
    const now = server.clock.now();
    try {
      await markDead(server.db, row.id, now, message);
    } catch (error) {
      server.logger.error('callback state not stored', { id: row.id, error });
      this.#host.handBack(row, now + STORE_RETRY_MS);
      return 'break';
    }
    held.delete(row.id);
    return 'next';
  }

  async #failed(row: CallbackRow, failure: Failure): Promise<Step> {
    const { server, held, blocks } = this.#host;
    const { clock, db, settings, random, logger } = server;
    const now = clock.now();
    const attempts = row.attempts + 1;
    const url = redactUrl(row.url);
    if (now - row.createdAt >= GIVE_UP_AFTER_MS) {
      logger.warn('callback given up', { id: row.id, url, attempts, error: failure.message });
      return this.#giveUp(row, failure.message);
    }
    const base = Math.min(settings.callbackRetryMaxMs, settings.callbackRetryMs * 2 ** Math.min(attempts - 1, 40));
    // jitter: backends that come back are not hit by every process at the same moment
    const nextAt = now + Math.round(base / 2 + (random.float() * base) / 2);
    if (failure.wholeUrl) this.#resting.set(row.url, Math.max(nextAt, this.#resting.get(row.url) ?? 0));
    const key = chainKey(row);
    // before the write: rows of the transaction leased from now on wait for it
    blocks.block(key);
    try {
      await markFailed(db, row.id, nextAt, failure.message);
    } catch (error) {
      logger.error('callback state not stored', { id: row.id, error });
      // handed back instead: the block now waits for that write
      this.#host.handBack(row, nextAt);
      blocks.settle(key);
      return 'break';
    }
    held.delete(row.id);
    blocks.settle(key);
    logger.info('callback failed; retrying', { id: row.id, url, attempts, retryAt: nextAt, error: failure.message });
    return 'break';
  }
}

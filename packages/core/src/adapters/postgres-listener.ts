import type pg from 'pg';
import type { Clock, TimerHandle } from '../clock.ts';
import { CoreError, CoreErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ListenEvents, NotificationHandler } from '../sql/notify.ts';

/** First wait before listening again after a loss; it doubles per failed attempt. */
const FIRST_RETRY_MS = 100;
/** Longest wait between attempts while the server stays unreachable. */
const LONGEST_RETRY_MS = 5000;

/** What a {@link ChannelListener} needs from its driver. */
export interface ListenerContext {
  /** A new, not yet connected client of its own (outside the pool). */
  readonly newClient: () => pg.Client;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * One `LISTEN` that outlives its connection. It holds a connection of its
 * own; when that breaks, it connects and listens again, waiting 100 ms,
 * then twice as long after each failed attempt up to 5 s, and tells the
 * subscriber through {@link ListenEvents}.
 */
export class ChannelListener {
  readonly #context: ListenerContext;
  readonly #channel: string;
  readonly #handler: NotificationHandler;
  readonly #events: ListenEvents;
  #client: pg.Client | undefined;
  #retry: TimerHandle | undefined;
  #failures = 0;
  #stopped = false;

  constructor(context: ListenerContext, channel: string, handler: NotificationHandler, events: ListenEvents) {
    this.#context = context;
    this.#channel = channel;
    this.#handler = handler;
    this.#events = events;
  }

  /** Connects and listens; rejects when the first connection fails. */
  async start(): Promise<void> {
    this.#client = await this.#open();
  }

  /** Stops listening and closes the connection; no attempt follows. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry !== undefined) this.#context.clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    const client = this.#client;
    this.#client = undefined;
    // ending the session ends its LISTEN too
    await client?.end().catch(() => {});
  }

  async #open(): Promise<pg.Client> {
    const client = this.#context.newClient();
    let ready = false;
    let broken: unknown;
    const fail = (error: unknown): void => {
      if (broken !== undefined) return;
      broken = error;
      if (ready) this.#lost(client, error);
    };
    // without an error listener, a broken connection's error event would end the process
    client.on('error', fail);
    client.on('end', () => fail(new Error('the server closed the connection')));
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#handler(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.#channel)}`);
      if (broken !== undefined) throw broken;
    } catch (cause) {
      broken ??= cause;
      await client.end().catch(() => {});
      throw this.#error('listen on', cause);
    }
    ready = true;
    return client;
  }

  #lost(client: pg.Client, cause: unknown): void {
    if (client !== this.#client || this.#stopped) return;
    this.#client = undefined;
    void client.end().catch(() => {});
    const error = this.#error('keep listening on', cause);
    this.#context.logger.warn('lost the LISTEN connection; notifications are lost until it is back', {
      channel: this.#channel,
      error,
    });
    this.#events.onLost?.(error);
    this.#schedule();
  }

  #schedule(): void {
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.#failures, LONGEST_RETRY_MS);
    this.#failures++;
    this.#retry = this.#context.clock.setTimeout(() => {
      this.#retry = undefined;
      void this.#reconnect(delay);
    }, delay);
  }

  async #reconnect(waitedMs: number): Promise<void> {
    if (this.#stopped) return;
    let client: pg.Client;
    try {
      client = await this.#open();
    } catch (error) {
      if (this.#stopped) return;
      this.#context.logger.warn('could not listen again; will retry', {
        channel: this.#channel,
        attempt: this.#failures,
        waitedMs,
        error,
      });
      this.#schedule();
      return;
    }
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#context.logger.info('listening again on a new connection', {
      channel: this.#channel,
      attempts: this.#failures,
    });
    this.#failures = 0;
    this.#events.onRestored?.();
  }

  #error(action: string, cause: unknown): CoreError {
    const message = cause instanceof Error ? cause.message : String(cause);
    // a server error carries its SQLSTATE as `code`; a socket error carries a system code there
    const code = (cause as { code?: unknown } | undefined)?.code;
    const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
    return new CoreError(CoreErrorCode.SqlFailed, `Cannot ${action} channel "${this.#channel}": ${message}`, {
      cause,
      details: { channel: this.#channel, ...(sqlState === undefined ? {} : { sqlState }) },
    });
  }
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

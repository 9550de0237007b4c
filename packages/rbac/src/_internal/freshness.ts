import type { Clock, Logger, TimerHandle } from '@fleetkit/core';

/** What {@link Freshness} needs from its engine. */
export interface FreshnessContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly reloadRetryMs: number;
  readonly reloadRetryMaxMs: number;
  readonly maxStaleMs: number;
  /**
   * Re-reads the store into memory, queued behind the engine's changes;
   * calls `starting` just before it reads.
   */
  readonly reload: (starting: () => void) => Promise<void>;
}

/**
 * Whether the in-memory model may be behind the store, and what to do about
 * it. The model is stale from the first change elsewhere that no finished
 * reload has read (a notification) or could have read (the notifier's
 * connection is down). A reload after a notification that fails is retried,
 * waiting `reloadRetryMs`, doubling up to `reloadRetryMaxMs`; once the model
 * has been stale for `maxStaleMs`, the engine fails closed until a reload
 * succeeds: a revoke made elsewhere must not stay unenforced here for ever.
 */
export class Freshness {
  readonly #context: FreshnessContext;
  /** Monotonic time of the oldest change elsewhere no finished reload has read. */
  #staleSince: number | undefined;
  /** Monotonic time of the oldest change noticed after the running reload started to read. */
  #unreadSince: number | undefined;
  #listening = true;
  #queued = false;
  #failures = 0;
  #retry: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #deadlineFor: number | undefined;
  #failingClosed = false;
  #stopped = false;

  constructor(context: FreshnessContext) {
    this.#context = context;
  }

  /** True once the model has been stale for longer than `maxStaleMs`: deny everything. */
  get failingClosed(): boolean {
    return this.#failingClosed;
  }

  /** Another process committed a change: reload now, or at the retry already planned. */
  changed(): void {
    this.#noticed();
    if (!this.#queued && this.#retry === undefined) this.#queue();
  }

  /** The notifier's connection broke: changes elsewhere go unseen until {@link restored}. */
  lost(): void {
    this.#listening = false;
    this.#noticed();
  }

  /** The notifier listens again; what changed meanwhile is unknown, so everything is read again. */
  restored(): void {
    this.#listening = true;
    this.changed();
  }

  /** A reload is about to read: it covers every change noticed so far. */
  starting(): void {
    this.#unreadSince = undefined;
  }

  /** A reload finished: the model is current, unless a change arrived while it read or nobody listens. */
  loaded(): void {
    if (this.#listening) this.#staleSince = this.#unreadSince;
    this.#failures = 0;
    if (this.#retry !== undefined) this.#context.clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#armDeadline();
    if (this.#staleSince !== undefined && this.#listening && !this.#queued) this.#queue();
  }

  /** Cancels every timer; nothing is retried afterwards. */
  stop(): void {
    this.#stopped = true;
    if (this.#retry !== undefined) this.#context.clock.clearTimeout(this.#retry);
    if (this.#deadline !== undefined) this.#context.clock.clearTimeout(this.#deadline);
    this.#retry = undefined;
    this.#deadline = undefined;
  }

  #noticed(): void {
    const now = this.#context.clock.monotonic();
    this.#staleSince ??= now;
    this.#unreadSince ??= now;
    this.#armDeadline();
  }

  #queue(): void {
    if (this.#stopped) return;
    this.#queued = true;
    this.#context
      .reload(() => {
        this.#queued = false;
        this.starting();
      })
      .then(
        () => this.loaded(),
        (error: unknown) => this.#failed(error),
      );
  }

  #failed(error: unknown): void {
    this.#queued = false;
    if (this.#stopped) return;
    const delay = Math.min(this.#context.reloadRetryMs * 2 ** this.#failures, this.#context.reloadRetryMaxMs);
    this.#failures++;
    this.#context.logger.error('could not reload the RBAC store after a change elsewhere; retrying', {
      error,
      attempt: this.#failures,
      retryInMs: delay,
      staleForMs: this.#staleForMs(),
      maxStaleMs: this.#context.maxStaleMs,
      failingClosed: this.#failingClosed,
    });
    this.#retry = this.#context.clock.setTimeout(() => {
      this.#retry = undefined;
      this.#queue();
    }, delay);
  }

  /** Sets the fail-closed deadline to `maxStaleMs` after the model became stale; no staleness, no deadline. */
  #armDeadline(): void {
    if (this.#deadlineFor === this.#staleSince) return;
    if (this.#deadline !== undefined) this.#context.clock.clearTimeout(this.#deadline);
    this.#deadline = undefined;
    this.#deadlineFor = this.#staleSince;
    const remaining =
      this.#staleSince === undefined
        ? undefined
        : this.#staleSince + this.#context.maxStaleMs - this.#context.clock.monotonic();
    if (remaining !== undefined && remaining <= 0) {
      this.#failClosed();
      return;
    }
    if (this.#failingClosed) {
      this.#failingClosed = false;
      this.#context.logger.info('the RBAC model has caught up with the store; decisions resume');
    }
    if (remaining !== undefined && !this.#stopped)
      this.#deadline = this.#context.clock.setTimeout(() => this.#failClosed(), remaining);
  }

  #failClosed(): void {
    this.#deadline = undefined;
    if (this.#failingClosed) return;
    this.#failingClosed = true;
    this.#context.logger.error('denying every RBAC decision: the model has been behind the store too long', {
      staleForMs: this.#staleForMs(),
      maxStaleMs: this.#context.maxStaleMs,
      listening: this.#listening,
      failedReloads: this.#failures,
    });
  }

  #staleForMs(): number {
    return this.#staleSince === undefined ? 0 : this.#context.clock.monotonic() - this.#staleSince;
  }
}

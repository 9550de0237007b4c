import type { Clock } from '@fleetkit/core';
import type { Notifier } from '../dialects/dialect.ts';

/** How long a watch registration lasts; the maintenance pass renews it after half of that. */
const WATCH_MS = 60_000;

/**
 * Wakes long-polling call-ins and work hooks: in this process directly, in
 * the other engines sharing the store through the dialect's notifier
 * (PostgreSQL: LISTEN/NOTIFY, dialects/postgres/notify.ts); with none (SQLite,
 * one process) only here. One send is in flight at a time; keys gather
 * meanwhile.
 */
export class Wakeups {
  readonly #clock: Clock;
  readonly #notifier: Notifier | undefined;
  readonly #local: (key: string) => void;
  readonly #waiting: () => Iterable<string>;
  readonly #pending = new Set<string>();
  /** Watched device keys of this process, with how many watches each has. */
  readonly #watched = new Map<string, number>();
  /** When the watches were last renewed (the clock's monotonic ms). */
  #renewedAt = Number.NEGATIVE_INFINITY;
  #sending = false;
  #unlisten: (() => Promise<void>) | undefined;

  /**
   * `local` wakes a key in this process (its waiters and work hooks);
   * `waiting` lists the keys its long polls wait on now.
   */
  constructor(
    notifier: Notifier | undefined,
    clock: Clock,
    local: (key: string) => void,
    waiting: () => Iterable<string>,
  ) {
    this.#notifier = notifier;
    this.#clock = clock;
    this.#local = local;
    this.#waiting = waiting;
  }

  async listen(): Promise<void> {
    this.#unlisten = await this.#notifier?.listen(
      (keys) => {
        for (const key of keys) this.#local(key);
      },
      // wake-ups sent while the channel was down are lost: every waiter and
      // watched device looks again, as if each had been woken
      () => this.#wakeAllHere(),
    );
  }

  #wakeAllHere(): void {
    for (const key of new Set([...this.#waiting(), ...this.#watched.keys()])) this.#local(key);
  }

  /**
   * Records that a call-in or a watch may wait on `keys` for `ms` more, so
   * enqueues in other engines wake this one for them.
   */
  async register(keys: readonly string[], ms: number): Promise<void> {
    await this.#notifier?.register(keys, ms);
  }

  /**
   * Watches a device key until the returned function is called: enqueues in
   * other engines wake this one for it. Registered before it resolves, so a
   * call-in made after it sees every transaction no wake-up will report.
   */
  async watch(key: string): Promise<() => void> {
    if (!this.#notifier) return () => {};
    this.#watched.set(key, (this.#watched.get(key) ?? 0) + 1);
    try {
      await this.register([key], WATCH_MS);
    } catch (error) {
      this.#unwatch(key);
      throw error;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#unwatch(key);
    };
  }

  /** Renews the watch registrations of this process once half their time has passed (the maintenance pass). */
  async renewWatches(): Promise<void> {
    const now = this.#clock.monotonic();
    if (this.#watched.size === 0 || now - this.#renewedAt < WATCH_MS / 2) return;
    this.#renewedAt = now;
    await this.register([...this.#watched.keys()], WATCH_MS);
  }

  /** Wakes `keys` in this process only (no other engine waits on them). */
  here(keys: Iterable<string>): void {
    for (const key of keys) this.#local(key);
  }

  /** Wakes `keys` here, and returns the work of waking them in the other engines, if any. */
  wake(keys: Iterable<string>): Promise<void> | undefined {
    const notifier = this.#notifier;
    for (const key of keys) {
      this.#local(key);
      if (notifier) this.#pending.add(key);
    }
    if (!notifier || this.#sending || this.#pending.size === 0) return undefined;
    return this.#send(notifier);
  }

  async close(): Promise<void> {
    await this.#unlisten?.();
  }

  #unwatch(key: string): void {
    const count = (this.#watched.get(key) ?? 1) - 1;
    if (count > 0) this.#watched.set(key, count);
    else this.#watched.delete(key);
  }

  async #send(notifier: Notifier): Promise<void> {
    this.#sending = true;
    try {
      while (this.#pending.size > 0) {
        const keys = [...this.#pending];
        this.#pending.clear();
        await notifier.send(keys);
      }
    } finally {
      this.#sending = false;
    }
  }
}

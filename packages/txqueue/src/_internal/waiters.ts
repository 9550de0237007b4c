import type { Clock } from '@fleetkit/core';

/** Long-polling call-ins waiting for work, woken by key. */
export class Waiters {
  readonly #byKey = new Map<string, Set<() => void>>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Registers a waiter before the caller looks for work (so a wake between
   * the look and the wait is not lost); `promise` settles on wake, timeout
   * or abort, `cancel` drops it.
   */
  wait(key: string, ms: number, signal?: AbortSignal): { readonly promise: Promise<void>; cancel(): void } {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const set = this.#byKey.get(key) ?? new Set<() => void>();
    this.#byKey.set(key, set);
    const timer = this.#clock.setTimeout(() => finish(), ms);
    const finish = (): void => {
      this.#clock.clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      set.delete(finish);
      if (set.size === 0 && this.#byKey.get(key) === set) this.#byKey.delete(key);
      done();
    };
    signal?.addEventListener('abort', finish, { once: true });
    set.add(finish);
    return { promise, cancel: finish };
  }

  wake(key: string): void {
    for (const fn of [...(this.#byKey.get(key) ?? [])]) fn();
  }

  /** The keys someone waits on now. */
  keys(): string[] {
    return [...this.#byKey.keys()];
  }
}

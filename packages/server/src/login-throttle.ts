import type { Clock } from '@fleetkit/core';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  readonly clock: Clock;
  /** Failures a key may have before its attempts are slowed. Default 5. */
  readonly freeFailures?: number;
  /** Delay after the first slowed failure, doubled per further failure, in ms. Default 250. */
  readonly baseDelayMs?: number;
  /** Longest delay, in ms. Default 10 000. */
  readonly maxDelayMs?: number;
  /** A key's failures are forgotten this long after its last one, in ms. Default 15 min. */
  readonly forgetAfterMs?: number;
  /** Most keys remembered; the oldest are forgotten first. Default 100 000. */
  readonly maxKeys?: number;
}

interface Failures {
  count: number;
  last: number;
}

/**
 * Slows repeated failed logins per user name and per source address (OWASP
 * authentication cheat sheet: throttle, do not lock out, so an attacker
 * cannot lock a real user out). A key is slowed once it has more than
 * `freeFailures` recent failures; a success clears the user's key.
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #forget: number;
  readonly #maxKeys: number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: LoginThrottleOptions) {
    this.#clock = options.clock;
    this.#free = options.freeFailures ?? 5;
    this.#base = options.baseDelayMs ?? 250;
    this.#max = options.maxDelayMs ?? 10_000;
    this.#forget = options.forgetAfterMs ?? 15 * 60_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** How long an attempt by these keys must wait before it is checked, in ms. */
  delayFor(keys: readonly string[]): number {
    let worst = 0;
    for (const key of keys) worst = Math.max(worst, this.#count(key));
    if (worst < this.#free) return 0;
    return Math.min(this.#max, this.#base * 2 ** (worst - this.#free));
  }

  failed(keys: readonly string[]): void {
    const now = this.#clock.now();
    for (const key of keys) {
      const entry = this.#failures.get(key);
      const count = entry !== undefined && now - entry.last < this.#forget ? entry.count + 1 : 1;
      this.#failures.delete(key);
      this.#failures.set(key, { count, last: now });
    }
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  #count(key: string): number {
    const entry = this.#failures.get(key);
    if (entry === undefined) return 0;
    if (this.#clock.now() - entry.last >= this.#forget) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count;
  }
}

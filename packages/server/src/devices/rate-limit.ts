import type { Clock } from '@fleetkit/core';

/** Options of {@link TokenBuckets}. */
export interface TokenBucketOptions {
  readonly clock: Clock;
  /** Calls a key may make at once after a quiet spell. */
  readonly burst: number;
  /** Calls per second a key may keep up. */
  readonly perSecond: number;
  /** Most keys remembered; the least recently used go first (a forgotten key starts with a full bucket). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key (a device), on the monotonic clock: a device may
 * call `burst` times at once and `perSecond` times a second after that;
 * beyond it the caller answers 429 (docs/sources.md, the Xyte device API: the Xyte API does too).
 */
export class TokenBuckets {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    this.#clock = options.clock;
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes a token for `key`: 0 when the call may go ahead, else how many ms until one is there. */
  take(key: string): number {
    const now = this.#clock.monotonic();
    const old = this.#buckets.get(key);
    const tokens = old === undefined ? this.#burst : Math.min(this.#burst, old.tokens + (now - old.at) * this.#perMs);
    this.#buckets.delete(key);
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return this.#perMs > 0 ? Math.ceil((1 - tokens) / this.#perMs) : Number.POSITIVE_INFINITY;
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    while (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    return 0;
  }
}

import { timingSafeEqual } from '@fleetkit/core';

const encoder = new TextEncoder();

/**
 * A set of API keys checked in constant time: the time a check takes depends
 * on the configured keys' lengths only, never on how much of a guess matches
 * or on which key it matches.
 */
export class KeyRing {
  readonly #keys: readonly Uint8Array[];

  constructor(keys: readonly string[]) {
    this.#keys = keys.map((k) => encoder.encode(k));
  }

  /** Number of keys configured. */
  get size(): number {
    return this.#keys.length;
  }

  /** Whether `candidate` equals one of the keys. */
  accepts(candidate: string | undefined): boolean {
    const guess = encoder.encode(candidate ?? '');
    let matched = 0;
    // every key is compared, so the time does not reveal which one matched
    for (const key of this.#keys) matched |= timingSafeEqual(key, guess) ? 1 : 0;
    return candidate !== undefined && matched === 1;
  }
}

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
    for (const key of this.#keys) matched |= equalBytes(key, guess);
    return candidate !== undefined && matched === 1;
  }
}

/** 1 when equal, 0 otherwise; the loop always walks the whole key. */
function equalBytes(key: Uint8Array, guess: Uint8Array): number {
  let diff = key.length ^ guess.length;
  const n = guess.length === 0 ? 1 : guess.length;
  for (let i = 0; i < key.length; i++) diff |= key[i]! ^ (guess[i % n] ?? 0);
  return diff === 0 ? 1 : 0;
}

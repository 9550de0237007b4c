import type { Random } from '@fleetkit/core';

/** One remembered login: whose it was, and the password hash it verified against. */
interface Verified {
  readonly user: string;
  readonly passwordHash: string;
}

/**
 * Logins that verified, so a client sending the same Basic-auth credentials
 * with every request pays PBKDF2 once. An entry is keyed by HMAC-SHA-256 of
 * user and password under a random key of this engine (the password itself
 * is never kept), and holds the password hash it verified against: it
 * counts only while that is still the user's hash, so a changed password or
 * a deleted user, here or in another process once the engine has reloaded,
 * ends it. The least recently used entry goes first when the cache is full.
 */
export class LoginCache {
  readonly #size: number;
  readonly #random: Random;
  readonly #entries = new Map<string, Verified>();
  #key: Promise<CryptoKey> | undefined;

  constructor(size: number, random: Random) {
    this.#size = size;
    this.#random = random;
  }

  get enabled(): boolean {
    return this.#size > 0;
  }

  /** The cache key of a user and password. */
  async keyOf(user: string, password: string): Promise<string> {
    this.#key ??= crypto.subtle.importKey(
      'raw',
      this.#random.bytes(32) as Uint8Array<ArrayBuffer>,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    // the length prefix keeps ("ab", "c") and ("a", "bc") apart
    const message = new TextEncoder().encode(`${user.length}:${user}${password}`);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, message));
    let text = '';
    for (const byte of mac) text += String.fromCharCode(byte);
    return text;
  }

  /** Whether `key` verified against `passwordHash`, the user's hash now. */
  has(key: string, passwordHash: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    if (entry.passwordHash !== passwordHash) return false;
    this.#entries.set(key, entry);
    return true;
  }

  /** Remembers that `key` verified as `user` against `passwordHash`. */
  remember(key: string, user: string, passwordHash: string): void {
    if (!this.enabled) return;
    this.#entries.delete(key);
    this.#entries.set(key, { user, passwordHash });
    if (this.#entries.size > this.#size) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Drops the entries of `user` (its password changed, or it was deleted). */
  forget(user: string): void {
    for (const [key, entry] of this.#entries) if (entry.user === user) this.#entries.delete(key);
  }

  /** Keeps only the entries whose hash is still their user's (after a reload). */
  retain(passwordHash: (user: string) => string | undefined): void {
    for (const [key, entry] of this.#entries) {
      if (passwordHash(entry.user) !== entry.passwordHash) this.#entries.delete(key);
    }
  }
}

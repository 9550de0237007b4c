import type { Random } from '@fleetkit/core';
import { invalid } from './_internal/fail.ts';

/** PBKDF2-HMAC-SHA-256 rounds; OWASP's 2023 recommendation for that hash. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/** The fewest rounds an engine accepts outside tests: OWASP's floor for PBKDF2-HMAC-SHA-256. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;
const SCHEME = 'pbkdf2-sha256';

/**
 * Hashes a password with a fresh salt through WebCrypto (every runtime has
 * it) and returns `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64), so a
 * later change of the iteration count still verifies old hashes.
 */
export async function hashPassword(
  password: string,
  random: Random,
  iterations = DEFAULT_PBKDF2_ITERATIONS,
): Promise<string> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    invalid('iterations', 'a positive integer', iterations, 'hash the password');
  }
  const salt = random.bytes(SALT_BYTES);
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Whether `password` matches an encoded hash; a malformed hash never matches. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, rounds, salt, hash, extra] = encoded.split('$');
  const iterations = Number(rounds);
  if (scheme !== SCHEME || salt === undefined || hash === undefined || extra !== undefined) return false;
  if (!Number.isSafeInteger(iterations) || iterations < 1) return false;
  const expected = fromBase64(hash);
  const actual = await derive(password, fromBase64(salt), iterations);
  return constantTimeEqual(actual, expected);
}

/** A random password of 24 URL-safe characters (144 bits), for first logins. */
export function generatePassword(random: Random): string {
  return toBase64(random.bytes(18)).replaceAll('+', '-').replaceAll('/', '_');
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations };
  return new Uint8Array(await crypto.subtle.deriveBits(params, key, KEY_BITS));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
}

import { timingSafeEqual } from '@fleetkit/core';

const encoder = new TextEncoder();

/** Bytes as unpadded base64url (RFC 4648 §5): letters, digits, `-` and `_`, safe in URLs and broker ids. */
export function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A new device access key: 32 bytes from `crypto.getRandomValues`, never
 * the injected `Random` (a seeded one must never make a credential).
 */
export function newAccessKey(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * A new public id: 16 random bytes, 22 base64url characters, which the
 * broker accepts as a deviceId (letters, digits, `-`, `_`).
 */
export function newPublicId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * The stored form of a device secret (an access key or a provisioning key):
 * its SHA-256, so the database never holds a usable credential. A key of 256
 * random bits needs no slow hash; a provisioning key chosen by a backend is
 * required to be long, and guesses at it are throttled.
 */
export async function secretHash(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(secret)));
  return `sha256:${base64url(digest)}`;
}

/** Whether `secret` hashes to `stored`, compared in constant time. */
export async function secretMatches(stored: string | undefined, secret: string): Promise<boolean> {
  if (stored === undefined || stored === '') return false;
  return timingSafeEqual(encoder.encode(stored), encoder.encode(await secretHash(secret)));
}

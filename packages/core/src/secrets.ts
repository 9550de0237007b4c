const encoder = new TextEncoder();

/**
 * Whether `guess` equals `secret`, in time that depends only on the length of
 * `secret`: never on how much of a guess matches, nor on the guess's length,
 * so a caller cannot learn a secret byte by byte from response times.
 */
export function timingSafeEqual(secret: Uint8Array, guess: Uint8Array): boolean {
  let diff = secret.length ^ guess.length;
  // walk the whole secret whatever the guess; `% n` keeps reads inside the guess
  const n = guess.length === 0 ? 1 : guess.length;
  for (let i = 0; i < secret.length; i++) diff |= secret[i]! ^ (guess[i % n] ?? 0);
  return diff === 0;
}

/** SHA-256 of a string's UTF-8 bytes. */
async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Compares two secret strings in constant time, hiding their lengths too (both are hashed first). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  return timingSafeEqual(x, y);
}

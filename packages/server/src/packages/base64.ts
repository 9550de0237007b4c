const ALPHABET = /^[A-Za-z0-9+/]*$/;

/**
 * Why `text` is not standard base64 (RFC 4648 §4, padded), or undefined
 * when it is: the first character outside the alphabet with its position,
 * a length that is no multiple of 4 (an image cut short), padding anywhere
 * but the end.
 */
export function base64Problem(text: string): string | undefined {
  const padding = /=*$/.exec(text)?.[0].length ?? 0;
  const body = text.slice(0, text.length - padding);
  if (!ALPHABET.test(body)) {
    const at = [...body].findIndex((c) => !/[A-Za-z0-9+/]/.test(c));
    return `Invalid base64: character ${JSON.stringify(body[at])} at position ${at} is not in the base64 alphabet`;
  }
  if (padding > 2) return `Invalid base64: ${padding} padding characters at the end (at most 2)`;
  if (text.length % 4 !== 0) {
    return `Invalid base64: ${text.length} characters is not a multiple of 4 (the image is truncated or padding is missing)`;
  }
  return undefined;
}

/** Decodes text {@link base64Problem} accepted. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes turned into one binary string per call: few calls, and well under any engine's argument limit. */
const RUN = 0x2000;

/** Standard base64 of bytes (the public key, bitmaps, the broker's package data). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += RUN) {
    binary += String.fromCharCode(...bytes.subarray(at, at + RUN));
  }
  return btoa(binary);
}

// The baselines the encoder is measured beside: openssl's own SHA-256 speed
// on one core (the physical limit), a plain node:crypto loop, and WebCrypto
// with every chunk's digest in flight at once (libuv's thread pool).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Bytes per second of `openssl speed -evp sha256` on 1 MiB blocks, one
 * process. `-elapsed` divides by wall-clock time as our figures do; without
 * it openssl divides by its CPU time and looks unaffected by a busy machine.
 */
export async function opensslSha256(seconds = 3): Promise<number> {
  const { stdout } = await promisify(execFile)('openssl', [
    'speed',
    '-elapsed',
    '-evp',
    'sha256',
    '-bytes',
    String(1 << 20),
    '-seconds',
    String(seconds),
  ]);
  // last line: "sha256   1091218.73k" (thousands of bytes per second)
  const match = /^(?:sha256|SHA256)\s+([\d.]+)k\s*$/m.exec(stdout);
  if (match === null) throw new Error(`Cannot read the figure of openssl speed from:\n${stdout}`);
  return Number(match[1]) * 1000;
}

/** One `createHash('sha256')` per chunk, on the calling thread. */
export function nodeCryptoLoop(image: Uint8Array, chunkSize: number): void {
  for (let at = 0; at < image.length; at += chunkSize)
    createHash('sha256')
      .update(image.subarray(at, at + chunkSize))
      .digest();
}

/** `crypto.subtle.digest` of every chunk started at once, then awaited together. */
export async function webCryptoAllInFlight(image: Uint8Array, chunkSize: number): Promise<void> {
  const pending: Promise<ArrayBuffer>[] = [];
  for (let at = 0; at < image.length; at += chunkSize)
    pending.push(crypto.subtle.digest('SHA-256', image.subarray(at, at + chunkSize) as Uint8Array<ArrayBuffer>));
  await Promise.all(pending);
}

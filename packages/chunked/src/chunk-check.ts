import { equalBytes, toHex } from './_internal/hex.ts';
import { sha256 } from './adapters/sha256.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import { chunkCount, chunkDigest, chunkLength, type Manifest } from './manifest.ts';

/**
 * Checks one chunk against the manifest: index in range, exact length, SHA-256.
 * Throws `chunk-out-of-range`, `chunk-size-mismatch` or `chunk-digest-mismatch`
 * with `details` { index, expected, got }.
 */
export function verifyChunk(manifest: Manifest, index: number, payload: Uint8Array): void {
  const total = chunkCount(manifest);
  if (!Number.isInteger(index) || index < 0 || index >= total) {
    throw new ChunkedError(
      ChunkedErrorCode.ChunkOutOfRange,
      `Cannot accept chunk ${index}: ${manifest.name} has chunks 0 to ${total - 1}`,
      {
        details: { index, expected: `0..${total - 1}`, got: index },
      },
    );
  }
  const length = chunkLength(manifest, index);
  if (payload.length !== length) {
    throw new ChunkedError(
      ChunkedErrorCode.ChunkSizeMismatch,
      `Cannot accept chunk ${index}: it has ${payload.length} bytes, expected ${length}`,
      {
        details: { index, expected: length, got: payload.length },
      },
    );
  }
  const digest = sha256(payload);
  const expected = chunkDigest(manifest, index);
  if (!equalBytes(digest, expected)) {
    throw new ChunkedError(
      ChunkedErrorCode.ChunkDigestMismatch,
      `Cannot accept chunk ${index}: its SHA-256 is not the manifest's`,
      {
        details: { index, expected: toHex(expected), got: toHex(digest) },
      },
    );
  }
}

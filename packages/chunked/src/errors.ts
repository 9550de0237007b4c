import { FleetkitError } from '@fleetkit/core';

/** Codes of `@fleetkit/chunked`; callers switch on these, never on message text. */
export const ChunkedErrorCode = {
  /** An option or argument is outside what the API accepts. */
  InvalidArgument: 'invalid-argument',
  /** Manifest bytes or JSON do not decode to a valid manifest. */
  ManifestInvalid: 'manifest-invalid',
  /** Manifest bytes decode but are not the canonical encoding (signatures would not be stable). */
  ManifestNotCanonical: 'manifest-not-canonical',
  /** The manifest's Merkle root does not match its chunk digests. */
  ManifestRootMismatch: 'manifest-root-mismatch',
  /** The signature over the canonical manifest bytes did not verify. */
  SignatureInvalid: 'signature-invalid',
  /** The manifest's sequence number is not above the installed one (SUIT anti-rollback). */
  Rollback: 'rollback',
  /** A chunk index is outside `0..chunkCount-1`. */
  ChunkOutOfRange: 'chunk-out-of-range',
  /** A chunk's length is not the length its index must have. */
  ChunkSizeMismatch: 'chunk-size-mismatch',
  /** A chunk's SHA-256 differs from the manifest's digest for its index. */
  ChunkDigestMismatch: 'chunk-digest-mismatch',
  /** A frame belongs to another package image (transfer tag or chunk size differ). */
  ForeignChunk: 'foreign-chunk',
  /** A frame is truncated or has an unknown version. */
  FrameInvalid: 'frame-invalid',
  /** Saved transfer state is unreadable or belongs to another manifest. */
  StateInvalid: 'state-invalid',
  /** The image is not complete yet, so it cannot be verified or read. */
  Incomplete: 'incomplete',
  /** The assembled image failed its final verification. */
  ImageCorrupt: 'image-corrupt',
  /** The source image ended before or after the size the caller declared. */
  SourceSizeMismatch: 'source-size-mismatch',
  /** The image file cannot be opened or read (missing, no permission, I/O error); `cause` holds the system error. */
  SourceUnreadable: 'source-unreadable',
  /** A storage key is not a safe name. */
  InvalidKey: 'invalid-key',
  /** An HTTP response does not answer the range request that was sent. */
  RangeResponseInvalid: 'range-response-invalid',
  /** The server's image changed (its ETag is not the manifest's Merkle root). */
  ImageChanged: 'image-changed',
} as const;
export type ChunkedErrorCode = (typeof ChunkedErrorCode)[keyof typeof ChunkedErrorCode];

/** Error thrown by `@fleetkit/chunked`; `details` carries index, expected and got. */
export class ChunkedError extends FleetkitError<ChunkedErrorCode> {}

import { equalBytes, toHex } from './_internal/hex.ts';
import { invalid } from './_internal/invalid.ts';
import { sha256 } from './adapters/sha256.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import { merkleRoot } from './merkle.ts';

/** A package another package needs installed first (manual §5.6 item 3). */
export interface ManifestDependency {
  readonly name: string;
  /** The version needed; absent means any. */
  readonly version?: string;
}

/**
 * What a device needs to fetch, verify and install a package image,
 * after SUIT (RFC 9019 / RFC 9124): identity, a monotonic sequence number
 * against rollback, size, fixed chunk size, the SHA-256 of every chunk and a
 * Merkle root over them, and the dependencies.
 */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  /** Monotonic per package name: a device refuses one not above what it runs (RFC 9124 §8.4.8). */
  readonly sequence: number;
  /** Image size in bytes. */
  readonly size: number;
  /** Bytes per chunk, a power of two (CoAP block size, RFC 7959 §2.2); the last chunk may be shorter. */
  readonly chunkSize: number;
  /** SHA-256 of each chunk, 32 bytes per chunk, in index order. */
  readonly digests: Uint8Array;
  /** Merkle root over `digests` ({@link merkleRoot}); also the image's HTTP ETag. */
  readonly root: Uint8Array;
  readonly dependencies: readonly ManifestDependency[];
}

/** Smallest and largest chunk size exponent: 16 B (CoAP's smallest block) to 16 MiB. */
export const MIN_CHUNK_EXP = 4;
export const MAX_CHUNK_EXP = 24;

/** Number of chunks of an image of `size` bytes cut into `chunkSize` chunks. */
export function chunkCount(manifest: Pick<Manifest, 'size' | 'chunkSize'>): number {
  return Math.ceil(manifest.size / manifest.chunkSize);
}

/** Length the chunk at `index` must have. */
export function chunkLength(manifest: Pick<Manifest, 'size' | 'chunkSize'>, index: number): number {
  return Math.min(manifest.chunkSize, manifest.size - index * manifest.chunkSize);
}

/** The manifest's SHA-256 of the chunk at `index` (a view, 32 bytes). */
export function chunkDigest(manifest: Manifest, index: number): Uint8Array {
  return manifest.digests.subarray(index * 32, index * 32 + 32);
}

/** log2 of a valid chunk size. */
export function chunkSizeExp(chunkSize: number): number {
  return Math.log2(chunkSize);
}

/** True when `chunkSize` is a power of two between 2^4 and 2^24. */
export function isValidChunkSize(chunkSize: unknown): chunkSize is number {
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize)) return false;
  const exp = Math.log2(chunkSize);
  return Number.isInteger(exp) && exp >= MIN_CHUNK_EXP && exp <= MAX_CHUNK_EXP;
}

/**
 * Eight bytes naming the package image a frame belongs to: the start of
 * SHA-256 over `[name, version, sequence]` as JSON. It is known before the
 * image is hashed, so frames can be laid out while streaming.
 */
export function transferTag(identity: Pick<Manifest, 'name' | 'version' | 'sequence'>): Uint8Array {
  return sha256(new TextEncoder().encode(JSON.stringify([identity.name, identity.version, identity.sequence]))).slice(
    0,
    8,
  );
}

/** Lower-case hex of the Merkle root: the transfer's storage key and ETag. */
export function manifestId(manifest: Manifest): string {
  return toHex(manifest.root);
}

/** Checks every field of a decoded manifest; throws `manifest-invalid` or `manifest-root-mismatch`. */
export function checkManifest(manifest: Manifest, path = 'manifest'): Manifest {
  checkIdentity(manifest, path);
  if (!Number.isSafeInteger(manifest.size) || manifest.size < 0)
    invalid(`${path}.size`, 'a non-negative safe integer', manifest.size);
  if (!isValidChunkSize(manifest.chunkSize))
    invalid(`${path}.chunkSize`, 'a power of two from 16 to 16777216', manifest.chunkSize);
  if (!(manifest.digests instanceof Uint8Array) || manifest.digests.length !== chunkCount(manifest) * 32) {
    invalid(`${path}.digests`, `${chunkCount(manifest) * 32} bytes (32 per chunk)`, manifest.digests);
  }
  if (!(manifest.root instanceof Uint8Array) || manifest.root.length !== 32)
    invalid(`${path}.root`, '32 bytes', manifest.root);
  checkDependencies(manifest.dependencies, `${path}.dependencies`);
  const root = merkleRoot(manifest.digests);
  if (!equalBytes(root, manifest.root)) {
    throw new ChunkedError(
      ChunkedErrorCode.ManifestRootMismatch,
      `Cannot accept ${path}: its Merkle root is not the root of its chunk digests`,
      {
        details: { path: `${path}.root`, expected: toHex(root), got: toHex(manifest.root) },
      },
    );
  }
  return manifest;
}

/** Checks a dependency list; throws `manifest-invalid` naming the entry. */
export function checkDependencies(dependencies: readonly ManifestDependency[], path: string): void {
  if (!Array.isArray(dependencies)) invalid(path, 'an array', dependencies);
  dependencies.forEach((dep, i) => {
    if (typeof dep?.name !== 'string' || dep.name === '')
      invalid(`${path}[${i}].name`, 'a non-empty string', dep?.name);
    if (dep.version !== undefined && (typeof dep.version !== 'string' || dep.version === '')) {
      invalid(`${path}[${i}].version`, 'a non-empty string or absent', dep.version);
    }
  });
}

/** Checks name, version and sequence; throws `manifest-invalid`. */
export function checkIdentity(identity: Pick<Manifest, 'name' | 'version' | 'sequence'>, path = 'manifest'): void {
  if (typeof identity.name !== 'string' || identity.name === '')
    invalid(`${path}.name`, 'a non-empty string', identity.name);
  if (typeof identity.version !== 'string' || identity.version === '')
    invalid(`${path}.version`, 'a non-empty string', identity.version);
  if (!Number.isSafeInteger(identity.sequence) || identity.sequence < 0)
    invalid(`${path}.sequence`, 'a non-negative safe integer', identity.sequence);
}

/**
 * SUIT anti-rollback (RFC 9124 §8.4.8): throws `rollback` unless the
 * manifest's sequence number is above the one the device runs.
 */
export function checkNotRollback(manifest: Pick<Manifest, 'name' | 'sequence'>, installedSequence: number): void {
  if (manifest.sequence <= installedSequence) {
    throw new ChunkedError(
      ChunkedErrorCode.Rollback,
      `Cannot install ${manifest.name} sequence ${manifest.sequence}: the device runs sequence ${installedSequence}`,
      {
        details: { path: 'manifest.sequence', expected: `> ${installedSequence}`, got: manifest.sequence },
      },
    );
  }
}

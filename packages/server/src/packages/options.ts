import { ServerError, ServerErrorCode } from '../errors.ts';

/** Options of packages (`openServer({ packages })`); docs/server.md §Packages lists them. */
export interface PackageOptions {
  /** Largest image accepted, inline or streamed, in bytes. Default 1 GiB. */
  readonly maxImageBytes?: number;
  /** Bytes per chunk of a package that names none: a power of two from 16 B to 16 MiB. Default 64 KiB. */
  readonly chunkSize?: number;
  /** Chunk bytes kept in memory for serving, per process (packages are immutable). Default 64 MiB; 0 turns it off. */
  readonly cacheBytes?: number;
  /** An upload that stored nothing for this long is taken to be abandoned and its name freed. Default 10 min. */
  readonly abandonedUploadMs?: number;
}

/** {@link PackageOptions} with every default filled in. */
export interface ResolvedPackageOptions {
  readonly maxImageBytes: number;
  readonly chunkSize: number;
  readonly cacheBytes: number;
  readonly abandonedUploadMs: number;
}

/** A chunk size the manifest format takes (chunked's 16 B–16 MiB powers of two). */
export function isChunkSize(value: number): boolean {
  return Number.isInteger(value) && value >= 16 && value <= 1 << 24 && (value & (value - 1)) === 0;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new ServerError(
    ServerErrorCode.InvalidOption,
    `Cannot start as packages.${name} must be a non-negative integer`,
    {
      details: { path: `packages.${name}`, expected: 'a non-negative integer', got: value },
    },
  );
}

/** Checks the options and fills in the defaults; throws `invalid-option` naming the field. */
export function resolvePackageOptions(options: PackageOptions = {}): ResolvedPackageOptions {
  const chunkSize = count('chunkSize', options.chunkSize, 64 * 1024);
  if (!isChunkSize(chunkSize)) {
    throw new ServerError(
      ServerErrorCode.InvalidOption,
      'Cannot start as packages.chunkSize must be a power of two from 16 to 16777216',
      {
        details: { path: 'packages.chunkSize', expected: 'a power of two from 16 to 16777216', got: chunkSize },
      },
    );
  }
  return {
    maxImageBytes: count('maxImageBytes', options.maxImageBytes, 1 << 30),
    chunkSize,
    cacheBytes: count('cacheBytes', options.cacheBytes, 64 << 20),
    abandonedUploadMs: count('abandonedUploadMs', options.abandonedUploadMs, 600_000),
  };
}

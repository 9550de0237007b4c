import { ChunkedError, ChunkedErrorCode } from '../errors.ts';

/** Throws `manifest-invalid` naming the field, what it must be and what it is. */
export function invalid(
  path: string,
  expected: string,
  got: unknown,
  code: ChunkedErrorCode = ChunkedErrorCode.ManifestInvalid,
): never {
  throw new ChunkedError(code, `Cannot accept ${path}: expected ${expected}, got ${show(got)}`, {
    details: { path, expected, got: show(got) },
  });
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null || typeof value !== 'object' ? String(value) : 'an object';
}

/** Throws `source-size-mismatch`: the image is not the size it was declared (or opened) with. */
export function sourceSizeMismatch(name: string, expected: number, got: number | string): never {
  throw new ChunkedError(
    ChunkedErrorCode.SourceSizeMismatch,
    `Cannot encode ${name}: the image has ${got} bytes, expected ${expected}`,
    {
      details: { path: 'image', expected, got },
    },
  );
}

/** `source-unreadable` for the image file at `file`, keeping the system error as `cause`. */
export function sourceUnreadable(file: string, cause: unknown): ChunkedError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChunkedError(ChunkedErrorCode.SourceUnreadable, `Cannot read the image file ${file}: ${reason}`, {
    cause,
    details: { path: 'image', expected: 'a readable file', got: file },
  });
}

// Node-API file access for images: node:fs exists on Node, Bun and Deno, so
// this adapter serves all three. See docs/decisions/chunked-hashing.md
// ("Sources the workers read themselves").
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sourceUnreadable } from '../_internal/invalid.ts';
import type { FileRangeReader, ImageFile } from '../_internal/source.ts';
import { ChunkedError, ChunkedErrorCode } from '../errors.ts';

export type { FileRangeReader, ImageFile } from '../_internal/source.ts';

/**
 * An image file for {@link encodeImage}: its size now, and its path, so pool
 * workers read their own byte ranges and the calling thread never touches
 * the image's bytes. Rejects with `invalid-argument` when `path` is not a
 * regular file, `source-unreadable` when it cannot be read.
 */
export async function openImageFile(path: string): Promise<ImageFile> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch((cause: unknown) => {
    throw sourceUnreadable(absolute, cause);
  });
  if (!info.isFile()) {
    throw new ChunkedError(
      ChunkedErrorCode.InvalidArgument,
      `Cannot open ${absolute} as an image: it is not a regular file`,
      {
        details: { path: 'path', expected: 'a regular file', got: absolute },
      },
    );
  }
  return {
    path: absolute,
    size: info.size,
    async open(): Promise<FileRangeReader> {
      const handle = await open(absolute, 'r').catch((cause: unknown) => {
        throw sourceUnreadable(absolute, cause);
      });
      return {
        async read(target, position) {
          let n = 0;
          try {
            while (n < target.length) {
              const { bytesRead } = await handle.read(target, n, target.length - n, position + n);
              if (bytesRead === 0) break;
              n += bytesRead;
            }
          } catch (cause) {
            throw sourceUnreadable(absolute, cause);
          }
          return n;
        },
        close: () => handle.close(),
      };
    },
  };
}

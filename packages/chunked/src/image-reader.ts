import type { ByteRange } from './assembler.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import type { Manifest } from './manifest.ts';
import type { ChunkStorage } from './storage.ts';

/** Byte ranges of one image, for {@link serveImage}. */
export interface ImageReader {
  readonly manifest: Manifest;
  /** Bytes `start` to `end` (excluded) of the image. */
  read(range: ByteRange): ReadableStream<Uint8Array>;
}

/** Serves an image from the chunks a server stored while encoding it (key: the one it used). */
export function storageImageReader(storage: ChunkStorage, key: string, manifest: Manifest): ImageReader {
  return {
    manifest,
    read(range) {
      let at = range.start;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (at >= range.end) return controller.close();
          const index = Math.floor(at / manifest.chunkSize);
          const chunk = await storage.readChunk(key, index);
          if (chunk === undefined) {
            return controller.error(
              new ChunkedError(
                ChunkedErrorCode.Incomplete,
                `Cannot serve bytes from ${at}: chunk ${index} of ${manifest.name} is not stored under ${key}`,
                { details: { index, key } },
              ),
            );
          }
          const from = at - index * manifest.chunkSize;
          const piece = chunk.subarray(from, Math.min(chunk.length, from + range.end - at));
          at += piece.length;
          controller.enqueue(piece);
        },
      });
    },
  };
}

/** Serves an image held in memory. */
export function bytesImageReader(manifest: Manifest, bytes: Uint8Array): ImageReader {
  return {
    manifest,
    read: (range) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.slice(range.start, range.end));
          controller.close();
        },
      }),
  };
}

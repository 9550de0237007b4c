import type { ImageReader, Manifest } from '@fleetkit/chunked';
import { Outcome, ResultCode } from '../result-code.ts';
import type { ChunkCache, ImageKey } from './chunk-cache.ts';

/**
 * Byte ranges of a stored package image for chunked's `serveImage`, read
 * chunk by chunk through the process's chunk cache: a range request costs
 * one database read per run of chunks no other download brought in.
 */
export function cachedImageReader(cache: ChunkCache, image: ImageKey, manifest: Manifest): ImageReader {
  return {
    manifest,
    read(range) {
      let at = range.start;
      const last = Math.ceil(range.end / manifest.chunkSize);
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (at >= range.end) return controller.close();
          const index = Math.floor(at / manifest.chunkSize);
          const chunk = await cache.chunk(image, index, last);
          if (chunk === undefined) {
            return controller.error(
              new Outcome(ResultCode.ObjectNotFound, `chunk ${index} of ${image.package} is not stored`),
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

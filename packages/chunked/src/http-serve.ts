import { cryptoRandom, type Random } from '@fleetkit/core';
import { toHex } from './_internal/hex.ts';
import { contentRange, imageEtag, parseRange } from './_internal/range-header.ts';
import type { ByteRange } from './assembler.ts';
import type { ImageReader } from './image-reader.ts';

/** Options of {@link serveImage}. */
export interface ServeImageOptions {
  /** Default: `application/octet-stream`. */
  readonly contentType?: string;
  /** More ranges than this (after merging) get the whole image instead. Default: 16. */
  readonly maxRanges?: number;
  /** Boundary of multipart/byteranges answers. Default: `cryptoRandom`. */
  readonly random?: Random;
}

/**
 * Answers a GET or HEAD for an image with HTTP range semantics (RFC 9110
 * §14): `200` whole, `206` for one range or `multipart/byteranges` for
 * several, `416` with `Content-Range: bytes *\/size` when nothing is
 * satisfiable, `304` for a matching `If-None-Match`. The ETag is the
 * Merkle root, and `If-Range` is honoured only when it is exactly that ETag,
 * so a client never splices a changed image into its partial one.
 */
export function serveImage(request: Request, image: ImageReader, options: ServeImageOptions = {}): Response {
  const { size } = image.manifest;
  const etag = imageEtag(toHex(image.manifest.root));
  const type = options.contentType ?? 'application/octet-stream';
  const base = { etag, 'accept-ranges': 'bytes' };
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
  const head = request.method === 'HEAD';
  const body = (range: ByteRange): ReadableStream<Uint8Array> | null =>
    head || range.end === range.start ? null : image.read(range);
  if (etagListMatches(request.headers.get('if-none-match'), etag))
    return new Response(null, { status: 304, headers: base });

  const whole = (): Response =>
    new Response(body({ start: 0, end: size }), {
      status: 200,
      headers: { ...base, 'content-type': type, 'content-length': String(size) },
    });
  const rangeHeader = request.headers.get('range');
  if (rangeHeader === null || size === 0) return whole();
  const ifRange = request.headers.get('if-range');
  // RFC 9110 §13.1.5: a strong comparison with our ETag; a date never matches (we send no Last-Modified)
  if (ifRange !== null && ifRange.trim() !== etag) return whole();
  const asked = parseRange(rangeHeader, size);
  if (asked.kind === 'ignore') return whole();
  if (asked.kind === 'unsatisfiable')
    return new Response(null, { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } });
  if (asked.ranges.length > (options.maxRanges ?? 16)) return whole();
  if (asked.ranges.length === 1) {
    const range = asked.ranges[0]!;
    return new Response(body(range), {
      status: 206,
      headers: {
        ...base,
        'content-type': type,
        'content-length': String(range.end - range.start),
        'content-range': contentRange(range, size),
      },
    });
  }
  return multipart(asked.ranges, image, { type, head, base, random: options.random ?? cryptoRandom });
}

function multipart(
  ranges: readonly ByteRange[],
  image: ImageReader,
  o: { type: string; head: boolean; base: Record<string, string>; random: Random },
): Response {
  const size = image.manifest.size;
  const boundary = `fleetkit-${toHex(o.random.bytes(12))}`;
  const encoder = new TextEncoder();
  const heads = ranges.map((r, i) =>
    encoder.encode(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\ncontent-type: ${o.type}\r\ncontent-range: ${contentRange(r, size)}\r\n\r\n`,
    ),
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const length = heads.reduce((n, h) => n + h.length, tail.length) + ranges.reduce((n, r) => n + r.end - r.start, 0);
  const headers = {
    ...o.base,
    'content-type': `multipart/byteranges; boundary=${boundary}`,
    'content-length': String(length),
  };
  if (o.head) return new Response(null, { status: 206, headers });
  let part = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    // each call enqueues something or closes: a pull that enqueues nothing is not called again
    async pull(controller) {
      for (;;) {
        if (reader === undefined) {
          if (part === ranges.length) {
            controller.enqueue(tail);
            return controller.close();
          }
          controller.enqueue(heads[part]!);
          reader = image.read(ranges[part]!).getReader();
          return;
        }
        const next = await reader.read();
        if (!next.done) return controller.enqueue(next.value);
        reader = undefined;
        part++;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
  return new Response(body, { status: 206, headers });
}

function etagListMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  // RFC 9110 §13.1.2: weak comparison, `*` matches any current representation
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

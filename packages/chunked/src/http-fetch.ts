import { toHex } from './_internal/hex.ts';
import { contentRange, imageEtag } from './_internal/range-header.ts';
import type { Assembler, ByteRange } from './assembler.ts';
import { ChunkedError, ChunkedErrorCode } from './errors.ts';
import { chunkLength, type Manifest } from './manifest.ts';

/** Headers of a request for `range` of the image that only a server holding the same image answers with 206. */
export function rangeRequestHeaders(manifest: Manifest, range: ByteRange): Record<string, string> {
  return { range: `bytes=${range.start}-${range.end - 1}`, 'if-range': imageEtag(toHex(manifest.root)) };
}

/**
 * Checks that `response` answers a request made with {@link rangeRequestHeaders}
 * and returns exactly the bytes of `range`. A `200` whose ETag is the manifest's
 * (a server without range support) is cut down to the range; any other ETag
 * means the image changed: `image-changed`, so nothing is spliced.
 */
export function readRangeResponse(
  response: Response,
  manifest: Manifest,
  range: ByteRange,
): ReadableStream<Uint8Array> {
  const etag = imageEtag(toHex(manifest.root));
  const got = response.headers.get('etag');
  if ((response.status === 200 || response.status === 206) && got !== null && got !== etag) {
    throw new ChunkedError(
      ChunkedErrorCode.ImageChanged,
      `Cannot resume ${manifest.name}: the server's image is ${got}, the manifest's ${etag}`,
      {
        details: { expected: etag, got },
      },
    );
  }
  if (response.status === 206) {
    const expected = contentRange(range, manifest.size);
    const actual = response.headers.get('content-range');
    if (actual !== expected || response.body === null)
      throw invalidResponse(manifest, `206 with content-range ${expected}`, `206 with content-range ${String(actual)}`);
    return response.body;
  }
  if (response.status === 200 && response.body !== null) {
    if (got === null) throw invalidResponse(manifest, `an ETag ${etag} on a 200`, 'no ETag');
    return response.body.pipeThrough(slice(range));
  }
  throw invalidResponse(manifest, '206 or 200', String(response.status));
}

/** Options of {@link fetchMissing}. */
export interface FetchMissingOptions {
  /** The image's URL on a server using {@link serveImage} or any RFC 9110 range server. */
  readonly url: string | URL;
  /** Default: the global `fetch`. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Chunks asked for in one request. Default: 64. */
  readonly chunksPerRequest?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * Downloads every chunk the assembler is missing with HTTP Range requests and
 * feeds them to it. Interrupted (power, link, a bad chunk), it keeps what was
 * stored; calling it again, even in a new process, fetches only the rest.
 */
export async function fetchMissing(assembler: Assembler, options: FetchMissingOptions): Promise<void> {
  const { manifest } = assembler;
  const perRequest = Math.max(1, options.chunksPerRequest ?? 64);
  const fetchFn = options.fetch ?? ((request: Request) => fetch(request));
  for (const run of assembler.missing()) {
    for (let first = run.start; first < run.end; first += perRequest) {
      const last = Math.min(run.end, first + perRequest);
      const range = { start: first * manifest.chunkSize, end: Math.min(manifest.size, last * manifest.chunkSize) };
      const request = new Request(options.url, {
        headers: { ...options.headers, ...rangeRequestHeaders(manifest, range) },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const body = readRangeResponse(await fetchFn(request), manifest, range);
      await feed(assembler, body, first, last);
    }
  }
}

// Cuts the byte stream of chunks first..last-1 at chunk boundaries and accepts each.
async function feed(
  assembler: Assembler,
  body: ReadableStream<Uint8Array>,
  first: number,
  last: number,
): Promise<void> {
  const { manifest } = assembler;
  const reader = body.getReader();
  let index = first;
  let chunk = new Uint8Array(chunkLength(manifest, index));
  let filled = 0;
  try {
    while (index < last) {
      const next = await reader.read();
      if (next.done)
        throw invalidResponse(manifest, `bytes up to chunk ${last - 1}`, `a body ending in chunk ${index}`);
      let piece = next.value;
      while (piece.length > 0 && index < last) {
        const take = Math.min(piece.length, chunk.length - filled);
        chunk.set(piece.subarray(0, take), filled);
        filled += take;
        piece = piece.subarray(take);
        if (filled === chunk.length) {
          await assembler.accept(index, chunk);
          index++;
          if (index < last) chunk = new Uint8Array(chunkLength(manifest, index));
          filled = 0;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function slice(range: ByteRange): TransformStream<Uint8Array, Uint8Array> {
  let at = 0;
  return new TransformStream({
    transform(piece, controller) {
      const from = Math.max(range.start, at);
      const to = Math.min(range.end, at + piece.length);
      if (to > from) controller.enqueue(piece.subarray(from - at, to - at));
      at += piece.length;
      if (at >= range.end) controller.terminate();
    },
  });
}

function invalidResponse(manifest: Manifest, expected: string, got: string): ChunkedError {
  return new ChunkedError(
    ChunkedErrorCode.RangeResponseInvalid,
    `Cannot read ${manifest.name} from the response: expected ${expected}, got ${got}`,
    {
      details: { expected, got },
    },
  );
}

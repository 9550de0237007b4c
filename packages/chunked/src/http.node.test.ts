// Range download over a real socket: node:http serving serveImage, the
// runtime's fetch (undici) downloading, and a link that drops mid-body.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Assembler } from './assembler.ts';
import { encodeImage } from './encoder.ts';
import { fetchMissing } from './http-fetch.ts';
import { serveImage } from './http-serve.ts';
import { bytesImageReader, type ImageReader } from './image-reader.ts';
import { createMemoryStorage } from './memory-storage.ts';

const bytes = new Uint8Array(200_000).map((_, i) => (i * 131) >>> 3);
const manifest = await encodeImage(bytes, { name: 'fw', version: '1', sequence: 1, chunkSize: 4096 });
let server: Server | undefined;

async function serve(reader: ImageReader): Promise<string> {
  server = createServer((req, res) => {
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method ?? 'GET',
      headers: req.headers as Record<string, string>,
    });
    const response = serveImage(request, reader);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body === null) {
      res.end();
      return;
    }
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('HTTP Range transfer over a socket', () => {
  it('downloads the whole image in range requests with fetch', async () => {
    const url = await serve(bytesImageReader(manifest, bytes));
    const assembler = await Assembler.open({ manifest, storage: createMemoryStorage() });
    await fetchMissing(assembler, { url, chunksPerRequest: 10 });
    await assembler.verify();
    expect(new Uint8Array(await new Response(assembler.stream()).arrayBuffer())).toEqual(bytes);
  });

  it('keeps the chunks that arrived before the link dropped mid-body and fetches only the rest', async () => {
    // the first response dies after 5 chunks and a half
    let served = 0;
    const dropping: ImageReader = {
      manifest,
      read(range) {
        served++;
        const cut = served === 1 ? range.start + 5 * 4096 + 2000 : range.end;
        const whole = bytesImageReader(manifest, bytes).read({ start: range.start, end: cut }).getReader();
        return new ReadableStream({
          async pull(controller) {
            const next = await whole.read();
            if (!next.done) return controller.enqueue(next.value);
            if (cut < range.end) controller.error(new Error('link lost'));
            else controller.close();
          },
        });
      },
    };
    const url = await serve(dropping);
    const storage = createMemoryStorage();
    const first = await Assembler.open({ manifest, storage });
    await expect(fetchMissing(first, { url, chunksPerRequest: 100 })).rejects.toThrow();
    expect(first.received).toBe(5);
    const resumed = await Assembler.open({ manifest, storage });
    expect(resumed.missingBytes()).toEqual([{ start: 5 * 4096, end: bytes.length }]);
    await fetchMissing(resumed, { url, chunksPerRequest: 100 });
    await resumed.verify();
  });

  it('sends multipart/byteranges that fetch reads back byte for byte', async () => {
    const url = await serve(bytesImageReader(manifest, bytes));
    const response = await fetch(url, { headers: { range: 'bytes=0-9,100000-100009' } });
    expect(response.status).toBe(206);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.length).toBe(Number(response.headers.get('content-length')));
    const text = new TextDecoder('latin1').decode(body);
    expect(text).toContain('content-range: bytes 100000-100009/200000');
  });
});

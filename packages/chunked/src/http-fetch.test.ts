import { describe, expect, it } from 'vitest';
import { toHex } from './_internal/hex.ts';
import { Assembler } from './assembler.ts';
import { encodeImage } from './encoder.ts';
import { fetchMissing, readRangeResponse } from './http-fetch.ts';
import { serveImage } from './http-serve.ts';
import { bytesImageReader } from './image-reader.ts';
import { createMemoryStorage } from './memory-storage.ts';

const bytes = new Uint8Array(5000).map((_, i) => (i * 31) & 0xff);
const manifest = await encodeImage(bytes, { name: 'fw', version: '1', sequence: 1, chunkSize: 256 });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('fetchMissing over HTTP Range', () => {
  it('downloads the image in range requests and assembles it', async () => {
    const requests: string[] = [];
    const assembler = await Assembler.open({ manifest, storage: createMemoryStorage() });
    await fetchMissing(assembler, {
      url: 'http://server/fw',
      chunksPerRequest: 8,
      fetch: async (request) => {
        requests.push(request.headers.get('range')!);
        return serveImage(request, bytesImageReader(manifest, bytes));
      },
    });
    await assembler.verify();
    expect(await readAll(assembler.stream())).toEqual(bytes);
    expect(requests).toEqual(['bytes=0-2047', 'bytes=2048-4095', 'bytes=4096-4999']);
  });

  it('resumes after a dropped link, asking only for what is missing', async () => {
    const storage = createMemoryStorage();
    let calls = 0;
    const flaky = async (request: Request) => {
      if (++calls === 2) throw new TypeError('network down');
      return serveImage(request, bytesImageReader(manifest, bytes));
    };
    const first = await Assembler.open({ manifest, storage });
    await expect(fetchMissing(first, { url: 'http://server/fw', chunksPerRequest: 4, fetch: flaky })).rejects.toThrow(
      'network down',
    );
    const ranges: string[] = [];
    const resumed = await Assembler.open({ manifest, storage });
    await fetchMissing(resumed, {
      url: 'http://server/fw',
      chunksPerRequest: 100,
      fetch: async (r) => {
        ranges.push(r.headers.get('range')!);
        return flaky(r);
      },
    });
    expect(ranges).toEqual(['bytes=1024-4999']);
    await resumed.verify();
  });

  it('stops at a chunk corrupted in transit, keeping the chunks before it, and refetches only from there', async () => {
    const storage = createMemoryStorage();
    const damaged = bytes.slice();
    damaged[256 * 5 + 3]! ^= 0x40;
    const assembler = await Assembler.open({ manifest, storage });
    await expect(
      fetchMissing(assembler, {
        url: 'http://server/fw',
        fetch: async (r) => serveImage(r, bytesImageReader(manifest, damaged)),
      }),
    ).rejects.toMatchObject({
      code: 'chunk-digest-mismatch',
      details: { index: 5 },
    });
    expect(assembler.missing()).toEqual([{ start: 5, end: 20 }]);
    const ranges: string[] = [];
    await fetchMissing(assembler, {
      url: 'http://server/fw',
      fetch: async (r) => {
        ranges.push(r.headers.get('range')!);
        return serveImage(r, bytesImageReader(manifest, bytes));
      },
    });
    expect(ranges).toEqual(['bytes=1280-4999']);
    await assembler.verify();
  });

  it('refuses to splice a changed image: image-changed, nothing stored', async () => {
    const changed = bytes.slice();
    changed[4000]! ^= 1;
    const other = await encodeImage(changed, { name: 'fw', version: '1', sequence: 1, chunkSize: 256 });
    const assembler = await Assembler.open({ manifest, storage: createMemoryStorage() });
    await expect(
      fetchMissing(assembler, {
        url: 'http://server/fw',
        fetch: async (r) => serveImage(r, bytesImageReader(other, changed)),
      }),
    ).rejects.toMatchObject({ code: 'image-changed' });
    expect(assembler.received).toBe(0);
  });

  it('cuts a 200 of a server without range support down to the asked range', async () => {
    const full = new Response(bytes.slice(), { status: 200, headers: { etag: `"${toHex(manifest.root)}"` } });
    expect(await readAll(readRangeResponse(full, manifest, { start: 300, end: 700 }))).toEqual(bytes.slice(300, 700));
  });

  it('refuses a 206 for another range, and other statuses, with range-response-invalid', () => {
    const wrong = new Response('x', { status: 206, headers: { 'content-range': 'bytes 0-0/5000' } });
    expect(() => readRangeResponse(wrong, manifest, { start: 1, end: 2 })).toThrow(
      expect.objectContaining({ code: 'range-response-invalid' }),
    );
    expect(() => readRangeResponse(new Response(null, { status: 416 }), manifest, { start: 1, end: 2 })).toThrow(
      expect.objectContaining({ code: 'range-response-invalid' }),
    );
  });
});

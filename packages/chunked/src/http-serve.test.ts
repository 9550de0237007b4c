import { SeededRandom } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { toHex } from './_internal/hex.ts';
import { encodeImage } from './encoder.ts';
import { serveImage } from './http-serve.ts';
import { bytesImageReader, storageImageReader } from './image-reader.ts';
import { createMemoryStorage } from './memory-storage.ts';

const bytes = new Uint8Array(1000).map((_, i) => i & 0xff);
const manifest = await encodeImage(bytes, { name: 'fw', version: '1', sequence: 1, chunkSize: 128 });
const etag = `"${toHex(manifest.root)}"`;
const reader = bytesImageReader(manifest, bytes);

const get = (headers: Record<string, string> = {}, method = 'GET') =>
  serveImage(new Request('http://x/fw', { method, headers }), reader, { random: new SeededRandom(1) });
const body = async (r: Response) => new Uint8Array(await r.arrayBuffer());

describe('serveImage', () => {
  it('answers 200 with the whole image, its Merkle-root ETag and Accept-Ranges', async () => {
    const r = get();
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(etag);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-length')).toBe('1000');
    expect(await body(r)).toEqual(bytes);
  });

  it('answers 206 with Content-Range for one range, open-ended and suffix ranges included', async () => {
    for (const [range, start, end] of [
      ['bytes=100-199', 100, 200],
      ['bytes=900-', 900, 1000],
      ['bytes=-10', 990, 1000],
      ['bytes=990-5000', 990, 1000],
    ] as const) {
      const r = get({ range });
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end - 1}/1000`);
      expect(await body(r)).toEqual(bytes.slice(start, end));
    }
  });

  it('answers 416 with bytes */size when no range is satisfiable', () => {
    const r = get({ range: 'bytes=1000-1001' });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */1000');
  });

  it('honours If-Range only when it is exactly the Merkle-root ETag', async () => {
    expect(get({ range: 'bytes=0-9', 'if-range': etag }).status).toBe(206);
    expect(get({ range: 'bytes=0-9', 'if-range': '"0000"' }).status).toBe(200);
    expect(get({ range: 'bytes=0-9', 'if-range': `W/${etag}` }).status).toBe(200);
    expect(get({ range: 'bytes=0-9', 'if-range': 'Sun, 22 Nov 2026 01:00:00 GMT' }).status).toBe(200);
  });

  it('ignores a Range of another unit or with an invalid specifier', () => {
    expect(get({ range: 'items=0-1' }).status).toBe(200);
    expect(get({ range: 'bytes=9-1' }).status).toBe(200);
    expect(get({ range: 'bytes=a-b' }).status).toBe(200);
  });

  it('merges overlapping ranges and sends several as multipart/byteranges', async () => {
    expect(get({ range: 'bytes=0-9,5-19' }).headers.get('content-range')).toBe('bytes 0-19/1000');
    const r = get({ range: 'bytes=0-1,10-11' });
    expect(r.status).toBe(206);
    const type = r.headers.get('content-type')!;
    const boundary = /boundary=(.+)$/.exec(type)![1]!;
    const text = await r.text();
    expect(Number(r.headers.get('content-length'))).toBe(new TextEncoder().encode(text).length);
    const parts = text.split(`--${boundary}`);
    expect(parts).toHaveLength(4);
    expect(parts[1]).toContain('content-range: bytes 0-1/1000\r\n\r\n\u0000\u0001\r\n');
    expect(parts[2]).toContain('content-range: bytes 10-11/1000\r\n\r\n\n\u000b\r\n');
    expect(parts[3]).toBe('--\r\n');
  });

  it('answers 304 to a matching If-None-Match, HEAD without a body, and 405 to other methods', async () => {
    expect(get({ 'if-none-match': etag }).status).toBe(304);
    const head = get({ range: 'bytes=0-9' }, 'HEAD');
    expect(head.status).toBe(206);
    expect(head.body).toBeNull();
    expect(get({}, 'POST').status).toBe(405);
  });

  it('serves ranges that cross chunk boundaries from chunk storage', async () => {
    const storage = createMemoryStorage();
    await encodeImage(bytes, {
      name: 'fw',
      version: '1',
      sequence: 1,
      chunkSize: 128,
      onChunk: (c) => storage.writeChunk('fw@1', c.index, c.payload),
    });
    const r = serveImage(
      new Request('http://x', { headers: { range: 'bytes=100-300' } }),
      storageImageReader(storage, 'fw@1', manifest),
    );
    expect(await body(r)).toEqual(bytes.slice(100, 301));
  });
});

import { InThreadPool } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testImage } from '../test/fixtures/test-image.ts';
import { sha256 } from './adapters/sha256.ts';
import { type EncodedChunk, encodeImage } from './encoder.ts';
import { decodeFrame } from './frame.ts';
import { chunkDigest, transferTag } from './manifest.ts';
import { merkleRoot } from './merkle.ts';

const identity = { name: 'fw', version: '1.0.0', sequence: 3 } as const;

function streamOf(bytes: Uint8Array, pieces: readonly number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let p = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = Math.max(1, pieces[p++ % Math.max(1, pieces.length)] ?? 1);
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** `bytes` on a SharedArrayBuffer, `offset` bytes into it. */
function shared(bytes: Uint8Array, offset = 3): Uint8Array {
  const view = new Uint8Array(new SharedArrayBuffer(bytes.length + offset + 5), offset, bytes.length);
  view.set(bytes);
  return view;
}

async function collect(
  source: Uint8Array | Blob | ReadableStream<Uint8Array>,
  options: Partial<Parameters<typeof encodeImage>[1]> = {},
) {
  const chunks: EncodedChunk[] = [];
  const manifest = await encodeImage(source, {
    ...identity,
    chunkSize: 64,
    ...options,
    onChunk: (c) => void chunks.push({ ...c, payload: c.payload.slice(), frame: c.frame.slice() }),
  });
  return { manifest, chunks };
}

describe('encodeImage', () => {
  it('cuts the image into chunks whose digests, frames and Merkle root match the bytes', async () => {
    const bytes = testImage(1000);
    const { manifest, chunks } = await collect(bytes, { chunkSize: 256 });
    expect(manifest).toMatchObject({ ...identity, size: 1000, chunkSize: 256, dependencies: [] });
    expect(chunks.map((c) => c.payload.length)).toEqual([256, 256, 256, 232]);
    expect(chunks.map((c) => c.more)).toEqual([true, true, true, false]);
    for (const c of chunks) {
      expect(c.payload).toEqual(bytes.subarray(c.index * 256, c.index * 256 + c.payload.length));
      expect(c.digest).toEqual(sha256(c.payload));
      expect(chunkDigest(manifest, c.index)).toEqual(c.digest);
      const frame = decodeFrame(c.frame);
      expect(frame).toMatchObject({ index: c.index, more: c.more, sizeExp: 8, tag: transferTag(identity) });
      expect(frame.payload).toEqual(c.payload);
    }
    expect(manifest.root).toEqual(merkleRoot(manifest.digests));
  });

  it('encodes an empty image as no chunk and the SHA-256 of nothing', async () => {
    const { manifest, chunks } = await collect(new Uint8Array(0));
    expect(chunks).toEqual([]);
    expect(manifest.size).toBe(0);
    expect(manifest.root).toEqual(sha256(new Uint8Array(0)));
  });

  it('gives the same manifest for bytes, shared bytes, a Blob, any stream slicing, any batch size and the pool', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: 4, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5000 }),
        async (bytes, exp, pieces, batchBytes) => {
          const chunkSize = 2 ** exp;
          const reference = await collect(bytes, { chunkSize });
          const variants = [
            await collect(new Blob([bytes.slice()]), { chunkSize, batchBytes }),
            await collect(streamOf(bytes, pieces), { chunkSize, batchBytes }),
            await collect(streamOf(bytes, pieces), {
              chunkSize,
              batchBytes,
              pool: new InThreadPool(),
              poolThreshold: 0,
            }),
            await collect(shared(bytes), { chunkSize, batchBytes }),
            await collect(shared(bytes), { chunkSize, batchBytes, pool: new InThreadPool(), poolThreshold: 0 }),
          ];
          for (const v of variants) {
            expect(v.manifest).toEqual(reference.manifest);
            expect(v.chunks.map((c) => [c.index, c.more, [...c.frame]])).toEqual(
              reference.chunks.map((c) => [c.index, c.more, [...c.frame]]),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hashes on worker threads (piscina) to the same manifest and frames as in-thread', async () => {
    const bytes = testImage(300_000);
    const pool = createPiscinaPool({ threads: 2 });
    try {
      const reference = await collect(bytes, { chunkSize: 4096 });
      const pooled = await collect(bytes, { chunkSize: 4096, pool, poolThreshold: 0, batchBytes: 32_768 });
      expect(pooled.manifest).toEqual(reference.manifest);
      expect(pooled.chunks.map((c) => [...c.frame])).toEqual(reference.chunks.map((c) => [...c.frame]));
      expect(bytes.length).toBe(300_000); // the caller's image is copied, never transferred away
    } finally {
      await pool.close();
    }
  });

  it('gives every image its own chunks when encodes on one pool follow and overlap each other', async () => {
    const pool = new InThreadPool();
    const images = [testImage(5000, 1), testImage(5000, 2), testImage(3000, 3), testImage(5000, 4)];
    const options = { chunkSize: 256, pool, poolThreshold: 0, batchBytes: 1024, inFlight: 2 };
    const references = await Promise.all(images.map((bytes) => collect(bytes, { chunkSize: 256 })));
    const sequential = [];
    for (const bytes of images) sequential.push(await collect(bytes, options));
    const overlapping = await Promise.all(images.map((bytes) => collect(bytes, options)));
    for (const run of [sequential, overlapping]) {
      run.forEach((encoded, i) => {
        expect(encoded.manifest).toEqual(references[i]!.manifest);
        expect(encoded.chunks.map((c) => [...c.frame])).toEqual(references[i]!.chunks.map((c) => [...c.frame]));
      });
    }
  });

  it('never reads more than inFlight + 1 batches ahead of the chunks handed out', async () => {
    const bytes = testImage(64 * 1024);
    let pulled = 0;
    let handedOut = 0;
    let worstAhead = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(pulled, pulled + 512));
          pulled += 512;
        },
      },
      { highWaterMark: 0 },
    );
    await encodeImage(source, {
      ...identity,
      chunkSize: 256,
      batchBytes: 1024,
      inFlight: 2,
      pool: new InThreadPool(),
      poolThreshold: 0,
      onChunk: (c) => {
        handedOut += c.payload.length;
        worstAhead = Math.max(worstAhead, pulled - handedOut);
      },
    });
    expect(handedOut).toBe(bytes.length);
    // 3 batches of 1 KiB plus one pending 512-byte piece of read-ahead
    expect(worstAhead).toBeLessThanOrEqual(3 * 1024 + 512);
  });

  it('refuses a stream that is not the size it was declared to be, with source-size-mismatch', async () => {
    await expect(collect(streamOf(testImage(300), [100]), { size: 299 })).rejects.toMatchObject({
      code: 'source-size-mismatch',
      details: { expected: 299 },
    });
    await expect(collect(streamOf(testImage(300), [100]), { size: 301 })).rejects.toMatchObject({
      code: 'source-size-mismatch',
      details: { expected: 301, got: 300 },
    });
  });

  it('refuses a chunk size that is not a power of two from 16 B to 16 MiB', async () => {
    for (const chunkSize of [0, 8, 100, 2 ** 25]) {
      await expect(collect(testImage(10), { chunkSize })).rejects.toMatchObject({
        code: 'invalid-argument',
        details: { path: 'options.chunkSize' },
      });
    }
  });

  it('refuses a manifest identity without a name, with the path', async () => {
    await expect(collect(testImage(10), { name: '' })).rejects.toMatchObject({
      code: 'manifest-invalid',
      details: { path: 'options.name' },
    });
  });

  it('stops with the signal’s reason when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(collect(testImage(1000), { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('encodeImage buffer reuse', () => {
  it('hands out views that are rewritten after onChunk settles, so keeping one needs a copy', async () => {
    const bytes = testImage(4096);
    const kept: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    await encodeImage(bytes, {
      ...identity,
      chunkSize: 1024,
      batchBytes: 1024,
      onChunk: (c) => {
        kept.push(c.payload);
        copies.push(c.payload.slice());
      },
    });
    expect(copies.map((c) => [...c])).toEqual([0, 1, 2, 3].map((i) => [...bytes.subarray(i * 1024, (i + 1) * 1024)]));
    expect(kept[0]!.buffer).toBe(kept[3]!.buffer);
  });
});

describe('encodeImage options', () => {
  it('refuses a dependency without a name before reading the image, with the path', async () => {
    await expect(
      encodeImage(new Uint8Array(10), { ...identity, chunkSize: 16, dependencies: [{ name: '' }] }),
    ).rejects.toMatchObject({
      code: 'manifest-invalid',
      details: { path: 'options.dependencies[0].name' },
    });
  });
});

describe('encodeImage failures', () => {
  it('rejects with the pool’s error when hashing tasks fail, and with onChunk’s error when it throws', async () => {
    const closed = new InThreadPool();
    await closed.close();
    await expect(collect(testImage(5000), { pool: closed, poolThreshold: 0, batchBytes: 64 })).rejects.toMatchObject({
      code: 'pool-closed',
    });
    const failing = encodeImage(testImage(5000), {
      ...identity,
      chunkSize: 64,
      pool: new InThreadPool(),
      poolThreshold: 0,
      onChunk: (c) => {
        if (c.index === 3) throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
  });
});

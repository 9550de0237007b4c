import { appendFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InThreadPool, type RunOptions, type WorkerPool } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { testImage } from '../../test/fixtures/test-image.ts';
import { equalBytes } from '../_internal/hex.ts';
import type { ImageFile } from '../_internal/source.ts';
import { type EncodedChunk, type EncodeOptions, encodeImage } from '../encoder.ts';
import { openImageFile } from './image-file.ts';

const identity = { name: 'fw', version: '1.0.0', sequence: 3 } as const;
const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-file-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(bytes: Uint8Array): string {
  const path = join(dir, `image-${files++}.bin`);
  writeFileSync(path, bytes);
  return path;
}

async function collect(source: Uint8Array | ImageFile, options: Partial<EncodeOptions> = {}) {
  const chunks: Pick<EncodedChunk, 'index' | 'more' | 'frame'>[] = [];
  const manifest = await encodeImage(source, {
    ...identity,
    chunkSize: 64,
    ...options,
    onChunk: (c) => void chunks.push({ index: c.index, more: c.more, frame: c.frame.slice() }),
  });
  return { manifest, frames: chunks.map((c) => [c.index, c.more, c.frame] as const) };
}

/** A pool that records the tasks it runs and how many ran at once. */
function watched(inner: WorkerPool) {
  const seen = { tasks: new Set<string>(), running: 0, most: 0 };
  const pool: WorkerPool = {
    threads: inner.threads,
    async run(task, input, options?: RunOptions) {
      seen.tasks.add(task.name);
      seen.most = Math.max(seen.most, ++seen.running);
      try {
        return await inner.run(task, input, options);
      } finally {
        seen.running--;
      }
    },
    close: () => inner.close(),
  };
  return { pool, seen };
}

describe('encodeImage of an image file', () => {
  it('on a 2-thread piscina pool, whose workers read the file, gives the frames and manifest of the in-thread encoder', async () => {
    const bytes = testImage(300_001);
    const file = await openImageFile(fileOf(bytes));
    const pool = createPiscinaPool({ threads: 2 });
    try {
      const reference = await collect(bytes, { chunkSize: 4096 });
      const pooled = await collect(file, { chunkSize: 4096, pool, poolThreshold: 0, batchBytes: 32_768 });
      const here = await collect(file, { chunkSize: 4096 });
      expect(pooled.manifest).toEqual(reference.manifest);
      expect(pooled.frames).toEqual(reference.frames);
      expect(here.manifest).toEqual(reference.manifest);
      expect(here.frames).toEqual(reference.frames);
    } finally {
      await pool.close();
    }
  });

  it('gives the manifest and frames of the bytes for any size, chunk size, batch size and in-flight bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 4, max: 9 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 4 }),
        async (bytes, exp, batchBytes, inFlight) => {
          const chunkSize = 2 ** exp;
          const file = await openImageFile(fileOf(bytes));
          const reference = await collect(bytes, { chunkSize });
          const { pool, seen } = watched(new InThreadPool());
          for (const v of [
            await collect(file, { chunkSize, batchBytes }),
            await collect(file, { chunkSize, batchBytes, inFlight, pool, poolThreshold: 0 }),
          ]) {
            expect(v.manifest).toEqual(reference.manifest);
            expect(v.frames).toEqual(reference.frames);
          }
          expect(seen.most).toBeLessThanOrEqual(inFlight);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the frames of the bytes for chunks read many to a syscall (16 KiB) and a piece at a time (2 MiB), on the pool and in-thread', async () => {
    const bytes = testImage(5 * 1024 * 1024 + 123);
    const file = await openImageFile(fileOf(bytes));
    for (const [chunkSize, batchBytes] of [
      [1 << 14, (2 << 20) + 1],
      [2 << 20, 4 << 20],
    ] as const) {
      const reference = await collect(bytes, { chunkSize });
      for (const options of [{ chunkSize }, { chunkSize, batchBytes, pool: new InThreadPool(), poolThreshold: 0 }]) {
        const encoded = await collect(file, options);
        expect(encoded.manifest).toEqual(reference.manifest);
        expect(encoded.frames.length).toBe(reference.frames.length);
        expect(
          encoded.frames.every(([index, more, frame], i) => {
            const [rIndex, rMore, rFrame] = reference.frames[i]!;
            return index === rIndex && more === rMore && equalBytes(frame, rFrame);
          }),
        ).toBe(true);
      }
    }
  });

  it('on the pool leaves the reading to the workers: the calling thread never opens the file', async () => {
    const bytes = testImage(20_000);
    const opened = await openImageFile(fileOf(bytes));
    let opens = 0;
    const file: ImageFile = {
      path: opened.path,
      size: opened.size,
      open: () => {
        opens++;
        return opened.open();
      },
    };
    const { pool, seen } = watched(new InThreadPool());
    const pooled = await collect(file, { chunkSize: 256, pool, poolThreshold: 0, batchBytes: 2048, inFlight: 3 });
    expect(pooled.manifest).toEqual((await collect(bytes, { chunkSize: 256 })).manifest);
    expect(opens).toBe(0);
    expect([...seen.tasks]).toEqual(['hashFileBatch']);
    expect(seen.most).toBeLessThanOrEqual(3);
  });

  it('refuses a file that shrank or grew after it was opened, with source-size-mismatch, on the pool and in-thread', async () => {
    for (const options of [{}, { pool: new InThreadPool(), poolThreshold: 0, batchBytes: 1024 }]) {
      const shrinking = fileOf(testImage(5000));
      const short = await openImageFile(shrinking);
      truncateSync(shrinking, 4000);
      await expect(collect(short, options)).rejects.toMatchObject({
        code: 'source-size-mismatch',
        details: { expected: 5000 },
      });
      const growing = fileOf(testImage(5000));
      const long = await openImageFile(growing);
      appendFileSync(growing, new Uint8Array(10));
      await expect(collect(long, options)).rejects.toMatchObject({
        code: 'source-size-mismatch',
        details: { expected: 5000, got: 'more than 5000' },
      });
    }
  });

  it('encodes an empty file as no chunk, on the pool too', async () => {
    const file = await openImageFile(fileOf(new Uint8Array(0)));
    const empty = await collect(new Uint8Array(0));
    expect(await collect(file)).toEqual(empty);
    expect(await collect(file, { pool: new InThreadPool(), poolThreshold: 0 })).toEqual(empty);
  });

  it('fails with source-unreadable when the file is missing, or removed before the workers or this thread read it', async () => {
    await expect(openImageFile(join(dir, 'no-such-image.bin'))).rejects.toMatchObject({
      code: 'source-unreadable',
      details: { path: 'image' },
    });
    const pool = createPiscinaPool({ threads: 2 });
    try {
      for (const options of [{}, { pool: new InThreadPool(), poolThreshold: 0 }, { pool, poolThreshold: 0 }]) {
        const path = fileOf(testImage(5000));
        const file = await openImageFile(path);
        rmSync(path);
        await expect(collect(file, options)).rejects.toMatchObject({
          code: 'source-unreadable',
          details: { got: file.path },
        });
      }
    } finally {
      await pool.close();
    }
  });

  it('refuses to open a folder as an image, with invalid-argument', async () => {
    const folder = join(dir, `folder-${files++}`);
    mkdirSync(folder);
    await expect(openImageFile(folder)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

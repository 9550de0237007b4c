import { memoryLogger } from '@fleetkit/core';
import { describe, expect, it } from 'vitest';
import { Assembler } from './assembler.ts';
import { type EncodedChunk, encodeImage } from './encoder.ts';
import { encodeFrame } from './frame.ts';
import { manifestId, transferTag } from './manifest.ts';
import { createMemoryStorage } from './memory-storage.ts';
import type { ChunkStorage } from './storage.ts';

const bytes = new Uint8Array(1000).map((_, i) => (i * 7 + 3) & 0xff);

async function setup(storage: ChunkStorage = createMemoryStorage()) {
  const chunks: EncodedChunk[] = [];
  const manifest = await encodeImage(bytes, {
    name: 'fw',
    version: '2',
    sequence: 1,
    chunkSize: 128,
    onChunk: (c) => void chunks.push({ ...c, payload: c.payload.slice(), frame: c.frame.slice() }),
  });
  return { manifest, chunks, storage, assembler: await Assembler.open({ manifest, storage }) };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('Assembler', () => {
  it('takes chunks in any order, drops duplicates and yields the exact image', async () => {
    const { chunks, assembler } = await setup();
    expect(assembler.total).toBe(8);
    for (const i of [7, 0, 3, 3, 1, 2, 6, 5, 4, 0]) await assembler.accept(i, chunks[i]!.payload);
    expect(assembler.complete).toBe(true);
    await assembler.verify();
    expect(await readAll(assembler.stream())).toEqual(bytes);
  });

  it('answers duplicate for a second valid copy of a chunk', async () => {
    const { chunks, assembler } = await setup();
    expect(await assembler.accept(2, chunks[2]!.payload)).toBe('stored');
    expect(await assembler.accept(2, chunks[2]!.payload)).toBe('duplicate');
    expect(assembler.received).toBe(1);
  });

  it('reports missing chunks and bytes as ascending ranges', async () => {
    const { chunks, assembler } = await setup();
    for (const i of [0, 1, 4, 7]) await assembler.accept(i, chunks[i]!.payload);
    expect(assembler.missing()).toEqual([
      { start: 2, end: 4 },
      { start: 5, end: 7 },
    ]);
    expect(assembler.missingBytes()).toEqual([
      { start: 256, end: 512 },
      { start: 640, end: 896 },
    ]);
  });

  it('refuses a corrupt, oversized, short or out-of-range chunk with index and expectation, and changes nothing', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    await assembler.accept(0, chunks[0]!.payload);
    const before = { bitmap: assembler.bitmap(), state: await storage.readState(manifestId(manifest)) };
    const flipped = chunks[1]!.payload.slice();
    flipped[5]! ^= 0x10;
    await expect(assembler.accept(1, flipped)).rejects.toMatchObject({
      code: 'chunk-digest-mismatch',
      details: { index: 1 },
    });
    await expect(assembler.accept(1, new Uint8Array(129))).rejects.toMatchObject({
      code: 'chunk-size-mismatch',
      details: { index: 1, expected: 128, got: 129 },
    });
    await expect(assembler.accept(7, chunks[7]!.payload.subarray(1))).rejects.toMatchObject({
      code: 'chunk-size-mismatch',
      details: { index: 7, expected: 104, got: 103 },
    });
    await expect(assembler.accept(8, chunks[7]!.payload)).rejects.toMatchObject({
      code: 'chunk-out-of-range',
      details: { index: 8, expected: '0..7' },
    });
    await expect(assembler.accept(-1, chunks[0]!.payload)).rejects.toMatchObject({ code: 'chunk-out-of-range' });
    await expect(assembler.accept(0, flipped)).rejects.toMatchObject({
      code: 'chunk-digest-mismatch',
      details: { index: 0 },
    });
    expect(assembler.bitmap()).toEqual(before.bitmap);
    expect(await storage.readState(manifestId(manifest))).toEqual(before.state);
    expect(await storage.readChunk(manifestId(manifest), 1)).toBeUndefined();
    expect(await storage.readChunk(manifestId(manifest), 0)).toEqual(chunks[0]!.payload);
  });

  it('accepts frames of its image and refuses a frame of another image as foreign-chunk', async () => {
    const { chunks, assembler } = await setup();
    expect(await assembler.acceptFrame(chunks[7]!.frame)).toEqual({ index: 7, outcome: 'stored' });
    const other = encodeFrame(
      { tag: transferTag({ name: 'fw', version: '3', sequence: 2 }), sizeExp: 7, index: 1, more: true },
      chunks[1]!.payload,
    );
    await expect(assembler.acceptFrame(other)).rejects.toMatchObject({ code: 'foreign-chunk', details: { index: 1 } });
    const wrongSize = encodeFrame(
      { tag: transferTag(assembler.manifest), sizeExp: 8, index: 1, more: true },
      chunks[1]!.payload,
    );
    await expect(assembler.acceptFrame(wrongSize)).rejects.toMatchObject({ code: 'foreign-chunk' });
    const lastButMore = encodeFrame(
      { tag: transferTag(assembler.manifest), sizeExp: 7, index: 6, more: false },
      chunks[6]!.payload,
    );
    await expect(assembler.acceptFrame(lastButMore)).rejects.toMatchObject({
      code: 'frame-invalid',
      details: { index: 6 },
    });
    expect(assembler.received).toBe(1);
  });

  it('resumes from storage: a new assembler knows what the old one stored', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    for (const i of [0, 5, 6]) await assembler.accept(i, chunks[i]!.payload);
    const resumed = await Assembler.open({ manifest, storage });
    expect(resumed.received).toBe(3);
    expect(resumed.missing()).toEqual([
      { start: 1, end: 5 },
      { start: 7, end: 8 },
    ]);
  });

  it('forgets on resume a stored chunk that no longer matches its digest, and logs it', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    for (const i of [0, 1]) await assembler.accept(i, chunks[i]!.payload);
    await storage.writeChunk(manifestId(manifest), 1, new Uint8Array(128));
    const logger = memoryLogger();
    const resumed = await Assembler.open({ manifest, storage, logger });
    expect(resumed.missing()).toEqual([{ start: 1, end: 8 }]);
    expect(logger.records.some((r) => r.level === 'warn' && JSON.stringify(r).includes('"chunks":[1]'))).toBe(true);
  });

  it('verify reports incomplete with the missing ranges, then image-corrupt with the chunks storage damaged', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    for (let i = 0; i < 7; i++) await assembler.accept(i, chunks[i]!.payload);
    await expect(assembler.verify()).rejects.toMatchObject({
      code: 'incomplete',
      details: { missing: [{ start: 7, end: 8 }] },
    });
    await assembler.accept(7, chunks[7]!.payload);
    await storage.writeChunk(manifestId(manifest), 3, new Uint8Array(128));
    await expect(assembler.verify()).rejects.toMatchObject({ code: 'image-corrupt', details: { chunks: [3] } });
    expect(assembler.missing()).toEqual([{ start: 3, end: 4 }]);
  });

  it('refuses saved state of another manifest under the same key with state-invalid', async () => {
    const { assembler, chunks, storage } = await setup();
    await assembler.accept(0, chunks[0]!.payload);
    const other = await encodeImage(bytes.subarray(1), { name: 'fw', version: '2', sequence: 1, chunkSize: 128 });
    await expect(Assembler.open({ manifest: other, storage, key: assembler.key })).rejects.toMatchObject({
      code: 'state-invalid',
    });
  });

  it('shares one state write among concurrent accepts and still records every chunk', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    let writes = 0;
    const counting: ChunkStorage = {
      ...storage,
      writeState: (k, s) => {
        writes++;
        return storage.writeState(k, s);
      },
    };
    const a = await Assembler.open({ manifest, storage: counting, key: 'concurrent' });
    await Promise.all(chunks.map((c) => a.accept(c.index, c.payload)));
    expect(writes).toBeLessThan(chunks.length);
    const resumed = await Assembler.open({ manifest, storage, key: 'concurrent' });
    expect(resumed.complete).toBe(true);
    expect(assembler.received).toBe(0);
  });

  it('refuses to open with a manifest whose root does not cover its digests', async () => {
    const { manifest } = await setup();
    const digests = manifest.digests.slice();
    digests[0]! ^= 1;
    await expect(
      Assembler.open({ manifest: { ...manifest, digests }, storage: createMemoryStorage() }),
    ).rejects.toMatchObject({ code: 'manifest-root-mismatch' });
  });

  it('discards chunks and state', async () => {
    const { chunks, assembler, storage, manifest } = await setup();
    await assembler.accept(0, chunks[0]!.payload);
    await assembler.discard();
    expect(await storage.readState(manifestId(manifest))).toBeUndefined();
    expect(await storage.readChunk(manifestId(manifest), 0)).toBeUndefined();
  });
});

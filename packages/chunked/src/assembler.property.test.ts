import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Assembler } from './assembler.ts';
import { encodeImage } from './encoder.ts';
import { ChunkedError } from './errors.ts';
import { createMemoryStorage } from './memory-storage.ts';

/** One delivery by a lossy, duplicating, reordering link: which chunk, and maybe one bit to flip. */
const delivery = fc.record({ pick: fc.nat(), flip: fc.option(fc.nat(), { freq: 4 }) });

async function encode(image: Uint8Array, exp: number) {
  const chunks: Uint8Array[] = [];
  const manifest = await encodeImage(image, {
    name: 'img',
    version: '1',
    sequence: 1,
    chunkSize: 2 ** exp,
    onChunk: (c) => void chunks.push(c.payload.slice()),
  });
  return { manifest, chunks };
}

function corrupt(payload: Uint8Array, bit: number): Uint8Array {
  const copy = payload.slice();
  const at = bit % (payload.length * 8);
  copy[at >> 3]! ^= 1 << (at & 7);
  return copy;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('Assembler under a hostile link (property)', () => {
  it('ends with the exact image, and reports exactly the corrupted deliveries as bad chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 4, max: 9 }),
        fc.array(delivery, { maxLength: 80 }),
        async (image, exp, deliveries) => {
          const { manifest, chunks } = await encode(image, exp);
          const assembler = await Assembler.open({ manifest, storage: createMemoryStorage() });
          const expectedBad: number[] = [];
          const reportedBad: number[] = [];
          const held = new Set<number>();
          for (const d of deliveries) {
            const index = d.pick % chunks.length;
            const payload = d.flip === null ? chunks[index]! : corrupt(chunks[index]!, d.flip);
            if (d.flip !== null) expectedBad.push(index);
            try {
              const outcome = await assembler.accept(index, payload);
              expect(outcome).toBe(held.has(index) ? 'duplicate' : 'stored');
              held.add(index);
            } catch (error) {
              expect(error).toBeInstanceOf(ChunkedError);
              expect((error as ChunkedError).code).toBe('chunk-digest-mismatch');
              reportedBad.push((error as ChunkedError).details!.index as number);
            }
          }
          expect(reportedBad).toEqual(expectedBad);
          expect(assembler.received).toBe(held.size);
          // the link drops whatever it drops: the bitmap says exactly what is left to fetch
          for (const range of assembler.missing())
            for (let i = range.start; i < range.end; i++) await assembler.accept(i, chunks[i]!);
          await assembler.verify();
          expect(await readAll(assembler.stream())).toEqual(image);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resumes after a restart without fetching a chunk it had stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 4, max: 8 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.nat(),
        async (image, exp, picks, cut) => {
          const { manifest, chunks } = await encode(image, exp);
          const storage = createMemoryStorage();
          const first = await Assembler.open({ manifest, storage });
          const beforeRestart = picks.slice(0, cut % (picks.length + 1)).map((p) => p % chunks.length);
          for (const i of beforeRestart) await first.accept(i, chunks[i]!);
          const stored = new Set(beforeRestart);
          // the process dies: only what storage holds survives
          const resumed = await Assembler.open({ manifest, storage });
          expect(resumed.received).toBe(stored.size);
          const fetched: number[] = [];
          for (const range of resumed.missing()) {
            for (let i = range.start; i < range.end; i++) {
              fetched.push(i);
              expect(await resumed.accept(i, chunks[i]!)).toBe('stored');
            }
          }
          expect(fetched.filter((i) => stored.has(i))).toEqual([]);
          expect(fetched.length + stored.size).toBe(chunks.length);
          await resumed.verify();
          expect(await readAll(resumed.stream())).toEqual(image);
        },
      ),
      { numRuns: 150 },
    );
  });
});

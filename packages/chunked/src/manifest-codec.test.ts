import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeImage } from './encoder.ts';
import type { Manifest } from './manifest.ts';
import { decodeManifest, encodeManifest, manifestFromJson, manifestToJson } from './manifest-codec.ts';

const sample = (deps: Manifest['dependencies'] = [{ name: 'libc', version: '2.36' }, { name: 'base' }]) =>
  encodeImage(
    new Uint8Array(300).map((_, i) => i),
    { name: 'fw', version: '1.2.3', sequence: 42, chunkSize: 128, dependencies: deps },
  );

describe('manifest codecs', () => {
  it('round-trips through the binary and the JSON form', async () => {
    const manifest = await sample();
    expect(decodeManifest(encodeManifest(manifest))).toEqual(manifest);
    expect(manifestFromJson(JSON.parse(JSON.stringify(manifestToJson(manifest))))).toEqual(manifest);
  });

  it('writes the same bytes for the same manifest, whatever the field order of the object', async () => {
    const manifest = await sample();
    const reordered = Object.fromEntries(Object.entries(manifest).reverse()) as unknown as Manifest;
    expect(encodeManifest(reordered)).toEqual(encodeManifest(manifest));
  });

  it('round-trips any image size, chunk size, sequence and dependencies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 4, max: 10 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.array(
          fc.record(
            { name: fc.string({ minLength: 1 }), version: fc.string({ minLength: 1 }) },
            { requiredKeys: ['name'] },
          ),
          { maxLength: 3 },
        ),
        async (size, exp, sequence, dependencies) => {
          const m = await encodeImage(new Uint8Array(size), {
            name: 'n',
            version: 'v',
            sequence,
            chunkSize: 2 ** exp,
            dependencies,
          });
          expect(decodeManifest(encodeManifest(m))).toEqual(m);
          expect(manifestFromJson(manifestToJson(m))).toEqual(m);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses bytes that decode but are not canonical', async () => {
    const bytes = encodeManifest(await sample([]));
    // the sequence 42 written as a uint16 (0xcd 0x00 0x2a) instead of a positive fixint
    const at = bytes.indexOf(42);
    const padded = new Uint8Array([...bytes.subarray(0, at), 0xcd, 0x00, 42, ...bytes.subarray(at + 1)]);
    expect(() => decodeManifest(padded)).toThrow(expect.objectContaining({ code: 'manifest-not-canonical' }));
  });

  it('refuses a manifest whose root is not the root of its digests', async () => {
    const json = manifestToJson(await sample());
    const tampered = { ...json, chunks: [json.chunks[1], json.chunks[0], json.chunks[2]] };
    expect(() => manifestFromJson(tampered)).toThrow(
      expect.objectContaining({
        code: 'manifest-root-mismatch',
        details: expect.objectContaining({ path: 'manifest.root' }),
      }),
    );
  });

  it('names the path, the expectation and the value of a bad field', async () => {
    const json = manifestToJson(await sample());
    const cases: [unknown, string][] = [
      [{ ...json, chunkSize: 100 }, 'manifest.chunkSize'],
      [{ ...json, sequence: -1 }, 'manifest.sequence'],
      [{ ...json, name: '' }, 'manifest.name'],
      [{ ...json, chunks: ['zz'] }, 'manifest.chunks[0]'],
      [{ ...json, chunks: json.chunks.slice(1) }, 'manifest.digests'],
      [{ ...json, dependencies: [{ name: 'x', version: 3 }] }, 'manifest.dependencies[0].version'],
      [{ ...json, format: 2 }, 'manifest.format'],
      [[], 'manifest'],
    ];
    for (const [value, path] of cases) {
      expect(() => manifestFromJson(value)).toThrow(
        expect.objectContaining({ code: 'manifest-invalid', details: expect.objectContaining({ path }) }),
      );
    }
  });

  it('refuses bytes that are not MessagePack or not a manifest', () => {
    expect(() => decodeManifest(new Uint8Array([0xc1]))).toThrow(expect.objectContaining({ code: 'manifest-invalid' }));
    expect(() => decodeManifest(new Uint8Array([0x91, 0x01]))).toThrow(
      expect.objectContaining({ code: 'manifest-invalid', details: expect.objectContaining({ path: 'manifest' }) }),
    );
  });
});

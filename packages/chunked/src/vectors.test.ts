// Golden bytes for implementers on devices (C, Rust…): a 48-byte image in
// 16-byte chunks. The leaves and the root were recomputed with `split -b 16`,
// `sha256sum` and the openssl Merkle script of hashes.node.test.ts.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './_internal/hex.ts';
import { type EncodedChunk, encodeImage } from './encoder.ts';
import { decodeManifest, encodeManifest } from './manifest-codec.ts';

const image = new TextEncoder().encode('fleetkit chunked test vector: forty-eight bytes!');
const LEAVES = [
  'fa90182821e20057cecf4a6f22d892cbfa8c77902cb27331b6d4e377ddf2bc54',
  'db17c31626183daa1737f9ea70c72b9127ba97bf52297eb8f083fc44284f1aca',
  '2aa1dc28335a9d25eae47e558fecbf881c0beab26817bac0b72839498c18028d',
];
const ROOT = 'ed02d15aef63ab6e18671d64dde66fa9cf74432470e71959531291434c9f0486';
const MANIFEST = `9901a3766563a3312e30053010c460${LEAVES.join('')}c420${ROOT}9192a462617365a132`;
const FRAMES = [
  '110400000000ac8fa8df455137b5666c6565746b6974206368756e6b6564',
  '110400000001ac8fa8df455137b5207465737420766563746f723a20666f',
  '100400000002ac8fa8df455137b57274792d656967687420627974657321',
];

describe('golden vectors', () => {
  it('encodes the test image to the committed manifest bytes and frames', async () => {
    const frames: string[] = [];
    const manifest = await encodeImage(image, {
      name: 'vec',
      version: '1.0',
      sequence: 5,
      chunkSize: 16,
      dependencies: [{ name: 'base', version: '2' }],
      onChunk: (c: EncodedChunk) => void frames.push(toHex(c.frame)),
    });
    expect(toHex(manifest.root)).toBe(ROOT);
    expect(toHex(encodeManifest(manifest))).toBe(MANIFEST);
    expect(frames).toEqual(FRAMES);
  });

  it('decodes the committed manifest bytes', () => {
    const manifest = decodeManifest(fromHex(MANIFEST)!);
    expect(manifest).toMatchObject({
      name: 'vec',
      version: '1.0',
      sequence: 5,
      size: 48,
      chunkSize: 16,
      dependencies: [{ name: 'base', version: '2' }],
    });
    expect(toHex(manifest.digests)).toBe(LEAVES.join(''));
  });
});

import { mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeImage, type ImageSource } from '@fleetkit/chunked';
import { openImageFile } from '@fleetkit/chunked/fs';
import type { WorkerPool } from '@fleetkit/core';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import { defineSuite } from '../harness/suite.ts';
import { nodeCryptoLoop, opensslSha256, webCryptoAllInFlight } from './baselines.ts';

const MiB = 1 << 20;
const CHUNK = MiB;
const RUNS = 7;
let pool: WorkerPool;
const images = new Map<number, Uint8Array>();
// The same bytes as image files in a temp dir, read by path (openImageFile)
// or as a file-backed Blob (fs.openAsBlob), page cache warm for every side.
let dir: string;
const filePath = (mib: number): string => join(dir, `image-${mib}.bin`);

function randomImage(bytes: number): Uint8Array {
  const image = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(image.subarray(at, at + 65536));
  return image;
}

/** Encodes (hash + frame) and hands every frame to a consumer that reads its length, as a transport would. */
async function encode(image: ImageSource, withPool: boolean): Promise<void> {
  let framed = 0;
  const size = image instanceof Uint8Array ? image.length : image instanceof ReadableStream ? 0 : image.size;
  await encodeImage(image, {
    name: 'bench',
    version: '1',
    sequence: 1,
    chunkSize: CHUNK,
    ...(withPool ? { pool, poolThreshold: 0 } : {}),
    onChunk: (c) => {
      framed += c.frame.length;
    },
  });
  if (framed < size) throw new Error('encoder lost bytes');
}

/** Encodes the image file of `mib` MiB, opened by path (workers read their own ranges) or as a file-backed Blob. */
async function encodeFile(mib: number, withPool: boolean, as: 'path' | 'blob' = 'path'): Promise<void> {
  await encode(as === 'path' ? await openImageFile(filePath(mib)) : await openAsBlob(filePath(mib)), withPool);
}

/** Ours beside `openssl speed`, run just before and after ours; the better openssl figure counts (both see the same load). */
async function besideOpenssl(bytes: number, ours: () => unknown): Promise<{ ours_hz: number; peer_hz: number }> {
  const before = (await opensslSha256(2)) / 1e6;
  let ours_hz = 0;
  for (let i = 0; i < RUNS; i++) ours_hz = Math.max(ours_hz, await once(bytes, ours));
  const after = (await opensslSha256(2)) / 1e6;
  return { ours_hz, peer_hz: Math.max(before, after) };
}

async function once(bytes: number, run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

/**
 * Best MB/s of each side over RUNS alternating runs: on a shared machine the
 * best run is the least disturbed one, and alternating exposes both sides to
 * the same spells of load.
 */
async function sideBySide(
  bytes: number,
  ours: () => unknown,
  peer: () => unknown,
): Promise<{ ours_hz: number; peer_hz: number }> {
  let ours_hz = 0;
  let peer_hz = 0;
  for (let i = 0; i < RUNS; i++) {
    peer_hz = Math.max(peer_hz, await once(bytes, peer));
    ours_hz = Math.max(ours_hz, await once(bytes, ours));
  }
  return { ours_hz, peer_hz };
}

const image = (mib: number): Uint8Array => images.get(mib)!;

export default defineSuite({
  name: 'chunked',
  description:
    'Encoder of `@fleetkit/chunked` (SHA-256 of every 1 MiB chunk + wire frame + manifest), MB/s, best of 7 alternating runs, beside `openssl speed -elapsed -evp sha256` on one core, a plain node:crypto loop and WebCrypto with every chunk in flight; pool = piscina, 2 threads. ' +
    'Sources: a `Uint8Array` in memory, or the same bytes as a file in a temp dir (page cache warm) opened with `openImageFile` (on the pool each worker reads its own byte ranges by path) or as a file-backed Blob (`fs.openAsBlob`, which Node cannot post to a worker). ' +
    'From a `Uint8Array` the calling thread copies every batch (it can be neither transferred nor shared), so the pool spends ~1.3× the in-thread CPU per byte on 3 threads and stays below 1.6×; from a file the calling thread touches no image byte and the workers pay the page-cache read (~1.25× the CPU of hashing bytes in memory) in parallel.',
  async setup() {
    pool = createPiscinaPool({ threads: 2 });
    dir = mkdtempSync(join(tmpdir(), 'fleetkit-bench-chunked-'));
    for (const mib of [64, 256]) {
      images.set(mib, randomImage(mib * MiB));
      writeFileSync(filePath(mib), images.get(mib)!);
      readFileSync(filePath(mib)); // page cache warm
    }
    await encode(image(64), true);
    await encode(image(64), false);
    await encodeFile(64, true);
    await encodeFile(64, false);
    return undefined;
  },
  cases: () => [
    {
      name: 'encode in-thread, 64 MiB (MB/s)',
      peer: 'openssl speed -elapsed -evp sha256, 1 core',
      goal: 0.85,
      measure: () => besideOpenssl(64 * MiB, () => encode(image(64), false)),
    },
    {
      name: 'encode in-thread from a file (openImageFile), 64 MiB (MB/s)',
      peer: 'openssl speed -elapsed -evp sha256, 1 core',
      measure: () => besideOpenssl(64 * MiB, () => encodeFile(64, false)),
    },
    {
      name: 'encode in-thread from a file-backed Blob (fs.openAsBlob), 64 MiB (MB/s)',
      peer: 'openssl speed -elapsed -evp sha256, 1 core',
      measure: () => besideOpenssl(64 * MiB, () => encodeFile(64, false, 'blob')),
    },
    {
      name: 'encode in-thread, 64 MiB (MB/s)',
      peer: 'node:crypto createHash loop',
      measure: () =>
        sideBySide(
          64 * MiB,
          () => encode(image(64), false),
          () => nodeCryptoLoop(image(64), CHUNK),
        ),
    },
    ...[64, 256].map((mib) => ({
      name: `encode on pool (2 threads), ${mib} MiB (MB/s)`,
      peer: 'encode in-thread',
      goal: 1.6,
      measure: () =>
        sideBySide(
          mib * MiB,
          () => encode(image(mib), true),
          () => encode(image(mib), false),
        ),
    })),
    ...[64, 256].map((mib) => ({
      name: `encode from a file (openImageFile) on pool (2 threads), ${mib} MiB (MB/s)`,
      peer: 'encode in-thread from the same file',
      goal: 1.6,
      measure: () =>
        sideBySide(
          mib * MiB,
          () => encodeFile(mib, true),
          () => encodeFile(mib, false),
        ),
    })),
    {
      name: 'encode from a file (openImageFile) on pool (2 threads), 64 MiB (MB/s)',
      peer: 'encode in-thread from a Uint8Array',
      measure: () =>
        sideBySide(
          64 * MiB,
          () => encodeFile(64, true),
          () => encode(image(64), false),
        ),
    },
    {
      name: 'encode on pool (2 threads), 64 MiB (MB/s)',
      peer: 'crypto.subtle.digest, all chunks in flight',
      goal: 1,
      measure: () =>
        sideBySide(
          64 * MiB,
          () => encode(image(64), true),
          () => webCryptoAllInFlight(image(64), CHUNK),
        ),
    },
  ],
  async teardown() {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  },
});

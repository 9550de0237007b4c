// The digests and the Merkle root, recomputed by coreutils and openssl on
// real files: the chunk files come from `split`, the leaves from
// `sha256sum`, and every inner node from `openssl dgst -sha256` in bash.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, openAsBlob, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createPiscinaPool } from '@fleetkit/core/piscina';
import { describe, expect, it } from 'vitest';
import { toHex } from './_internal/hex.ts';
import { openImageFile } from './adapters/image-file.ts';
import { encodeImage } from './encoder.ts';
import { chunkDigest, type Manifest } from './manifest.ts';

const MERKLE_SH = `
set -eu
level=($(cat "$1"))
node() { { printf '\\001'; printf "$(printf '%s%s' "$1" "$2" | sed 's/../\\\\x&/g')"; } | openssl dgst -sha256 -r | cut -d' ' -f1; }
if [ \${#level[@]} -eq 0 ]; then printf '' | openssl dgst -sha256 -r | cut -d' ' -f1; exit; fi
while [ \${#level[@]} -gt 1 ]; do
  next=()
  for ((i = 0; i + 1 < \${#level[@]}; i += 2)); do next+=("$(node "\${level[i]}" "\${level[i+1]}")"); done
  if (( \${#level[@]} % 2 == 1 )); then next+=("\${level[-1]}"); fi
  level=("\${next[@]}")
done
echo "\${level[0]}"
`;

function independently(file: string, chunkSize: number): { leaves: string[]; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-split-'));
  execFileSync('split', ['-b', String(chunkSize), '-a', '5', '-d', file, join(dir, 'c')]);
  const parts = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  const leaves =
    parts.length === 0
      ? []
      : execFileSync('sha256sum', parts, { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((line) => line.slice(0, 64));
  const whole = execFileSync('openssl', ['dgst', '-sha256', '-r', file], { encoding: 'utf8' }).slice(0, 64);
  if (parts.length === 1) expect(leaves[0]).toBe(whole);
  writeFileSync(join(dir, 'leaves'), leaves.join('\n'));
  writeFileSync(join(dir, 'merkle.sh'), MERKLE_SH);
  const root = execFileSync('bash', [join(dir, 'merkle.sh'), join(dir, 'leaves')], { encoding: 'utf8' }).trim();
  return { leaves, root };
}

function expectAgrees(manifest: Manifest, file: string): void {
  const { leaves, root } = independently(file, manifest.chunkSize);
  expect(leaves.length).toBe(Math.ceil(manifest.size / manifest.chunkSize));
  for (const [i, hex] of leaves.entries()) expect(toHex(chunkDigest(manifest, i))).toBe(hex);
  expect(toHex(manifest.root)).toBe(root);
}

describe('hashes agree with sha256sum and openssl', () => {
  it('on the openssl binary, read as a stream, in 16 KiB chunks', async () => {
    const file = '/usr/bin/openssl';
    const manifest = await encodeImage(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
      name: 'openssl',
      version: '3',
      sequence: 1,
      chunkSize: 1 << 14,
    });
    expectAgrees(manifest, file);
  });

  it('on a 5 MiB file read as a Blob and hashed on a 2-thread piscina pool, in 64 KiB chunks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleetkit-chunked-img-')), 'image.bin');
    execFileSync('openssl', ['rand', '-out', file, String(5 * 1024 * 1024 + 12345)]);
    const pool = createPiscinaPool({ threads: 2 });
    try {
      const manifest = await encodeImage(await openAsBlob(file), {
        name: 'img',
        version: '1',
        sequence: 1,
        chunkSize: 1 << 16,
        pool,
        poolThreshold: 0,
        batchBytes: 1 << 20,
      });
      expectAgrees(manifest, file);
    } finally {
      await pool.close();
    }
  });

  it('on a 5 MiB file that the workers of a 2-thread piscina pool read themselves, with the frames and root of the in-thread encoder', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleetkit-chunked-img-')), 'image.bin');
    execFileSync('openssl', ['rand', '-out', file, String(5 * 1024 * 1024 + 12345)]);
    const identity = { name: 'img', version: '1', sequence: 1, chunkSize: 1 << 16 };
    const inThread: Uint8Array[] = [];
    const here = await encodeImage(await openAsBlob(file), {
      ...identity,
      onChunk: (c) => void inThread.push(c.frame.slice()),
    });
    const pool = createPiscinaPool({ threads: 2 });
    try {
      const pooled: Uint8Array[] = [];
      const manifest = await encodeImage(await openImageFile(file), {
        ...identity,
        pool,
        poolThreshold: 0,
        batchBytes: 1 << 20,
        onChunk: (c) => void pooled.push(c.frame.slice()),
      });
      expectAgrees(manifest, file);
      expect(manifest).toEqual(here);
      expect(pooled.length).toBe(inThread.length);
      expect(Buffer.concat(pooled).equals(Buffer.concat(inThread))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('on a file of one chunk, whose root is the file’s own SHA-256, and on an empty file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-small-'));
    writeFileSync(join(dir, 'one'), 'hello fleet\n');
    writeFileSync(join(dir, 'none'), '');
    for (const name of ['one', 'none']) {
      const manifest = await encodeImage(await openAsBlob(join(dir, name)), {
        name,
        version: '1',
        sequence: 1,
        chunkSize: 1024,
      });
      expectAgrees(manifest, join(dir, name));
    }
  });
});

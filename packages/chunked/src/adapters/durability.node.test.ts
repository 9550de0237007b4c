import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '@fleetkit/core';
import { runUntilKilled } from '@fleetkit/core/testing';
import { describe, expect, it } from 'vitest';
import { testImage } from '../../test/fixtures/test-image.ts';
import { Assembler } from '../assembler.ts';
import { encodeImage } from '../encoder.ts';
import { encodeManifest } from '../manifest-codec.ts';
import { createFsStorage } from './fs-storage.ts';

const receiver = fileURLToPath(new URL('../../test/fixtures/receiver.ts', import.meta.url));

/** Runs the receiver until it acknowledged `target` chunks, kills it with SIGKILL, returns what it acknowledged. */
async function receiveAndKill(args: string[], target: number): Promise<number[]> {
  const lines = await runUntilKilled({ script: receiver, args, afterLines: target });
  return lines.filter((line) => line !== 'done').map(Number);
}

describe('filesystem transfer state under kill -9', () => {
  it('keeps every acknowledged chunk across three kills, with no torn chunk, then completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetkit-chunked-kill-'));
    const image = testImage(300 * 1024 + 77);
    const manifest = await encodeImage(image, { name: 'fw', version: '1', sequence: 1, chunkSize: 1024 });
    const manifestFile = join(dir, 'manifest.bin');
    writeFileSync(manifestFile, encodeManifest(manifest));
    const acked = new Set<number>();
    for (let round = 0; round < 3; round++) {
      for (const i of await receiveAndKill([join(dir, 'store'), manifestFile, String(round + 1)], 20 + round * 30))
        acked.add(i);
      const logger = memoryLogger();
      const resumed = await Assembler.open({ manifest, storage: createFsStorage({ dir: join(dir, 'store') }), logger });
      expect([...acked].filter((i) => !resumed.has(i))).toEqual([]);
      expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    }
    const final = await Assembler.open({ manifest, storage: createFsStorage({ dir: join(dir, 'store') }) });
    for (const r of final.missing())
      for (let i = r.start; i < r.end; i++)
        await final.accept(i, image.subarray(i * 1024, Math.min(image.length, (i + 1) * 1024)));
    await final.verify();
    expect(new Uint8Array(await new Response(final.stream()).arrayBuffer())).toEqual(image);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUntilKilled } from '@fleetkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore } from './file-store.ts';

describe('fileStore under kill -9', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fleetkit-agent-kill-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([3, 40, 150])(
    'holds a whole state at least as new as the last acknowledged save (killed after %i)',
    async (after) => {
      const directory = join(root, `run-${after}`);
      const lines = await runUntilKilled({
        script: join(import.meta.dirname, '_fixtures', 'state-writer.ts'),
        args: [directory],
        afterLines: after,
      });
      const acknowledged = Number(lines.at(-1));
      const state = await fileStore(directory).load();
      expect(state?.auth?.id).toBe('pub-1');
      expect(state?.configVersion).toBeGreaterThanOrEqual(acknowledged);
      expect(state?.inProgress).toEqual({ id: `${state?.configVersion}.1`, name: 'm:reboot' });
    },
  );
});

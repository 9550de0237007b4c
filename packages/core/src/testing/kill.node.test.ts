import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runUntilKilled } from './kill.ts';

const stalling = fileURLToPath(new URL('../../test/fixtures/stalling-writer.ts', import.meta.url));

describe('runUntilKilled', () => {
  it('kills a child that stops printing and resolves to the lines it acknowledged before', async () => {
    // the watchdog runs from the spawn: it also covers the child's start-up
    const lines = await runUntilKilled({ script: stalling, args: ['3'], afterLines: 100, stallMs: 3_000 });
    expect(lines).toEqual(['1', '2', '3']);
  });

  it('rejects when the child printed nothing before it stalled', async () => {
    await expect(runUntilKilled({ script: stalling, args: ['0'], afterLines: 1, stallMs: 500 })).rejects.toThrow(
      /printed nothing in 500 ms/,
    );
  });

  it('rejects when the child exits by itself', async () => {
    await expect(
      runUntilKilled({ script: stalling, args: ['2', 'exit'], afterLines: 10, stallMs: 5_000 }),
    ).rejects.toThrow(/exited by itself \(code 3\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { defineTask } from '../pool/task.ts';
import { describeWorkerPool } from '../testing/pool-suite.ts';
import { createPiscinaPool } from './piscina.ts';

const fixtures = new URL('../../test/fixtures/tasks.ts', import.meta.url).href;

describeWorkerPool('piscina', () => createPiscinaPool({ threads: 2 }), { fixtures });

describe('piscina pool', () => {
  it('runs tasks off the calling thread, on as many threads as asked', async () => {
    const pool = createPiscinaPool({ threads: 2 });
    const wait = defineTask<{ ms: number }, string>(fixtures, 'wait');
    const threadId = defineTask<null, number>(fixtures, 'threadId');
    await Promise.all([pool.run(wait, { ms: 50 }), pool.run(wait, { ms: 50 })]);
    const ids = new Set(await Promise.all(Array.from({ length: 8 }, () => pool.run(threadId, null))));
    expect(ids.size).toBeGreaterThanOrEqual(1);
    expect([...ids].every((id) => id !== 0)).toBe(true);
    await pool.close();
  });

  it('moves a transferred buffer: the caller’s copy is detached', async () => {
    const pool = createPiscinaPool({ threads: 1 });
    const digest = defineTask<{ buffer: ArrayBuffer }, { digest: string; buffer: ArrayBuffer }>(
      fixtures,
      'digestAndReturn',
    );
    const buffer = new Uint8Array(1 << 20).fill(7).buffer;
    const out = await pool.run(digest, { buffer }, { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    expect(out.buffer.byteLength).toBe(1 << 20);
    await pool.close();
  });

  it('aborts a task that is running', async () => {
    const pool = createPiscinaPool({ threads: 1 });
    const wait = defineTask<{ ms: number }, string>(fixtures, 'wait');
    const controller = new AbortController();
    const running = pool.run(wait, { ms: 5_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({ code: 'task-aborted' });
    await pool.close();
  });
});

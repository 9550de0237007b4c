import { afterAll, describe, expect } from 'vitest';
import { CoreErrorCode } from '../errors.ts';
import type { WorkerPool } from '../pool/pool.ts';
import { defineTask } from '../pool/task.ts';
import { type ContractOptions, contractSuite } from './contract.ts';

/** What the additional tests of {@link describeWorkerPool} work with. */
export interface WorkerPoolSuiteContext {
  /** The pool under test, closed after the suite. */
  readonly pool: WorkerPool;
  /** The URL of the task module the suite runs ({@link WorkerPoolSuiteOptions.fixtures}). */
  readonly fixtures: string;
}

/** Options of {@link describeWorkerPool}. */
export interface WorkerPoolSuiteOptions extends ContractOptions<WorkerPoolSuiteContext> {
  /**
   * The URL of a module exporting the suite's tasks `add`, `fail` and
   * `digestAndReturn` (as packages/core/test/fixtures/tasks.ts does).
   */
  readonly fixtures: string;
}

/** The contract every {@link WorkerPool} passes. */
export function describeWorkerPool(name: string, open: () => WorkerPool, options: WorkerPoolSuiteOptions): void {
  const { fixtures } = options;
  describe(`worker pool contract: ${name}`, () => {
    const contract = contractSuite(options);
    const it = contract.test;
    const pool = open();
    afterAll(() => pool.close());
    const add = defineTask<{ a: number; b: number }, number>(fixtures, 'add');
    const fail = defineTask<{ message: string }, never>(fixtures, 'fail');
    const digest = defineTask<{ buffer: ArrayBuffer }, { digest: string; buffer: ArrayBuffer }>(
      fixtures,
      'digestAndReturn',
    );

    it('runs a named task and returns its result', async () => {
      expect(await pool.run(add, { a: 2, b: 40 })).toBe(42);
    });

    it('runs many tasks at once and keeps each result with its call', async () => {
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => pool.run(add, { a: i, b: i })));
      expect(results).toEqual(Array.from({ length: 64 }, (_, i) => 2 * i));
    });

    it('hands a task’s buffer back with the result', async () => {
      const bytes = new TextEncoder().encode('abc');
      const buffer = bytes.buffer.slice(0);
      const out = await pool.run(digest, { buffer }, { transfer: [buffer] });
      expect(out.digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(new Uint8Array(out.buffer)).toEqual(bytes);
    });

    it('rejects with task-failed and the task’s message when it throws', async () => {
      const error = await pool.run(fail, { message: 'bad chunk 7' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CoreErrorCode.TaskFailed });
      expect((error as Error).message).toContain('bad chunk 7');
    });

    it('rejects a task that does not exist', async () => {
      const missing = defineTask<null, never>(fixtures, 'noSuchTask');
      await expect(pool.run(missing, null)).rejects.toMatchObject({
        code: expect.stringMatching(/^task-(not-found|failed)$/),
      });
      await expect(pool.run(missing, null)).rejects.toThrow('noSuchTask');
    });

    it('rejects with task-aborted when the signal is already aborted', async () => {
      await expect(pool.run(add, { a: 1, b: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        code: CoreErrorCode.TaskAborted,
      });
    });

    it('refuses work after close', async () => {
      const other = open();
      await other.close();
      await expect(other.run(add, { a: 1, b: 1 })).rejects.toMatchObject({ code: CoreErrorCode.PoolClosed });
    });

    contract.finish({ pool, fixtures });
  });
}

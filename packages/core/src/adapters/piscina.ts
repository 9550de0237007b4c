import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { CoreError, CoreErrorCode } from '../errors.ts';
import { taskFailed } from '../pool/in-thread.ts';
import type { RunOptions, WorkerPool } from '../pool/pool.ts';
import type { TaskRef } from '../pool/task.ts';

/** Options of {@link createPiscinaPool}. */
export interface PiscinaPoolOptions {
  /** Worker threads. Default: the machine's available parallelism. */
  readonly threads?: number;
  /** Tasks queued beyond the running ones before `run` rejects. Default: unbounded. */
  readonly maxQueue?: number;
  /** Milliseconds an idle worker lives. Default: piscina's. */
  readonly idleTimeout?: number;
}

const SOURCE = import.meta.url.endsWith('.ts');

/**
 * The worker pool on piscina, which runs on Node, Bun and Deno
 * (docs/sources.md, Runtimes). Threads start eagerly so the first task does
 * not pay for a thread start.
 */
export function createPiscinaPool(options: PiscinaPoolOptions = {}): WorkerPool {
  const threads = options.threads ?? availableParallelism();
  const piscina = new Piscina({
    filename: new URL(SOURCE ? './piscina-worker.ts' : './piscina-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    ...(options.maxQueue === undefined ? {} : { maxQueue: options.maxQueue }),
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    // In the sources, workers must resolve workspace packages to src/ as the caller does.
    ...(SOURCE && !process.execArgv.includes('--conditions=source')
      ? { execArgv: [...process.execArgv, '--conditions=source'] }
      : {}),
  });
  let closed = false;
  return {
    threads,
    run<Input, Output>(task: TaskRef<Input, Output>, input: Input, runOptions?: RunOptions): Promise<Output> {
      if (closed)
        return Promise.reject(
          new CoreError(CoreErrorCode.PoolClosed, `Cannot run task "${task.name}": the pool is closed`),
        );
      const message = { module: task.module, name: task.name, input };
      const running =
        runOptions === undefined ? piscina.run(message) : piscina.run(message, piscinaOptions(runOptions));
      return (running as Promise<Output>).catch((cause: unknown) => {
        if (runOptions?.signal?.aborted) {
          throw new CoreError(CoreErrorCode.TaskAborted, `Task "${task.name}" was aborted`, {
            cause: runOptions.signal.reason,
          });
        }
        if (closed)
          throw new CoreError(CoreErrorCode.PoolClosed, `Task "${task.name}" did not run: the pool closed`, { cause });
        throw taskFailed(task, cause);
      });
    },
    async close() {
      closed = true;
      await piscina.close({ force: true });
    },
  };
}

function piscinaOptions(options: RunOptions): { transferList?: ArrayBuffer[]; signal?: AbortSignal } {
  return {
    ...(options.transfer === undefined ? {} : { transferList: options.transfer as ArrayBuffer[] }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

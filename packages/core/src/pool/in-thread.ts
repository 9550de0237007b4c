import { CoreError, CoreErrorCode } from '../errors.ts';
import type { RunOptions, WorkerPool } from './pool.ts';
import { isTransferring, loadTask, type TaskRef } from './task.ts';

/**
 * Runs tasks on the calling thread through the same task modules the workers
 * load, so a task behaves identically in both places. Input buffers are not
 * detached: there is no second thread to move them to.
 */
export class InThreadPool implements WorkerPool {
  readonly threads = 1;
  #closed = false;

  async run<Input, Output>(task: TaskRef<Input, Output>, input: Input, options: RunOptions = {}): Promise<Output> {
    if (this.#closed)
      throw new CoreError(CoreErrorCode.PoolClosed, `Cannot run task "${task.name}": the pool is closed`);
    throwIfAborted(task, options.signal);
    const fn = await loadTask(task.module, task.name);
    throwIfAborted(task, options.signal);
    let result: unknown;
    try {
      result = await fn(input);
    } catch (cause) {
      throw taskFailed(task, cause);
    }
    return (isTransferring(result) ? result.value : result) as Output;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

function throwIfAborted(
  task: Pick<TaskRef<unknown, unknown>, 'module' | 'name'>,
  signal: AbortSignal | undefined,
): void {
  if (signal?.aborted) {
    throw new CoreError(CoreErrorCode.TaskAborted, `Task "${task.name}" was aborted before it ran`, {
      cause: signal.reason,
    });
  }
}

/** Wraps whatever a task threw, keeping a typed fleetkit error as the cause. */
export function taskFailed(task: Pick<TaskRef<unknown, unknown>, 'module' | 'name'>, cause: unknown): CoreError {
  if (cause instanceof CoreError && cause.code === CoreErrorCode.TaskNotFound) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new CoreError(CoreErrorCode.TaskFailed, `Task "${task.name}" failed: ${message}`, {
    cause,
    details: { module: task.module, name: task.name },
  });
}

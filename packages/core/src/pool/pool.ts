import type { TaskRef } from './task.ts';

/** Per-call options of {@link WorkerPool.run}. */
export interface RunOptions {
  /** Buffers moved to the worker; the caller's copies become detached. */
  readonly transfer?: readonly ArrayBuffer[];
  /** Cancels a queued or running task; the promise rejects with `task-aborted`. */
  readonly signal?: AbortSignal;
}

/**
 * The worker-pool port: run a named CPU task off the calling thread. The
 * piscina adapter (`@fleetkit/core/piscina`) is the real one on Node, Bun and
 * Deno; {@link InThreadPool} runs tasks on the caller's thread for tests and
 * for inputs too small to be worth a thread hop.
 */
export interface WorkerPool {
  /** Number of threads that run tasks at once (1 for in-thread). */
  readonly threads: number;
  run<Input, Output>(task: TaskRef<Input, Output>, input: Input, options?: RunOptions): Promise<Output>;
  /** Finishes running tasks, rejects queued ones, and frees the threads. */
  close(): Promise<void>;
}

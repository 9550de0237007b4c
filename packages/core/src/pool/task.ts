import { CoreError, CoreErrorCode } from '../errors.ts';

/**
 * A CPU task a worker can run: the module that exports it and the export's
 * name. Input and output cross threads by structured clone, so they are plain
 * data plus `ArrayBuffer`s.
 */
export interface TaskRef<Input, Output> {
  /** A URL (`file:` or package specifier) a worker can `import()`. */
  readonly module: string;
  /** Name of the exported function `(input) => output | Promise<output>`. */
  readonly name: string;
  /** Phantom types; never set. */
  readonly __types?: (input: Input) => Output;
}

/** A task's implementation as the module exports it. */
export type TaskFunction<Input, Output> = (
  input: Input,
) => Output | Promise<Output | Transferring<Output>> | Transferring<Output>;

/** Names a CPU task; `module` usually comes from {@link taskModuleUrl}. */
export function defineTask<Input, Output>(module: string | URL, name: string): TaskRef<Input, Output> {
  return { module: typeof module === 'string' ? module : module.href, name };
}

/**
 * The URL of a module of the same package, given relative to `src/` without
 * extension, that resolves both in the sources (`src/x.ts`, run by Node 24,
 * Bun, Deno or vitest) and in the tsup build (`dist/x.js`). tsup keeps the
 * `src/` layout for entries, so each task module must be a tsup entry.
 */
export function taskModuleUrl(importMetaUrl: string, pathFromSrc: string): string {
  for (const [dir, ext] of [
    ['/src/', '.ts'],
    ['/dist/', '.js'],
  ] as const) {
    const at = importMetaUrl.lastIndexOf(dir);
    if (at >= 0) return importMetaUrl.slice(0, at + dir.length) + pathFromSrc + ext;
  }
  throw new CoreError(
    CoreErrorCode.InvalidArgument,
    `Cannot locate task module "${pathFromSrc}" from ${importMetaUrl}: expected a file under src/ or dist/`,
  );
}

const TRANSFER = Symbol.for('fleetkit.transfer');

/** A task result whose buffers move back to the caller instead of being copied. */
export interface Transferring<Value> {
  readonly [TRANSFER]: true;
  readonly value: Value;
  readonly transfer: readonly ArrayBuffer[];
}

/** Wraps a task's result so `transfer` is moved, not copied, to the caller. */
export function withTransfer<Value>(value: Value, transfer: readonly ArrayBuffer[]): Transferring<Value> {
  return { [TRANSFER]: true, value, transfer };
}

/** True when a task returned {@link withTransfer}'s wrapper. */
export function isTransferring(value: unknown): value is Transferring<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TRANSFER] === true;
}

/** Loads a task's function from its module, with a typed error when absent. */
export async function loadTask(module: string, name: string): Promise<(input: unknown) => unknown> {
  const mod = (await import(module)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') {
    throw new CoreError(
      CoreErrorCode.TaskNotFound,
      `Cannot run task "${name}": module ${module} exports no function of that name`,
      {
        details: { module, name },
      },
    );
  }
  return fn as (input: unknown) => unknown;
}

/** JSON form of a fleetkit error: stable for logs, RPC `error.data` and tests. */
export interface ErrorJson {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Options every fleetkit error accepts beside its code and message. */
export interface FleetkitErrorOptions {
  /** The lower-level failure, kept for diagnosis. */
  readonly cause?: unknown;
  /** Structured facts about the failure (path, expected, got…). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every error fleetkit throws. Each package declares its codes in an
 * `as const` table and one subclass, so callers switch on `code`, never on
 * message text.
 */
export class FleetkitError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: Code, message: string, options: FleetkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  override get name(): string {
    return this.constructor.name;
  }

  toJSON(): ErrorJson {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.cause === undefined ? {} : { cause: causeToJson(this.cause) }),
    };
  }
}

function causeToJson(cause: unknown): unknown {
  if (cause instanceof FleetkitError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}

/** Codes of `@fleetkit/core`. */
export const CoreErrorCode = {
  InvalidArgument: 'invalid-argument',
  PoolClosed: 'pool-closed',
  TaskFailed: 'task-failed',
  TaskAborted: 'task-aborted',
  TaskNotFound: 'task-not-found',
  SqlFailed: 'sql-failed',
  /**
   * Another connection held the database's lock past the wait allowed
   * (SQLite `SQLITE_BUSY` / `SQLITE_LOCKED` after `busyTimeoutMs`): nothing
   * was written, and running the whole transaction again may succeed.
   */
  SqlBusy: 'sql-busy',
  SqlClosed: 'sql-closed',
  SqlUnsupported: 'sql-unsupported',
} as const;
export type CoreErrorCode = (typeof CoreErrorCode)[keyof typeof CoreErrorCode];

/** Error thrown by `@fleetkit/core` (pool, SQL drivers, argument checks). */
export class CoreError extends FleetkitError<CoreErrorCode> {}

import { FleetkitError } from '@fleetkit/core';

/** Codes of `@fleetkit/txqueue`; callers switch on these, never on message text. */
export const TxQueueErrorCode = {
  /** An argument has the wrong shape or range (details: path, expected, got). */
  InvalidArgument: 'invalid-argument',
  /** A caller-supplied id was reused with a different kind or payload. */
  IdempotencyConflict: 'idempotency-conflict',
  /** A group target was given but no group resolver was configured. */
  NoGroupResolver: 'no-group-resolver',
  /** `push` found no staged configuration updates for the target. */
  NothingStaged: 'nothing-staged',
  /** The transaction does not exist for that target. */
  NotFound: 'not-found',
  /** The queue was closed. */
  Closed: 'closed',
} as const;
export type TxQueueErrorCode = (typeof TxQueueErrorCode)[keyof typeof TxQueueErrorCode];

/** Error thrown by `@fleetkit/txqueue`. */
export class TxQueueError extends FleetkitError<TxQueueErrorCode> {}

/** An {@link TxQueueError} for bad input, with the path, what was expected and what was got. */
export function invalid(path: string, expected: string, got: unknown): TxQueueError {
  return new TxQueueError(
    TxQueueErrorCode.InvalidArgument,
    `Cannot accept ${path}: expected ${expected}, got ${describe(got)}`,
    {
      details: { path, expected, got: describe(got) },
    },
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `array(${value.length})` : 'object';
}

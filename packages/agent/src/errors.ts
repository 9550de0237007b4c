import { FleetkitError } from '@fleetkit/core';

/** Codes of {@link AgentError}; callers switch on these, never on message text. */
export const AgentErrorCode = {
  /** An option is outside what the agent accepts. */
  InvalidOption: 'invalid-option',
  /** 401 or 403: the device was deleted or its key replaced (000 Telemetry loop); register again. */
  AuthLost: 'auth-lost',
  /** The server could not be reached, broke the connection or answered 5xx: back off and retry. */
  Unavailable: 'unavailable',
  /** 429: the server asks the device to slow down (`details.retryAfterMs` when it said how long). */
  RateLimited: 'rate-limited',
  /** Another 4xx: the server refused this call (`details.status`, `details.error`); retrying will not help. */
  Refused: 'refused',
  /** The server's answer is not the JSON the device API describes. */
  InvalidReply: 'invalid-reply',
  /** A stored agent state that cannot be read (the agent starts without it). */
  StateInvalid: 'state-invalid',
  /** A device-originated RPC answered with a JSON-RPC error (`details.error`). */
  RpcFailed: 'rpc-failed',
  /** The agent is not running (not started, or stopped). */
  NotRunning: 'not-running',
  /** The chunk storage could not keep or read a package's chunks (a full disk, say); the operation fails. */
  StorageFailed: 'storage-failed',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** Error of `@fleetkit/agent`: bad options, and the outcomes of calls to the server the flow acts on. */
export class AgentError extends FleetkitError<AgentErrorCode> {}

/** True for a failure the agent waits out with backoff: network, 5xx, 429, a garbled answer. */
export function isTransient(error: unknown): error is AgentError {
  return (
    error instanceof AgentError &&
    (error.code === AgentErrorCode.Unavailable ||
      error.code === AgentErrorCode.RateLimited ||
      error.code === AgentErrorCode.InvalidReply)
  );
}

/** True for 401/403 (000: clear the auth data and register again). */
export function isAuthLost(error: unknown): error is AgentError {
  return error instanceof AgentError && error.code === AgentErrorCode.AuthLost;
}

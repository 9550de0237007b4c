import { FleetkitError } from '@fleetkit/core';

/** Codes of `@fleetkit/server` errors thrown to its callers (never sent on the wire as such). */
export const ServerErrorCode = {
  InvalidOption: 'invalid-option',
  InvalidUrl: 'invalid-url',
  DestinationDenied: 'destination-denied',
  CallbackFailed: 'callback-failed',
  Closed: 'closed',
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** Error thrown by `@fleetkit/server`. */
export class ServerError extends FleetkitError<ServerErrorCode> {}

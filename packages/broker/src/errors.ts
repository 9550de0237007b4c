import { FleetkitError } from '@fleetkit/core';

/** Codes of {@link BrokerError}: misuse of the broker's API, never a peer's bad frame. */
export const BrokerErrorCode = {
  InvalidOption: 'invalid-option',
  InvalidArgument: 'invalid-argument',
  InvalidUrl: 'invalid-url',
  UnsupportedRuntime: 'unsupported-runtime',
  ClientStopped: 'client-stopped',
  Closed: 'closed',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** Error thrown by `@fleetkit/broker` for bad options and arguments, wrong runtimes, and a stopped client or control. */
export class BrokerError extends FleetkitError<BrokerErrorCode> {}

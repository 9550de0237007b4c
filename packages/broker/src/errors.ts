import { FleetkitError } from '@fleetkit/core';

/** Codes of {@link BrokerError}: misuse of the broker's API, never a peer's bad frame. */
export const BrokerErrorCode = {
  InvalidOption: 'invalid-option',
  InvalidUrl: 'invalid-url',
  UnsupportedRuntime: 'unsupported-runtime',
  ClientStopped: 'client-stopped',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** Error thrown by `@fleetkit/broker` for bad options, wrong runtimes and a stopped client. */
export class BrokerError extends FleetkitError<BrokerErrorCode> {}

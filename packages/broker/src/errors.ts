import { FleetkitError } from '@fleetkit/core';

/** Codes of {@link BrokerError}: misuse of the broker's API, never a peer's bad frame. */
export const BrokerErrorCode = {
  InvalidOption: 'invalid-option',
  InvalidUrl: 'invalid-url',
  BrokerClosed: 'broker-closed',
  UnsupportedRuntime: 'unsupported-runtime',
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** Error thrown by `@fleetkit/broker` for bad options and calls on a closed broker. */
export class BrokerError extends FleetkitError<BrokerErrorCode> {}

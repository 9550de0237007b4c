import { type Clock, createLogger, cryptoRandom, type Logger, type Random, systemClock } from '@fleetkit/core';
import { BrokerError, BrokerErrorCode } from '../errors.ts';

/** What a subscriber whose buffer is over the limit gets. */
export type SlowConsumerPolicy = 'disconnect' | 'drop';

/** What {@link BrokerOptions.authorizeDevice} is asked. */
export interface DeviceAuthorization {
  /** The key the connection opened with (`?apiKey=` or `X-API-Key`). */
  readonly apiKey: string;
  /** The deviceId the connection asks to register. */
  readonly deviceId: string;
}

/** Decides whether a key may register a deviceId; anything but `true` refuses. */
export type DeviceAuthorizer = (request: DeviceAuthorization) => boolean | Promise<boolean>;

/** Options of {@link Broker}. */
export interface BrokerOptions {
  /**
   * Keys accepted on `/devices`; none empty. Required, with at least one key,
   * unless {@link authorizeDevice} is given: then a connection with any
   * non-empty key is let in, and the hook decides at `register`.
   */
  readonly deviceKeys?: readonly string[] | undefined;
  /**
   * Per-device credentials: asked before each connection's first `register`
   * (and before it can evict the device's current connection). A refusal
   * gets `device-not-authorized` and close 1008; a throw or rejection close
   * 1011. Default: none, any device key registers any deviceId.
   */
  readonly authorizeDevice?: DeviceAuthorizer | undefined;
  /** Keys accepted on `/control`; at least one, none empty. */
  readonly controlKeys: readonly string[];
  /** Interval of WebSocket pings; a peer silent for two intervals is dropped. Default 30 000 ms; 0 turns it off. */
  readonly heartbeatMs?: number;
  /** Largest text frame the protocol accepts, in UTF-8 bytes. Default 65 536. */
  readonly maxMessageBytes?: number;
  /** Bytes a connection may have queued before the slow-consumer policy applies. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** `disconnect` (default) closes a slow subscriber with 1013; `drop` skips frames and then reports how many. */
  readonly slowConsumer?: SlowConsumerPolicy;
  /** Default `systemClock`. */
  readonly clock?: Clock;
  /** For control connection ids. Default `cryptoRandom`. */
  readonly random?: Random;
  /** Default `createLogger()`. */
  readonly logger?: Logger;
}

/** {@link BrokerOptions} with every default filled in. */
export interface ResolvedOptions {
  /** Empty when only {@link BrokerOptions.authorizeDevice} admits devices. */
  readonly deviceKeys: readonly string[];
  readonly authorizeDevice: DeviceAuthorizer | undefined;
  readonly controlKeys: readonly string[];
  readonly heartbeatMs: number;
  readonly maxMessageBytes: number;
  readonly maxBufferedBytes: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

function keys(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((k) => typeof k === 'string' && k !== '')) {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start a broker as ${name} must be a non-empty array of non-empty strings`,
      {
        details: {
          path: name,
          expected: 'non-empty string[]',
          got: Array.isArray(value) ? value.map((k) => typeof k) : typeof value,
        },
      },
    );
  }
  return [...(value as string[])];
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start a broker as ${name} must be an integer ≥ ${min}: got ${value}`,
      {
        details: { path: name, expected: `integer ≥ ${min}`, got: value },
      },
    );
  }
  return value;
}

/** Checks options and fills defaults; throws {@link BrokerError} `invalid-option` naming the field. */
export function resolveOptions(options: BrokerOptions): ResolvedOptions {
  const slow = options.slowConsumer ?? 'disconnect';
  if (slow !== 'disconnect' && slow !== 'drop') {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start a broker as slowConsumer must be "disconnect" or "drop": got ${String(slow)}`,
      {
        details: { path: 'slowConsumer', expected: ['disconnect', 'drop'], got: slow },
      },
    );
  }
  const authorizeDevice = options.authorizeDevice;
  if (authorizeDevice !== undefined && typeof authorizeDevice !== 'function') {
    throw new BrokerError(
      BrokerErrorCode.InvalidOption,
      `Cannot start a broker as authorizeDevice must be a function: got ${typeof authorizeDevice}`,
      { details: { path: 'authorizeDevice', expected: 'function', got: typeof authorizeDevice } },
    );
  }
  return {
    deviceKeys:
      authorizeDevice !== undefined && options.deviceKeys === undefined ? [] : keys('deviceKeys', options.deviceKeys),
    authorizeDevice,
    controlKeys: keys('controlKeys', options.controlKeys),
    heartbeatMs: count('heartbeatMs', options.heartbeatMs, 30_000, 0),
    maxMessageBytes: count('maxMessageBytes', options.maxMessageBytes, 65_536, 64),
    maxBufferedBytes: count('maxBufferedBytes', options.maxBufferedBytes, 1 << 20, 0),
    slowConsumer: slow,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
    logger: options.logger ?? createLogger(),
  };
}

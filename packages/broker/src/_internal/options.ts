import { type Clock, createLogger, cryptoRandom, type Logger, type Random, systemClock } from '@fleetkit/core';
import { BrokerError, BrokerErrorCode } from '../errors.ts';

/** What a subscriber whose buffer is over the limit gets. */
export type SlowConsumerPolicy = 'disconnect' | 'drop';

/** Options of {@link Broker}. */
export interface BrokerOptions {
  /** Keys accepted on `/devices`; at least one, none empty. */
  readonly deviceKeys: readonly string[];
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
  readonly deviceKeys: readonly string[];
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
  return {
    deviceKeys: keys('deviceKeys', options.deviceKeys),
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

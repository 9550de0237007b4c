// The options of openTxQueue, checked and resolved to their defaults once,
// before the engine builds anything on them.
import { createLogger, cryptoRandom, type Random, systemClock } from '@fleetkit/core';
import { dialectOf } from '../dialects/index.ts';
import { invalid } from '../errors.ts';
import { memoryStorage } from '../storage.ts';
import type { TxQueueOptions } from '../types.ts';
import { checkMs } from '../validate.ts';
import { type Context, PayloadCache } from './context.ts';

/** The engine's settings: the operations' context and what the engine itself runs by. */
export interface Settings {
  readonly context: Context;
  /** The queue opened its storage itself (the default), so it closes it. */
  readonly owned: boolean;
  readonly tickMs: number;
  readonly random: Random;
  /** Finished transactions are deleted this long after they finished; undefined keeps them. */
  readonly retainFinishedMs: number | undefined;
  readonly eventRetry: EventRetry;
}

/** When a failed event is tried again: after `ms`, doubling up to `maxMs`. */
export interface EventRetry {
  readonly ms: number;
  readonly maxMs: number;
}

/** Checks the options (throws `invalid-argument` naming the option) and fills in the defaults. */
export function settingsOf(options: TxQueueOptions): Settings {
  const storage = options.storage ?? memoryStorage();
  const dialect = dialectOf(storage);
  const owned = options.storage === undefined;
  const tickMs = options.tickMs === undefined ? 1000 : checkMs(options.tickMs, 'options.tickMs');
  const retainFinishedMs =
    options.retainFinishedMs === undefined ? undefined : checkMs(options.retainFinishedMs, 'options.retainFinishedMs');
  const context: Context = {
    storage,
    dialect,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger(),
    groups: options.groups,
    redeliverAfterMs:
      options.redeliverAfterMs === undefined ? 30_000 : checkMs(options.redeliverAfterMs, 'options.redeliverAfterMs'),
    cancelTimeoutMs:
      options.cancelTimeoutMs === undefined ? 300_000 : checkMs(options.cancelTimeoutMs, 'options.cancelTimeoutMs'),
    defaultTimeoutMs:
      options.defaultTimeoutMs === undefined
        ? 604_800_000
        : checkMs(options.defaultTimeoutMs, 'options.defaultTimeoutMs'),
    payloads: new PayloadCache(),
  };
  const eventRetry = eventRetryOf(options);
  return { context, owned, tickMs, random: options.random ?? cryptoRandom, retainFinishedMs, eventRetry };
}

/** The event retry options, checked: `eventRetryMaxMs` may not be below `eventRetryMs`. */
function eventRetryOf(options: TxQueueOptions): EventRetry {
  const ms = options.eventRetryMs === undefined ? 5000 : checkMs(options.eventRetryMs, 'options.eventRetryMs');
  if (options.eventRetryMaxMs === undefined) return { ms, maxMs: Math.max(ms, 300_000) };
  const maxMs = checkMs(options.eventRetryMaxMs, 'options.eventRetryMaxMs');
  if (maxMs < ms) throw invalid('options.eventRetryMaxMs', `at least options.eventRetryMs (${ms})`, maxMs);
  return { ms, maxMs };
}

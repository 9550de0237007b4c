import type { BackoffOptions } from '@fleetkit/broker';
import type { Random } from '@fleetkit/core';
import { AgentError, AgentErrorCode } from './errors.ts';

/** A wait: a fixed number of ms, or a range from which each wait is drawn at random (jitter). */
export type Interval = number | { readonly minMs: number; readonly maxMs: number };

/** How long the agent waits between its steps. */
export interface AgentTiming {
  /** Between registration attempts the server refused. Default 10–30 min (000 Registration loop). */
  readonly registrationInterval?: Interval;
  /** Between telemetry beats. Default 5–30 s (000 Telemetry loop). */
  readonly telemetryInterval?: Interval;
  /**
   * After a network error, a 5xx or a 429: capped exponential backoff with
   * jitter, by the broker client's schedule. Default 1 s doubling to 30 s, ±20 %.
   */
  readonly backoff?: BackoffOptions;
  /**
   * Telemetry beats sent at once in a row because the last one led to work
   * done (000: "when a significant event happens"), before the agent waits an
   * interval anyway. Default 20.
   */
  readonly maxImmediateBeats?: number;
}

/** {@link AgentTiming} with its defaults filled in and checked. */
export interface ResolvedTiming {
  readonly registrationInterval: Interval;
  readonly telemetryInterval: Interval;
  readonly backoff: BackoffOptions;
  readonly maxImmediateBeats: number;
}

export const DEFAULT_REGISTRATION_INTERVAL: Interval = { minMs: 10 * 60_000, maxMs: 30 * 60_000 };
export const DEFAULT_TELEMETRY_INTERVAL: Interval = { minMs: 5_000, maxMs: 30_000 };

function checkInterval(path: string, interval: Interval): Interval {
  const valid =
    typeof interval === 'number'
      ? Number.isFinite(interval) && interval >= 0
      : Number.isFinite(interval.minMs) &&
        Number.isFinite(interval.maxMs) &&
        interval.minMs >= 0 &&
        interval.maxMs >= interval.minMs;
  if (!valid) {
    throw new AgentError(
      AgentErrorCode.InvalidOption,
      `Cannot use timing.${path}: expected ms ≥ 0 or {minMs ≤ maxMs}`,
      {
        details: { path: `timing.${path}`, expected: 'ms ≥ 0 or {minMs, maxMs} with 0 ≤ minMs ≤ maxMs', got: interval },
      },
    );
  }
  return interval;
}

/** Fills in and checks the timing; throws `invalid-option` naming the field. */
export function resolveTiming(timing: AgentTiming = {}): ResolvedTiming {
  const maxImmediateBeats = timing.maxImmediateBeats ?? 20;
  if (!Number.isSafeInteger(maxImmediateBeats) || maxImmediateBeats < 0) {
    throw new AgentError(AgentErrorCode.InvalidOption, 'Cannot use timing.maxImmediateBeats: expected an integer ≥ 0', {
      details: { path: 'timing.maxImmediateBeats', expected: 'an integer ≥ 0', got: maxImmediateBeats },
    });
  }
  return {
    registrationInterval: checkInterval(
      'registrationInterval',
      timing.registrationInterval ?? DEFAULT_REGISTRATION_INTERVAL,
    ),
    telemetryInterval: checkInterval('telemetryInterval', timing.telemetryInterval ?? DEFAULT_TELEMETRY_INTERVAL),
    backoff: timing.backoff ?? {},
    maxImmediateBeats,
  };
}

/** One wait drawn from an interval: uniform in [minMs, maxMs]. */
export function drawInterval(interval: Interval, random: Random): number {
  if (typeof interval === 'number') return interval;
  return Math.round(interval.minMs + (interval.maxMs - interval.minMs) * random.float());
}

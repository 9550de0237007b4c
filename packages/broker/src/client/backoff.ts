import type { Random } from '@fleetkit/core';

/** The reconnect schedule of 002 "Reconnection Strategy". */
export interface BackoffOptions {
  /** Delay before the first retry. Default 1 000 ms (002 `RECONNECT_BASE_DELAY`). */
  readonly baseMs?: number;
  /** Largest delay before jitter. Default 30 000 ms (002 `RECONNECT_MAX_DELAY`). */
  readonly capMs?: number;
  /** Relative spread: the delay is scaled by a uniform factor in [1 − jitter, 1 + jitter). Default 0.2. */
  readonly jitter?: number;
}

/**
 * Milliseconds to wait before reconnect attempt `attempt` (0 first):
 * min(base × 2^attempt, cap), then ±jitter. 002's sample code multiplies by
 * `0.2 * (Math.random() - 0.5)`, which is ±10% although its comment says
 * ±20%; we follow the stated ±20% (docs/decisions/broker-reconnect.md).
 */
export function reconnectDelay(attempt: number, random: Random, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1_000;
  const cap = options.capMs ?? 30_000;
  const jitter = options.jitter ?? 0.2;
  const delay = Math.min(base * 2 ** Math.min(attempt, 52), cap);
  return Math.round(delay * (1 + jitter * (2 * random.float() - 1)));
}

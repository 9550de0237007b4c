import { SeededRandom } from '@fleetkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.ts';

const fixed = (value: number) => ({ bytes: () => new Uint8Array(), float: () => value, int: () => 0, uuid: () => '' });

describe('reconnectDelay (002 "Reconnection Strategy")', () => {
  it('doubles from 1 s and caps at 30 s before jitter', () => {
    const mid = fixed(0.5);
    expect(Array.from({ length: 8 }, (_, a) => reconnectDelay(a, mid))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('spreads each delay over ±20%', () => {
    expect(reconnectDelay(0, fixed(0))).toBe(800);
    expect(reconnectDelay(0, fixed(0.999999))).toBe(1200);
    expect(reconnectDelay(10, fixed(0))).toBe(24000);
    expect(reconnectDelay(10, fixed(0.999999))).toBe(36000);
  });

  it('stays within [0.8, 1.2] × min(1 s × 2^attempt, 30 s) for any attempt and seed', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer(), (attempt, seed) => {
        const nominal = Math.min(1000 * 2 ** Math.min(attempt, 52), 30_000);
        const d = reconnectDelay(attempt, new SeededRandom(seed));
        return d >= Math.round(nominal * 0.8) && d <= Math.round(nominal * 1.2);
      }),
    );
  });

  it('honours custom base, cap and jitter', () => {
    expect(reconnectDelay(3, fixed(0.5), { baseMs: 100, capMs: 500, jitter: 0 })).toBe(500);
    expect(reconnectDelay(1, fixed(0), { baseMs: 100, jitter: 0.5 })).toBe(100);
  });
});
